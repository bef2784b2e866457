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

    def apply_page(self, items: list[tuple[Envelope, dict[str, Any]]]) -> None:
        """A page of one upstream's log: each sink takes what of it is past its own
        position, in one transaction of its own. If one fails, the consumer applies the
        page one event at a time, and each sink skips what it has."""
        upstream = items[0][0].service
        applied = False
        for sink in self.sinks:
            position = sink.position(upstream)
            ahead = [item for item in items if item[0].notification_id > position]
            if not ahead:
                continue
            apply_page = getattr(sink, "apply_page", None)
            if apply_page is not None and len(ahead) > 1:
                apply_page(ahead)
            else:
                for envelope, payload in ahead:
                    sink.apply(envelope, payload)
            applied = True
        if not applied:
            raise AlreadyTracked(f"{upstream} #{items[0][0].notification_id}")

    def replay(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        for sink in self.sinks:
            sink.replay(envelope, payload)

    def skip(self, upstream: str, notification_id: int) -> None:
        for sink in self.sinks:
            if sink.position(upstream) < notification_id:
                sink.skip(upstream, notification_id)
