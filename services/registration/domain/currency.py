"""Money of a conference is in its one currency (the conference's, from checklist): an
amount in another is refused, naming its field, before anything is stored."""

from __future__ import annotations

from services.common.errors import InvalidCommand


def check_currency(conference_currency: str, given: str, field: str = "currency") -> None:
    if given != conference_currency:
        raise InvalidCommand(f"the conference is in {conference_currency}, not {given}", field)
