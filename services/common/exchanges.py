"""The exchanges a service publishes on (docs/architecture.md, "Publish").

- `<service>.events`: every event, routing key its type, for outside subscribers.
- `<service>.doorbell`: one message per published batch, for the services that follow it
  (they read the log itself): the batch's last envelope, with the header
  `first_notification_id`. A follower's queue is bound here alone.
"""

from __future__ import annotations

FIRST_NOTIFICATION_ID = "first_notification_id"


def events_exchange(service: str) -> str:
    return f"{service}.events"


def doorbell_exchange(service: str) -> str:
    return f"{service}.doorbell"


def upstream_of(exchange: str) -> str:
    """The service that publishes on `exchange`."""
    return exchange.removesuffix(".events").removesuffix(".doorbell")
