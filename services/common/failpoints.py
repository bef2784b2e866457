"""Named crash points for fault tests (HUIWU_FAILPOINTS="relay.before_publish").

A failpoint that is switched on kills the process with SIGKILL, the way a power cut or
the OOM killer would, so tests can prove that no committed event is lost.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable


class Failpoints:
    """The crash points switched on for this process (from Settings.failpoints)."""

    def __init__(self, enabled: Iterable[str] = ()) -> None:
        self.enabled = frozenset(enabled)

    def hit(self, name: str) -> None:
        if name in self.enabled:
            os.kill(os.getpid(), signal.SIGKILL)


NONE = Failpoints()
