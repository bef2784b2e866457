"""What every command shares: the services' addresses, the actor, and how to print."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from functools import cached_property
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
    """What every command needs: where the services are, who acts, how to print."""

    settings: Settings
    actor: str
    json: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @cached_property
    def client(self) -> ServiceClient:
        return ServiceClient(self.settings)

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def show(self, data: Any, text: str) -> int:
        """Print the raw JSON with --json, else the text for people; exit 0."""
        if self.json:
            output.emit_json(data, self.out)
        else:
            self.print(text)
        return 0


def today_in(timezone: str = DEFAULT_TIMEZONE) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()
