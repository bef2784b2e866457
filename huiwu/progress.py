"""A progress bar on a terminal: bytes sent while uploading, then the time spent waiting
for the answer. Drawn only when the stream is a terminal, so logs and pipes stay clean."""

from __future__ import annotations

import threading
import time
from typing import TextIO

WIDTH = 30
TICK = 0.2  # seconds between redraws while waiting


class Progress:
    def __init__(self, stream: TextIO, total: int, label: str) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.label = label
        self.shown = bool(getattr(stream, "isatty", lambda: False)())
        self._sent = 0
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def sent(self, count: int) -> None:
        """`count` more bytes went out; past the last, the bar turns into a waiting clock."""
        self._sent += count
        self._draw()
        if self._sent >= self.total and self.shown and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            self._draw()

    def _draw(self) -> None:
        if not self.shown:
            return
        done = min(self._sent / self.total, 1.0)
        filled = int(done * WIDTH)
        if done < 1:
            bar = "#" * filled + "-" * (WIDTH - filled)
            state = f"{done:4.0%} sent"
        else:
            # the answer takes as long as checking every row: show that it is alive
            position = int((time.monotonic() - self._started) / TICK) % WIDTH
            bar = "-" * position + "#" + "-" * (WIDTH - position - 1)
            state = "checking and storing"
        elapsed = time.monotonic() - self._started
        self.stream.write(f"\r{self.label} [{bar}] {state} {elapsed:5.1f}s")
        self.stream.flush()
