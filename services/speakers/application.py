"""Use cases of speakers (none yet: the store and its notification log are in place)."""

from services.common.store import ServiceApplication


class SpeakersApplication(ServiceApplication):
    name = "speakers"
