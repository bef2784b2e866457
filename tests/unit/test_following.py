"""The kernel's background work: the catch-up of every upstream, and the outbox that runs
the relay and local read models when a commit rings and on a timer."""

from __future__ import annotations

import logging
import threading
from types import SimpleNamespace

from services.common.doorbell import Doorbell
from services.common.following import Following
from services.common.outbox import Outbox


class Consumer:
    """Stands in for TrackingConsumer: each upstream's catch-up succeeds or raises."""

    name = "checklist"
    upstreams = ("vendors", "budget")

    def __init__(self) -> None:
        self.down: set[str] = set()
        self.calls: list[str] = []

    def catch_up(self, upstream: str) -> int:
        self.calls.append(upstream)
        if upstream in self.down:
            raise ConnectionError(f"{upstream} is not running")
        return 1


class Closable:
    def __init__(self) -> None:
        self.closed = False
        self.publisher = self

    def close(self) -> None:
        self.closed = True


def following(consumer: Consumer) -> Following:
    return Following(consumer, Closable(), Closable())  # type: ignore[arg-type]


def test_the_catch_up_pulls_every_upstream_and_says_once_when_one_is_down(caplog):
    consumer = Consumer()
    follow = following(consumer)
    caplog.set_level(logging.INFO, "services.common.following")

    follow.catch_up_all()
    consumer.down = {"budget"}
    follow.catch_up_all()
    follow.catch_up_all()
    consumer.down = set()
    follow.catch_up_all()

    assert consumer.calls == ["vendors", "budget"] * 4  # one down never stops the others
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        "checklist: catch-up from budget postponed: ConnectionError: budget is not running",
        "checklist: catch-up from budget works again",
    ]


def test_a_refresher_pulls_one_upstream_now():
    consumer = Consumer()
    assert following(consumer).refresher("vendors")() == 1
    assert consumer.calls == ["vendors"]


class Relay:
    def __init__(self) -> None:
        self.runs = 0

    def trigger(self) -> None:
        self.runs += 1


class ReadModel:
    def __init__(self, fail: bool = False) -> None:
        self.runs = 0
        self.fail = fail

    def catch_up(self) -> int:
        self.runs += 1
        if self.fail:
            raise RuntimeError("the store is locked")
        return 0


def test_the_outbox_runs_each_worker_at_once_when_rung_and_on_its_timer_without(caplog):
    bell, relay, model, broken = Doorbell(), Relay(), ReadModel(), ReadModel(fail=True)
    log = SimpleNamespace(service="checklist")
    outbox = Outbox(None, log, relay, bell, [broken, model])  # type: ignore[arg-type]
    running = threading.Event()
    running.set()
    workers = [
        threading.Thread(target=outbox.serve, args=(work, 60.0, running.is_set))
        for work in outbox.workers()
    ]
    assert len(workers) == 3  # the relay, and each read model in a loop of its own
    for worker in workers:
        worker.start()
    try:
        _until(lambda: (relay.runs, model.runs, broken.runs) == (1, 1, 1))  # on start
        bell.ring()
        _until(lambda: (relay.runs, model.runs, broken.runs) == (2, 2, 2))  # long before 60 s
        assert "checklist: background work failed" in caplog.text  # and it stops nothing
    finally:
        running.clear()
        bell.ring()
        for worker in workers:
            worker.join(timeout=10)
    assert not any(worker.is_alive() for worker in workers)

    quiet = Relay()
    ticking = Outbox(None, log, quiet, Doorbell())  # type: ignore[arg-type]
    flag = threading.Event()
    flag.set()
    timer = threading.Thread(target=ticking.serve, args=(quiet.trigger, 0.01, flag.is_set))
    timer.start()
    _until(lambda: quiet.runs >= 3)  # nobody rings: the timer runs it
    flag.clear()
    timer.join(timeout=10)


def test_a_ring_is_kept_for_every_listener_until_its_next_wait():
    bell = Doorbell()
    first, second = bell.listener(), bell.listener()
    bell.ring()
    assert first.wait(0) is True and second.wait(0) is True
    assert first.wait(0) is False


def _until(condition, timeout: float = 10.0) -> None:
    done = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("condition not met")
