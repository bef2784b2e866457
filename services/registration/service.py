"""The registration service: health, metrics and its notification log so far."""

from services.common.kernel import Kernel
from services.common.service import HuiwuService

from .application import RegistrationApplication
from .events import CATALOG


class Service(HuiwuService):
    name = "registration"
    kernel = Kernel(RegistrationApplication, CATALOG)
