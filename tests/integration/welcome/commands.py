"""The commands welcome takes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SendWelcome:
    note: str
