"""One consumer feeding two sinks: the policy's (events in budget's store) and a read
model's (rows in its tables). Each keeps its own tracking position, so each applies a
message once, whatever the other did: after a crash between the two, the message comes
again and only the one behind takes it; a read model emptied to rebuild reads the logs
from #1 while the policy skips what it has."""

from __future__ import annotations

from typing import Any

from services.common.consumer import AlreadyTracked, Sink
from services.common.envelope import Envelope


class BothSinks:
    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks

    def position(self, upstream: str) -> int:
        return min(sink.position(upstream) for sink in self.sinks)

    def apply(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        applied = False
        for sink in self.sinks:
            if sink.position(envelope.service) >= envelope.notification_id:
                continue
            try:
                sink.apply(envelope, payload)
                applied = True
            except AlreadyTracked:  # another replica was first for this one
                continue
        if not applied:
            raise AlreadyTracked(f"{envelope.service} #{envelope.notification_id}")

    def replay(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        for sink in self.sinks:
            sink.replay(envelope, payload)

    def skip(self, upstream: str, notification_id: int) -> None:
        for sink in self.sinks:
            if sink.position(upstream) < notification_id:
                sink.skip(upstream, notification_id)
