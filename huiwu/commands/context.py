"""What every command shares: the services' addresses, the token, and how to print."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from services.common.config import Settings

from .. import output
from ..client import ServiceClient

DEFAULT_TIMEZONE = "Asia/Shanghai"


class UsageError(Exception):
    """An argument is wrong in a way the parser cannot see (exit 2)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Context:
    """What every command needs: where the services are, whose token, how to print."""

    settings: Settings
    token: str | None = None
    on_behalf_of: str | None = None  # whom the token's holder acts for, if not themselves
    json: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @cached_property
    def client(self) -> ServiceClient:
        return ServiceClient(self.settings, token=self.token)

    def caller(self) -> dict[str, str]:
        """The caller's fields of a command's body: whom it is given for, if anyone."""
        return {"on_behalf_of": self.on_behalf_of} if self.on_behalf_of else {}

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def save(self, body: bytes, output: str | None, default: str) -> Path | None:
        """Write a download to `output` (`default` when not given), or to stdout for `-`
        (then None); a file that cannot be written is a usage error naming --output."""
        if output == "-":
            stream = getattr(self.out, "buffer", None) or sys.stdout.buffer
            stream.write(body)
            stream.flush()
            return None
        path = Path(output or default)
        try:
            path.write_bytes(body)
        except OSError as exc:
            raise UsageError("--output", f"cannot write {path}: {exc.strerror or exc}") from None
        return path

    def show(self, data: Any, text: str) -> int:
        """Print the raw JSON with --json, else the text for people; exit 0."""
        if self.json:
            output.emit_json(data, self.out)
        else:
            self.print(text)
        return 0


def today_in(timezone: str = DEFAULT_TIMEZONE) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()
