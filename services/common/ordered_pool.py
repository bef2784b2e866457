"""Pieces of work done by worker processes, their results taken in order.

A history is read and described page by page (a rebuild from the stores, a verification):
CPU work in Python, which one process does on one core. Here worker processes do the
pieces while the caller takes each result in the order of the pieces, never more than a
few ahead, so memory stays flat however many pieces there are.

A worker is made once per process by `start(*args)`: something called with each piece,
closed at the end. With no workers, this process does the pieces itself.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol


class Worker(Protocol):
    def __call__(self, piece: Any) -> Any: ...

    def close(self) -> None: ...


def cores(at_most: int = 2) -> int:
    """The worker processes worth starting here: one per core this process may use."""
    return max(1, min(at_most, len(os.sched_getaffinity(0))))


def ordered(
    start: Callable[..., Worker],
    args: tuple[Any, ...],
    pieces: Iterable[Any],
    workers: int,
    ahead: int = 2,
) -> Iterator[Any]:
    """The result of each piece, in the order of `pieces`; at most `ahead` pieces per
    worker are done before the caller takes them."""
    if workers <= 0:
        worker = start(*args)
        try:
            for piece in pieces:
                yield worker(piece)
        finally:
            worker.close()
        return
    # Forked, workers start at once with every module loaded, and open connections of
    # their own. A process with threads of its own spawns them (slower to start).
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_begin, initargs=(start, args)
    ) as pool:
        waiting: deque[concurrent.futures.Future[Any]] = deque()
        todo = iter(pieces)
        try:
            for piece in todo:
                waiting.append(pool.submit(_do, piece))
                if len(waiting) >= ahead * workers:
                    break
            while waiting:
                result = waiting.popleft().result()
                piece = next(todo, None)
                if piece is not None:
                    waiting.append(pool.submit(_do, piece))
                yield result
        finally:
            for future in waiting:
                future.cancel()


_worker: Worker | None = None


def _begin(start: Callable[..., Worker], args: tuple[Any, ...]) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    _worker = start(*args)


def _do(piece: Any) -> Any:
    assert _worker is not None
    return _worker(piece)
