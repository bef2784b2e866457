"""The services of Huiwu, one line each: name, HTTP port, the services it follows.

A service's consumers, catalogues and place in `huiwu up` and docker-compose all come
from its line here. To add one, see docs/adding-a-service.md.
"""

from services.common.registry import EVERY_OTHER, ServiceSpec

SERVICES = (
    ServiceSpec("registration", 8001, follows=("checklist",)),
    ServiceSpec("budget", 8002, follows=("checklist", "registration", "vendors", "speakers")),
    ServiceSpec("vendors", 8003, follows=("checklist",)),
    ServiceSpec("speakers", 8004),
    ServiceSpec("checklist", 8005, follows=("vendors", "registration", "budget", "speakers")),
    ServiceSpec("reporting", 8006, follows=EVERY_OTHER),
)
