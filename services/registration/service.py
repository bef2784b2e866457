"""The registration service: so far health, metrics, its event catalogue and its log."""

from services.common.service import HuiwuService


class Service(HuiwuService):
    name = "registration"
