"""Errors a caller caused and can correct. They say what is wrong, never how to answer:
the HTTP edge maps each kind to one status code (`http.STATUS`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class HuiwuError(Exception):
    """Base of the errors of every service; `field` names the command field at fault."""

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
    """The command is well-formed but names something that cannot be used."""


class NotFound(HuiwuError):
    """What the command or query names does not exist."""


class Conflict(HuiwuError):
    """The command is refused by the current state of what it changes."""


class Unavailable(HuiwuError):
    """Something the command needs is down; retry once it is back."""


class Unauthenticated(HuiwuError):
    """The request carries no token, or one that is unknown, expired or revoked."""


class Forbidden(HuiwuError):
    """The token's holder may not give this command, or not about this conference or entry."""

    def __init__(self, message: str, command: str, roles: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.command = command
        self.roles = roles

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "command": self.command, "roles": list(self.roles)}


class TooLarge(HuiwuError):
    """The request body is larger than the edge takes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes", field="_body")
        self.limit = limit

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "limit": self.limit}


class WrongMediaType(HuiwuError):
    """The body is not of the content type the command reads."""


@contextmanager
def about(field: str) -> Iterator[None]:
    """Name the command field that a refusal from the domain is about: the domain knows
    its own rules, the use case knows which field of the command named the thing."""
    try:
        yield
    except HuiwuError as exc:
        if exc.field is None:
            exc.field = field
        raise
