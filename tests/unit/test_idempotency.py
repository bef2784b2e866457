"""The first answer to a command given with an Idempotency-Key (SQLite file, no broker)."""

from datetime import UTC, datetime, timedelta

import pytest

from services.common.config import Settings
from services.common.database import Database
from services.common.errors import Conflict, InvalidCommand
from services.common.idempotency import Answer, Replies, checked_key, fingerprint


class Clock:
    def __init__(self):
        self.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def replies(tmp_path):
    db = Database(Settings(data_dir=tmp_path), "vendors")
    clock = Clock()
    store = Replies(db, now=clock)
    store.create_table()
    store.clock = clock
    yield store
    db.close()


def counting(answer):
    calls = []

    def run():
        calls.append(1)
        return answer

    return run, calls


SIGNED = Answer(200, b'{"status": "signed"}', "application/json")


def test_a_retry_gets_the_first_answer_and_runs_nothing(replies):
    run, calls = counting(SIGNED)
    first = replies.once("tok1", "k-1", "print", run)
    again = replies.once("tok1", "k-1", "print", run)

    assert first == again == SIGNED
    assert len(calls) == 1


def test_keys_are_per_token(replies):
    run, calls = counting(SIGNED)
    replies.once("tok1", "k-1", "print", run)
    replies.once("tok2", "k-1", "print", run)

    assert len(calls) == 2


def test_the_same_key_for_another_request_is_refused_naming_the_header(replies):
    replies.once("tok1", "k-1", "print", lambda: SIGNED)

    with pytest.raises(InvalidCommand) as refused:
        replies.once("tok1", "k-1", "another", lambda: SIGNED)
    assert refused.value.field == "Idempotency-Key"


def test_a_refusal_is_kept_but_a_server_error_is_not(replies):
    refused = Answer(400, b'{"error": "ValidationError"}', "application/json")
    run, calls = counting(refused)
    replies.once("tok1", "bad", "print", run)
    assert replies.once("tok1", "bad", "print", run) == refused
    assert len(calls) == 1

    broken = Answer(500, b"{}", "application/json")
    run, calls = counting(broken)
    replies.once("tok1", "boom", "print", run)
    replies.once("tok1", "boom", "print", run)
    assert len(calls) == 2

    def raising():
        raise RuntimeError("store down")

    with pytest.raises(RuntimeError):
        replies.once("tok1", "raise", "print", raising)
    assert replies.once("tok1", "raise", "print", lambda: SIGNED) == SIGNED


def test_a_retry_while_the_first_is_answered_waits_its_turn(replies):
    def first():
        with pytest.raises(Conflict):
            replies.once("tok1", "k-1", "print", lambda: SIGNED)
        return SIGNED

    assert replies.once("tok1", "k-1", "print", first) == SIGNED


def test_a_claim_its_process_never_answered_is_taken_over(replies):
    replies._claim("tok1", "k-1", "print")  # the process died here
    with pytest.raises(Conflict):
        replies.once("tok1", "k-1", "print", lambda: SIGNED)

    replies.clock.now += timedelta(minutes=3)
    assert replies.once("tok1", "k-1", "print", lambda: SIGNED) == SIGNED


def test_answers_are_kept_for_a_day(replies):
    run, calls = counting(SIGNED)
    replies.once("tok1", "k-1", "print", run)
    replies.clock.now += timedelta(days=1, minutes=1)
    replies.once("tok1", "k-1", "print", run)

    assert len(calls) == 2


@pytest.mark.parametrize("key", ["", "with space", "x" * 201, "键"])
def test_a_key_is_visible_ascii_of_bounded_length(key):
    with pytest.raises(InvalidCommand):
        checked_key(key)
    assert checked_key("5d0b8f9e-retry") == "5d0b8f9e-retry"


def test_the_fingerprint_tells_parts_apart():
    assert fingerprint("A", "/x", b"", b"ab") != fingerprint("A", "/x", b"a", b"b")
