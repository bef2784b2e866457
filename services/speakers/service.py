"""The speakers service: health, metrics and its notification log so far."""

from services.common.kernel import Kernel
from services.common.service import HuiwuService

from .application import SpeakersApplication
from .events import CATALOG


class Service(HuiwuService):
    name = "speakers"
    kernel = Kernel(SpeakersApplication, CATALOG)
