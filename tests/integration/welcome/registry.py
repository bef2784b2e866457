"""The registry of Huiwu with one more line: the welcome service of this folder."""

from services.common.registry import ServiceSpec
from services.registry import SERVICES as BUILT_IN

SERVICES = (
    *BUILT_IN,
    ServiceSpec("welcome", 8099, follows=("checklist",), package="tests.integration.welcome"),
)
