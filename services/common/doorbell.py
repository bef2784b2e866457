"""A doorbell between a writer and background workers: `ring()` after a commit wakes every
listener at once; a listener's `wait(timeout)` also returns after `timeout` seconds of
quiet, so each worker runs on a timer too."""

from __future__ import annotations

import threading


class Listener:
    def __init__(self) -> None:
        self._rung = threading.Event()

    def wake(self) -> None:
        self._rung.set()

    def wait(self, timeout: float) -> bool:
        """True if rung (since the last wait), False after `timeout` seconds of quiet."""
        rung = self._rung.wait(timeout)
        self._rung.clear()
        return rung


class Doorbell:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def listener(self) -> Listener:
        """A new listener, for one worker: each hears every ring."""
        listener = Listener()
        with self._lock:
            self._listeners.append(listener)
        return listener

    def ring(self) -> None:
        for listener in self._listeners:
            listener.wake()
