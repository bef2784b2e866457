"""Wiring of welcome: its application is also the policy that follows checklist."""

from services.common.config import Settings
from services.common.sinks import ProcessSink
from services.common.wiring import Parts, Wired

from .application import WelcomeApplication


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "welcome")
    app = parts.store(WelcomeApplication)
    return parts.wire(app, uses={"welcome": app}, following=parts.follow(ProcessSink(app)))
