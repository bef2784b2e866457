"""`huiwu audit rebuild`: waits for the answer, follows a long rebuild to its end, and
says why it failed (fake services)."""

from __future__ import annotations

import pytest

from huiwu import cli
from huiwu.commands import audit
from services.common.registry import load
from tests.support.fake_http import FakeService

RUN = "5b0c7a52-9d7e-4c55-8f0a-6b7d0f3c2a11"
RUNNING = {"id": RUN, "state": "running", "reading": "vendors", "replayed": {"registration": 2}}
DONE = {
    "id": RUN,
    "state": "done",
    "replayed": {"registration": 2, "vendors": 3, "checklist": 40},
    "events": 45,
}


@pytest.fixture
def fake(monkeypatch):
    with FakeService() as service:
        for name in load().names:
            monkeypatch.setenv(f"HUIWU_PORT_{name.upper()}", str(service.port))
        monkeypatch.setenv("HUIWU_ACTOR", "li")
        monkeypatch.setattr(audit, "POLL_INTERVAL", 0.01)
        yield service


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_rebuild_done_within_the_wait_is_reported_at_once(fake, capsys):
    fake.routes[("POST", "/audit/rebuild")] = (200, DONE)
    code, out, _ = run(capsys, "audit", "rebuild")
    assert code == 0
    assert out.strip() == (
        "audit trail rebuilt: 45 events (replayed: registration 2, vendors 3, checklist 40)"
    )
    assert [r["method"] for r in fake.requests] == ["POST"]
    assert fake.requests[0]["query"] == "wait=20.0"


def test_a_long_rebuild_is_followed_until_it_is_done(fake, capsys):
    fake.routes[("POST", "/audit/rebuild")] = (202, RUNNING)
    fake.routes[("GET", "/audit/rebuild")] = (200, DONE)
    code, out, err = run(capsys, "audit", "rebuild")
    assert code == 0, err
    assert "audit trail rebuilt: 45 events" in out
    assert "live one is served meanwhile" in err
    assert [(r["method"], r["path"]) for r in fake.requests] == [
        ("POST", "/audit/rebuild"),
        ("GET", "/audit/rebuild"),
    ]


def test_a_rebuild_that_fails_while_followed_exits_1_with_its_message(fake, capsys):
    fake.routes[("POST", "/audit/rebuild")] = (202, RUNNING)
    failed = {
        "id": RUN,
        "state": "failed",
        "error": "Unavailable",
        "message": "cannot rebuild: the notification log of checklist could not be read",
    }
    fake.routes[("GET", "/audit/rebuild")] = (200, failed)
    code, out, err = run(capsys, "audit", "rebuild")
    assert code == 1
    assert out == ""
    assert "reporting is unavailable: cannot rebuild: the notification log of checklist" in err


def test_a_refused_rebuild_exits_1_with_the_reason(fake, capsys):
    message = "a rebuild of the audit trail is running since 2026-01-01T00:00:00+00:00"
    fake.routes[("POST", "/audit/rebuild")] = (409, {"error": "Conflict", "message": message})
    code, _, err = run(capsys, "audit", "rebuild")
    assert code == 1
    assert f"refused: {message}" in err


def test_reporting_restarted_while_followed_says_the_trail_is_unchanged(fake, capsys):
    fake.routes[("POST", "/audit/rebuild")] = (202, RUNNING)
    fake.routes[("GET", "/audit/rebuild")] = (200, {"state": "none"})
    code, _, err = run(capsys, "audit", "rebuild")
    assert code == 1
    assert "reporting restarted during the rebuild; the audit trail is unchanged" in err


def test_fresh_asks_for_a_rebuild_from_the_first_event(fake, capsys):
    fake.routes[("POST", "/audit/rebuild")] = (200, DONE)
    code, _, _ = run(capsys, "audit", "rebuild", "--fresh")
    assert code == 0
    assert fake.requests[0]["query"] == "wait=20.0&fresh=true"


def test_a_resumed_rebuild_says_where_it_went_on_from(fake, capsys):
    fake.routes[("POST", "/audit/rebuild")] = (200, {**DONE, "resumed": {"vendors": 3000}})
    code, out, _ = run(capsys, "audit", "rebuild")
    assert code == 0
    assert out.strip().endswith("checklist 40; resumed after #3,000 of the logs)")


