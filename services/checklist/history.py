"""A conference's plan, or one entry, as it stood at a past moment: each aggregate's
events up to that moment replayed from checklist's store (services/common/as_of.py).

The answer says which event was the last one counted, over the conference and all its
entries: what the picture stands on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.common.as_of import last_event, latest
from services.common.errors import NotFound

from .application import ChecklistApplication
from .domain import entry_id
from .schemas import EntryAnswer

_ENTRY = EntryAnswer()


class EntryThen:
    """An entry as it stood, with when and the last event counted (dumped by
    EntryAsOfAnswer, which reads the entry's attributes)."""

    def __init__(self, entry: Any, at: str, last: dict[str, Any]) -> None:
        self._entry, self.at, self.last_event = entry, at, last

    def __getattr__(self, name: str) -> Any:
        return getattr(self._entry, name)


class PlanHistory:
    def __init__(self, app: ChecklistApplication) -> None:
        self.app = app

    def plan(self, conference_id: str, moment: dt.datetime) -> dict[str, Any]:
        conference, counted = self._conference(conference_id, moment)
        entries, last = [], last_event(counted)
        for code in conference.entry_codes:
            answer, event = self._entry(conference_id, code, moment)
            entries.append(answer)
            last = latest(last, event)
        return {
            "conference_id": str(conference.id),
            "at": moment.isoformat(),
            "entries": entries,
            "last_event": last,
        }

    def entry(self, conference_id: str, code: str, moment: dt.datetime) -> EntryThen:
        conference, counted = self._conference(conference_id, moment)
        if code not in conference.entry_codes:
            raise NotFound(f"conference {conference_id} has no entry {code}", field="code")
        found = self.app.as_of(entry_id(conference_id, code), moment)
        assert found is not None, "entries are planned with their conference"
        return EntryThen(found[0], moment.isoformat(), last_event(found[1]))

    def _conference(self, conference_id: str, moment: dt.datetime) -> tuple[Any, Any]:
        found = self.app.as_of(conference_id, moment)
        if found is None:
            raise NotFound(
                f"no conference {conference_id} as of {moment.isoformat()}",
                field="conference_id",
            )
        return found

    def _entry(
        self, conference_id: str, code: str, moment: dt.datetime
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        found = self.app.as_of(entry_id(conference_id, code), moment)
        assert found is not None, "entries are planned with their conference"
        entry, event = found
        return _ENTRY.dump(entry), last_event(event)
