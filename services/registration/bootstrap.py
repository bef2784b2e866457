"""Wiring of registration: its store and outbox; it follows no other service yet."""

from services.common.config import Settings
from services.common.wiring import Parts, Wired

from .application import RegistrationApplication


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "registration")
    app = parts.store(RegistrationApplication)
    return parts.wire(app, uses={"registration": app})
