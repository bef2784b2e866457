"""Loading requests into typed commands and queries, and who gives them.

A request body (or query string) is loaded by a schema whose `@post_load` returns the
frozen dataclass named by its `command` attribute; use cases take those, never dicts.
Who acts (the token's holder, and whom they act for) and the request's correlation id
are not part of the command: the edge loads them apart (`Caller`) and builds the
`CommandContext` (docs/architecture.md, "Write").
"""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import RAISE, Schema, post_load

from .fields import text, token

CALLER_FIELDS = ("actor", "on_behalf_of", "correlation_id")


class Loads(Schema):
    """Base of request schemas: unknown fields are refused by name; loads a dataclass."""

    class Meta:
        unknown = RAISE

    command: ClassVar[type]

    @post_load
    def _to_command(self, data: dict[str, Any], **_: Any) -> Any:
        return self.command(
            **{key: tuple(v) if isinstance(v, list) else v for key, v in data.items()}
        )


class Caller(Schema):
    """For whom a command is given, when not for its token's holder, and the request it
    belongs to."""

    class Meta:
        unknown = RAISE

    on_behalf_of = text(200, load_default=None)
    correlation_id = token(100, load_default=None)
