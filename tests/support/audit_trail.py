"""The audit trail as tests see it: over HTTP, and in reporting's store itself."""

from __future__ import annotations

from contextlib import contextmanager

from services.common.config import Settings
from services.common.database import Database

from .slice import (
    SECTION_ONE,
    add_vendor,
    draft_contract,
    ok,
    open_conference,
    sign,
    wait_for_status,
)
from .system import wait_settled, wait_until

EVERYONE = ("registration", "budget", "vendors", "speakers", "checklist", "reporting")


def history(system) -> str:
    """A conference, a vendor and a signed venue contract that checklist verifies."""
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    ok(sign(system, contract_id))
    wait_for_status(system, conference_id, "1.3.5", "verified")
    return conference_id


def read_before_checklist(system) -> dict[str, int]:
    """The logs a rebuild reads before checklist's (the last one), each with the events it
    holds: vendors' and budget's, which records events of its own from vendors' and
    checklist's."""
    first = EVERYONE[: EVERYONE.index("checklist")]
    counts = {s: int(system[s].metric("huiwu_events_stored", service=s)) for s in first}
    return {s: n for s, n in counts.items() if n}


def trail(system) -> list[dict]:
    return ok(system["reporting"].get("/audit?limit=10000"))["events"]


def stored_events(system) -> int:
    return int(
        sum(
            system[s].metric("huiwu_events_stored", service=s) for s in EVERYONE if s != "reporting"
        )
    )


def settled_trail(system) -> list[dict]:
    """The live trail once it holds every stored event of every upstream."""
    wait_settled(system)
    stored = stored_events(system)
    return wait_until(lambda: (t := trail(system)) and len(t) == stored and t)


@contextmanager
def reporting_store(system):
    db = Database(Settings.from_env(system.env()), "reporting")
    try:
        yield db
    finally:
        db.close()


def store_state(system) -> tuple[list, dict, int]:
    """Read from the store itself: the trail's rows, its positions, the shadow's size."""
    with reporting_store(system) as db, db.transaction() as cur:
        rows = cur.execute(
            "SELECT * FROM {t} ORDER BY service, notification_id", t="audit_trail"
        ).fetchall()
        positions = dict(
            cur.execute(
                "SELECT upstream, position FROM {t} WHERE projection = {p}",
                ["audit_trail"],
                t="projection_tracking",
            ).fetchall()
        )
        shadow = cur.execute("SELECT COUNT(*) FROM {t}", t="audit_trail_rebuild").fetchone()[0]
    return [tuple(row) for row in rows], positions, int(shadow)


def rebuild(system, wait: float = 25, fresh: bool = False):
    query = f"wait={wait}" + ("&fresh=true" if fresh else "")
    return system["reporting"].post(f"/audit/rebuild?{query}")
