"""Wiring of vendors: it follows checklist's ConferenceOpened into a small directory, and
its application asks that directory whether a command's conference exists."""

from services.common.config import Settings
from services.common.wiring import Parts, Wired

from .application import VendorsApplication
from .conferences import ConferenceDirectory, KnownConferences


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "vendors")
    directory = ConferenceDirectory(parts.db)
    following = parts.follow(parts.projection("known_conferences", directory))
    app = parts.store(
        VendorsApplication,
        conferences=KnownConferences(directory, following.refresher("checklist")),
    )
    return parts.wire(app, uses={"vendors": app}, following=following)
