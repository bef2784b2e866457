"""Named crash points for fault tests (HUIWU_FAILPOINTS="relay.before_publish").

A failpoint that is switched on kills the process with SIGKILL, the way a power cut or
the OOM killer would, so tests can prove that no committed event is lost.
"""

from __future__ import annotations

import os
import signal


def hit(name: str, enabled: str | None = None) -> None:
    enabled = os.environ.get("HUIWU_FAILPOINTS", "") if enabled is None else enabled
    if name in {part.strip() for part in enabled.split(",") if part.strip()}:
        os.kill(os.getpid(), signal.SIGKILL)
