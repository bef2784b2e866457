"""Wiring of speakers: its store and outbox; it follows no other service yet."""

from services.common.config import Settings
from services.common.wiring import Parts, Wired

from .application import SpeakersApplication


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "speakers")
    app = parts.store(SpeakersApplication)
    return parts.wire(app, uses={"speakers": app})
