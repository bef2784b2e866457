"""The secret key of a conference's check-in codes: one aggregate per conference, made the
first time a code is needed. The key stays in registration's store (`unpublished`);
CheckInCodesKeyed says when it was made."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from .ids import checkin_key_id


class CheckinKey(Aggregate):
    class CheckInCodesKeyed(Aggregate.Created):
        key_version: int
        secret: str
        meta: dict[str, Any]
        unpublished = ("secret",)

    @staticmethod
    def create_id(meta: dict[str, Any]) -> Any:
        return checkin_key_id(meta["conference_id"])

    @event(CheckInCodesKeyed)
    def __init__(self, key_version: int, secret: str, meta: dict[str, Any]) -> None:
        self.conference_id = meta["conference_id"]
        self.key_version = key_version
        # private: an aggregate's public attributes are what an as-of query shows auditors
        self._secret = secret

    @property
    def key(self) -> bytes:
        return bytes.fromhex(self._secret)
