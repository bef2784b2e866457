"""The budget service: health, metrics and its notification log so far."""

from services.common.kernel import Kernel
from services.common.service import HuiwuService

from .application import BudgetApplication
from .events import CATALOG


class Service(HuiwuService):
    name = "budget"
    kernel = Kernel(BudgetApplication, CATALOG)