def test_ctrl_c_interrupts_the_rebuild_and_says_how_to_resume_it(fake, capsys, monkeypatch):
    following = {**RUNNING, "positions": {"vendors": 400}, "ends": {"vendors": 1000}}
    fake.routes[("POST", "/audit/rebuild")] = (202, following)
    fake.routes[("DELETE", "/audit/rebuild")] = (202, following)

    def ctrl_c(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(audit.time, "sleep", ctrl_c)
    code, out, err = run(capsys, "audit", "rebuild")
    assert code == 130
    assert out == ""
    assert "rebuild interrupted at 400 of 1,000 events" in err
    assert "`huiwu audit rebuild` resumes it" in err
    assert [r["method"] for r in fake.requests] == ["POST", "DELETE"]


def test_ctrl_c_when_the_rebuild_has_just_ended_says_so(fake, capsys, monkeypatch):
    fake.routes[("POST", "/audit/rebuild")] = (202, RUNNING)
    fake.routes[("DELETE", "/audit/rebuild")] = (409, {"error": "Conflict", "message": "none"})
    monkeypatch.setattr(audit.time, "sleep", lambda s: (_ for _ in ()).throw(KeyboardInterrupt))
    code, _, err = run(capsys, "audit", "rebuild")
    assert code == 130
    assert "no rebuild was running" in err


def test_the_progress_bar_shows_events_rate_and_time_left():
    answer = {
        "reading": "checklist",
        "positions": {"vendors": 300_000, "checklist": 110_000},
        "ends": {"vendors": 300_000, "checklist": 700_000},
    }
    line = audit.progress_text(answer, rate=5_000, width=10)
    assert line == (
        "[####......]  41%  410,000 of 1,000,000 events  5,000/s  1m58s left  (checklist)"
    )
    assert audit.progress_text({"positions": {"vendors": 12}}, rate=None) == "12 events"
    assert audit.progress_text({"positions": {}, "ends": {"a": 7_200_000}}, 1_000).endswith(
        "1,000/s  2h00m left"
    )


@pytest.fixture
def stores_here(fake, monkeypatch):
    """The command runs where the stores are; what `fill_from_stores.fill` is asked."""
    from huiwu.commands import tokens
    from services.common import token_store
    from services.reporting import fill_from_stores

    class NoStore:
        def __init__(self, settings):
            pass

        def close(self):
            pass

    asked: list[dict] = []
    monkeypatch.setattr(audit, "stores_here", lambda ctx: True)
    monkeypatch.setattr(token_store, "TokenStore", NoStore)
    monkeypatch.setattr(tokens, "as_one_of", lambda *args: None)

    def fill(settings, upstreams, **kwargs):
        asked.append({"upstreams": upstreams, **kwargs})
        kwargs["progress"]({"vendors": 3}, {"vendors": 3})
        return fill_from_stores.Filled(read={"vendors": 3, "checklist": 40}, seconds=1.25)

    monkeypatch.setattr(fill_from_stores, "fill", fill)
    return asked


def test_where_the_stores_are_they_are_read_first_and_reporting_does_the_rest(
    fake, stores_here, capsys
):
    fake.routes[("POST", "/audit/rebuild")] = (200, {**DONE, "replayed": {}})
    code, out, err = run(capsys, "audit", "rebuild", "--fresh", "--workers", "3")
    assert code == 0, err
    (asked,) = stores_here
    assert asked["fresh"] is True and asked["workers"] == 3
    assert "reporting" not in asked["upstreams"] and "vendors" in asked["upstreams"]
    assert fake.requests[0]["query"] == "wait=20.0"  # resumes: not afresh again
    assert out.strip() == (
        "audit trail rebuilt: 45 events (read from the stores in 1.2 s: "
        "vendors 3, checklist 40; then over RPC: nothing)"
    )


def test_over_rpc_leaves_the_stores_alone(fake, stores_here, capsys):
    fake.routes[("POST", "/audit/rebuild")] = (200, DONE)
    code, _, _ = run(capsys, "audit", "rebuild", "--over-rpc", "--fresh")
    assert code == 0
    assert stores_here == []
    assert fake.requests[0]["query"] == "wait=20.0&fresh=true"


def test_stores_that_cannot_be_read_here_say_so_and_change_nothing(
    fake, stores_here, capsys, monkeypatch
):
    from services.reporting import fill_from_stores

    def broken(*args, **kwargs):
        raise OSError("no such file")

    monkeypatch.setattr(fill_from_stores, "fill", broken)
    code, out, err = run(capsys, "audit", "rebuild")
    assert code == 1 and out == ""
    assert "the stores could not be read here (OSError: no such file)" in err
    assert "--over-rpc" in err
    assert fake.requests == []


def test_ctrl_c_while_the_stores_are_read_keeps_what_was_read(
    fake, stores_here, capsys, monkeypatch
):
    from services.reporting import fill_from_stores

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fill_from_stores, "fill", interrupted)
    code, _, err = run(capsys, "audit", "rebuild")
    assert code == 130
    assert "`huiwu audit rebuild` resumes it" in err
    assert fake.requests == []
