"""Use cases of registration (none yet: the store and its notification log are in place)."""

from services.common.store import ServiceApplication


class RegistrationApplication(ServiceApplication):
    name = "registration"
