"""What importing a plan means to the application: the changes a sheet asks for, and why
rows are refused. The spreadsheet format itself is exchange.py's (an adapter)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from services.common.imports import ImportRejected, RowError

__all__ = ["ImportRejected", "RowError", "Sheet", "SheetReader"]


class Sheet(Protocol):
    """A read sheet: the changes of every row ({row, code, owner?, due_on?, progress?}),
    or, when any row does not fit, only the errors."""

    changes: list[dict[str, Any]]
    errors: list[RowError]


class SheetReader(Protocol):
    def __call__(
        self, data: bytes, codes: Iterable[str] | None, members: Iterable[str] | None
    ) -> Sheet: ...
