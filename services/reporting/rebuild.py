"""Rebuilding the audit trail beside the one readers see (docs/architecture.md, "Rebuild").

Every upstream log is replayed from #1 into a shadow table with positions of its own,
while readers and the live consumer go on with the current trail. Only when every log has
been read to its end is the shadow taken over, in one transaction, under the consumer's
locks and after a last catch-up of the shadow, so nothing the live consumer applied
meanwhile is lost. Until then the live trail and its positions are never written: a
failure anywhere, or the process killed, leaves them as they were.

Each page of the shadow is committed with its positions, so a rebuild that was
interrupted, failed or killed is resumed where it stopped: the next one goes on from the
shadow's positions (the logs only grow), unless it is asked to start afresh.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from services.common import envelope as envelopes
from services.common.catalog import UnknownEventType
from services.common.consumer import TrackingConsumer
from services.common.envelope import Envelope
from services.common.errors import Conflict, HuiwuError, Unavailable
from services.common.failpoints import NONE, Failpoints
from services.common.log import MAX_PAGE
from services.common.sinks import ProjectionSink, ShadowBehind

from .audit import AuditTrail
from .rebuild_lock import RebuildLock

log = logging.getLogger(__name__)

RUNNING, DONE, FAILED, INTERRUPTED = "running", "done", "failed", "interrupted"
TAKE_OVER_ATTEMPTS = 3  # another replica may move a live position between catch-up and swap
PAGE = MAX_PAGE  # the largest page a log serves: fewer round trips, larger batches


@dataclass
class RebuildRun:
    """One rebuild, as `GET /audit/rebuild` shows it."""

    id: str
    started_at: str
    state: str = RUNNING
    reading: str | None = None  # the upstream whose log is being read
    replayed: dict[str, int] = field(default_factory=dict)  # by this run
    skipped: dict[str, int] = field(default_factory=dict)  # payloads failing their schema
    resumed: dict[str, int] = field(default_factory=dict)  # positions an earlier run left
    positions: dict[str, int] = field(default_factory=dict)  # the shadow's, as it goes
    ends: dict[str, int] = field(default_factory=dict)  # each log's end at the start
    upstreams: tuple[str, ...] = ()
    events: int | None = None
    finished_at: str | None = None
    error: HuiwuError | None = None
    finished: threading.Event = field(default_factory=threading.Event, repr=False)
    stop_asked: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "reading": self.reading,
            "replayed": dict(self.replayed),
            "skipped": dict(self.skipped),
            "resumed": dict(self.resumed),
            "positions": dict(self.positions),
            "ends": dict(self.ends) if len(self.ends) == len(self.upstreams) else {},
            "events": self.events,
            "error": type(self.error).__name__ if self.error else None,
            "message": self.error.message if self.error else None,
        }


class Interrupted(Exception):
    """The rebuild was asked to stop; its shadow is kept, to be resumed."""


class RebuildFailed(Exception):
    """Why a rebuild stopped; carries the error its caller is answered with."""

    def __init__(self, error: HuiwuError) -> None:
        super().__init__(error.message)
        self.error = error


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class AuditRebuild:
    """Starts a rebuild in the background, one at a time, and tells how it goes."""

    def __init__(
        self,
        live: ProjectionSink,
        shadow: ProjectionSink,
        trail: AuditTrail,
        consumer: TrackingConsumer,
        lock: RebuildLock,
        failpoints: Failpoints = NONE,
        log_end: Callable[[str], int] | None = None,
    ) -> None:
        self.live = live
        self.shadow = shadow
        self.trail = trail
        self.consumer = consumer
        self.lock = lock
        self.failpoints = failpoints
        self.log_end = log_end  # how far each log goes, for the progress shown
        self._guard = threading.Lock()
        self._last: RebuildRun | None = None

    @property
    def last(self) -> RebuildRun | None:
        """The rebuild running now, else the last one since the process started."""
        return self._last

    def start(self, spawn: Callable[[Callable[[], None]], Any], fresh: bool = False) -> RebuildRun:
        """Begin a rebuild in a thread made by `spawn`, resuming what an earlier one left
        in the shadow unless `fresh`; Conflict if one is running."""
        with self._guard:
            if self._last is not None and self._last.state == RUNNING:
                raise Conflict(
                    f"a rebuild of the audit trail is running since {self._last.started_at} "
                    "(GET /audit/rebuild follows it); start another once it has finished"
                )
            try:
                taken = self.lock.acquire()
            except Exception as exc:  # noqa: BLE001 - the store is down: nothing was started
                raise Unavailable(
                    f"cannot rebuild: the store cannot be reached ({type(exc).__name__}: {exc})"
                ) from exc
            if not taken:
                raise Conflict(
                    "another reporting process is rebuilding the audit trail; "
                    "start another once it has finished"
                )
            run = RebuildRun(id=str(uuid.uuid4()), started_at=_now())
            self._last = run
        try:
            spawn(lambda: self._run(run, fresh))
        except BaseException:
            self._finish(run, FAILED, Unavailable("the rebuild could not be started"))
            raise
        return run

    def wait(self, run: RebuildRun, seconds: float) -> RebuildRun:
        run.finished.wait(seconds)
        return run

    def interrupt(self) -> RebuildRun:
        """Ask the running rebuild to stop after its current page; Conflict if none runs."""
        with self._guard:
            run = self._last
            if run is None or run.state != RUNNING:
                raise Conflict("no rebuild of the audit trail is running")
            run.stop_asked.set()
        return run

    # -- the rebuild ----------------------------------------------------------------
    def _run(self, run: RebuildRun, fresh: bool) -> None:
        try:
            if fresh:
                self.shadow.reset()
            run.resumed = {u: p for u, p in self.shadow.positions().items() if p > 0}
            run.positions = dict(run.resumed)
            self._ask_ends(run)
            for upstream in self.consumer.upstreams:
                self._fill(run, upstream)
            if run.stop_asked.is_set():
                raise Interrupted()
            self.shadow.before_take_over()
            self._take_over(run)
        except Interrupted:
            log.info("audit rebuild %s interrupted; the next one resumes it", run.id)
            self._finish(run, INTERRUPTED)
        except RebuildFailed as failed:
            log.warning("audit rebuild %s failed: %s", run.id, failed.error.message)
            self._finish(run, FAILED, failed.error)
        except Exception as exc:  # noqa: BLE001 - answered as 503; the trail is untouched
            log.exception("audit rebuild %s failed", run.id)
            self._finish(
                run,
                FAILED,
                Unavailable(
                    f"the rebuild failed ({type(exc).__name__}: {exc}); "
                    "the audit trail is unchanged; see the reporting log"
                ),
            )
        except BaseException:  # the service is stopping and ends this thread
            self.lock.release()
            raise
        else:
            try:
                run.events = self.trail.count()
            except Exception:  # noqa: BLE001 - the swap is committed; only the count is missing
                log.warning("audit rebuild %s: done, but the trail could not be counted", run.id)
            log.info("audit rebuild %s done: %s events", run.id, run.events)
            self._finish(run, DONE)

    def _ask_ends(self, run: RebuildRun) -> None:
        """Ask each log's end, for the progress shown, each in a thread of its own: the
        replay does not wait for the answers (an upstream may be slow to give one)."""
        run.upstreams = self.consumer.upstreams
        if self.log_end is None:
            return

        def ask(upstream: str) -> None:
            try:
                run.ends[upstream] = self.log_end(upstream)
            except Exception as exc:  # noqa: BLE001 - only the progress shown is missing
                log.info("audit rebuild: %s's log end unknown (%s)", upstream, exc)

        for upstream in run.upstreams:
            threading.Thread(target=ask, args=(upstream,), daemon=True).start()

    def _finish(self, run: RebuildRun, state: str, error: HuiwuError | None = None) -> None:
        # A failed or interrupted run leaves its shadow to the next one, which resumes it.
        self.lock.release()
        with self._guard:
            run.state, run.error, run.reading, run.finished_at = state, error, None, _now()
        run.finished.set()

    def _fill(self, run: RebuildRun, upstream: str, interruptible: bool = True) -> None:
        """Replay `upstream`'s log into the shadow, from its position to the end."""
        run.reading = upstream
        start = self.shadow.position(upstream) + 1
        while True:
            page = self._read(upstream, start, PAGE)
            if interruptible and run.stop_asked.is_set():  # asked while the page was read
                raise Interrupted()
            if not page:
                return
            self._apply(run, upstream, page)
            start = page[-1].notification_id + 1
            run.positions[upstream] = page[-1].notification_id
            self.failpoints.hit("audit_rebuild.after_page")
            if len(page) < PAGE:
                return
            time.sleep(0)  # let readers and the live consumer run between pages

    def _read(self, upstream: str, start: int, limit: int) -> list[Envelope]:
        try:
            page = [
                data if isinstance(data, Envelope) else envelopes.parse(data)
                for data in self.consumer.fetch(upstream, start, limit)
            ]
        except Exception as exc:  # noqa: BLE001 - any failure means the log cannot be read now
            raise RebuildFailed(
                Unavailable(
                    f"cannot rebuild: the notification log of {upstream} could not be read "
                    f"from #{start} ({type(exc).__name__}: {exc}); the audit trail is "
                    f"unchanged; make sure {upstream} is up (huiwu up) and run the rebuild "
                    "again: it resumes where this one stopped"
                )
            ) from exc
        strangers = {e.service for e in page} - {upstream}
        if strangers:
            raise RebuildFailed(
                Unavailable(f"the log of {upstream} answered events of {sorted(strangers)}")
            )
        return page

    def _apply(self, run: RebuildRun, upstream: str, page: list[Envelope]) -> None:
        """Page by page, like the live consumer; a payload failing its schema is left out,
        as the live consumer dead-lettered it (not sent to the dead letters again)."""
        catalog = self.consumer.catalogs[upstream]
        items: list[tuple[Envelope, dict[str, Any]]] = []
        for envelope in page:
            try:
                items.append(
                    (envelope, catalog.load_incoming(envelope.event_type, envelope.payload))
                )
            except (ValidationError, UnknownEventType):
                if items:
                    self.shadow.apply_page(items)
                    items = []
                self.shadow.skip(upstream, envelope.notification_id)
                run.skipped[upstream] = run.skipped.get(upstream, 0) + 1
        if items:
            self.shadow.apply_page(items)
        run.replayed[upstream] = run.replayed.get(upstream, 0) + len(page)

    def _take_over(self, run: RebuildRun) -> None:
        """The last catch-up of the shadow and the swap, with the live consumer held."""
        upstreams = self.consumer.upstreams
        for _ in range(TAKE_OVER_ATTEMPTS):
            with ExitStack() as held:
                for upstream in upstreams:
                    held.enter_context(self.consumer.lock(upstream))
                for upstream in upstreams:  # a short last catch-up: not interrupted
                    self._fill(run, upstream, interruptible=False)
                run.reading = None
                self.failpoints.hit("audit_rebuild.before_swap")
                try:
                    self.live.take_over(self.shadow)
                    return
                except ShadowBehind as behind:  # another replica applied more meanwhile
                    log.info("audit rebuild %s: catching up again (%s)", run.id, behind)
        raise RebuildFailed(
            Conflict(
                "the live audit trail kept moving past the rebuilt one; "
                "the audit trail is unchanged; try again"
            )
        )
