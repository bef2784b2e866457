"""The secret key of a conference's check-in codes: one aggregate per conference, made the
first time a code is needed, and replaced by a new version when an organizer rotates it
(a key leaked, a badge batch lost). The keys stay in registration's store (`unpublished`);
CheckInCodesKeyed and CheckInKeyRotated say when each was made.

Only the newest key's codes check in. The older keys are kept so that a scan of an old
badge is told apart from a forged code: the badge must be reprinted."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import InvalidCommand

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
        self._secrets = {key_version: secret}

    @property
    def key(self) -> bytes:
        """The newest key: the one codes are made and checked with."""
        return bytes.fromhex(self._secrets[self.key_version])

    def retired_keys(self) -> list[tuple[int, bytes]]:
        """The keys rotated out, newest first, with their versions."""
        return [
            (version, bytes.fromhex(secret))
            for version, secret in sorted(self._secrets.items(), reverse=True)
            if version != self.key_version
        ]

    # -- rotation -----------------------------------------------------------------------
    class CheckInKeyRotated(Aggregate.Event):
        key_version: int
        secret: str
        reason: str
        meta: dict[str, Any]
        unpublished = ("secret",)

        def apply(self, aggregate: CheckinKey) -> None:
            aggregate.key_version = self.key_version
            aggregate._secrets[self.key_version] = self.secret

    def rotate(self, secret: str, reason: str, meta: dict[str, Any]) -> None:
        """A new key, the next version: codes made with an older one no longer check in."""
        if not reason.strip():
            raise InvalidCommand("must say why the key is rotated", field="reason")
        if secret in self._secrets.values():
            raise InvalidCommand("must be a new secret, not one this key had", field="secret")
        self.trigger_event(
            self.CheckInKeyRotated,
            key_version=self.key_version + 1,
            secret=secret,
            reason=reason,
            meta=meta,
        )
