"""Work that outlives the request that started it (a rebuild), in green threads of the
service: a request answers at once or after a bounded wait, and the work is stopped with
the service rather than left running against a closed store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider


class Background(DependencyProvider):
    """Gives the entrypoints `spawn(work)`; kills what still runs when the service stops."""

    def setup(self) -> None:
        self._threads: set[Any] = set()

    def get_dependency(self, worker_ctx: Any) -> Callable[[Callable[[], None]], Any]:
        return self.spawn

    def spawn(self, work: Callable[[], None]) -> Any:
        thread = self.container.spawn_managed_thread(work)
        self._threads.add(thread)
        thread.link(lambda done: self._threads.discard(done))
        return thread

    def stop(self) -> None:
        # Before the store closes (the wiring stops after every dependency).
        for thread in list(self._threads):
            thread.kill()
        self._threads.clear()

    kill = stop
