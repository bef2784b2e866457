"""Errors every service shares; the HTTP edge maps each to one status code."""

from __future__ import annotations


class HuiwuError(Exception):
    """Base of errors that a caller caused and can correct."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": type(self).__name__, "message": self.message}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body


class InvalidCommand(HuiwuError):
    """The command is well-formed but names something that cannot be used (400)."""


class NotFound(HuiwuError):
    status = 404


class Unavailable(HuiwuError):
    """Something the command needs is down; retry once it is back (503)."""

    status = 503


class Conflict(HuiwuError):
    """The command is refused by the aggregate's current state (409)."""

    status = 409
