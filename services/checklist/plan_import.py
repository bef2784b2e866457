"""What importing a plan means to the application: the changes a sheet asks for, and why
rows are refused. The spreadsheet format itself is exchange.py's (an adapter)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from services.common.errors import InvalidCommand


@dataclass(frozen=True)
class RowError:
    """Why one row (or the header, row 1; or the file, row None) does not fit."""

    row: int | None
    column: str | None
    reason: str
    cell: str | None = None

    def to_dict(self) -> dict[str, Any]:
        body = {"row": self.row, "column": self.column, "reason": self.reason}
        if self.cell:
            body["cell"] = self.cell
        return body

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column:
            where.append(self.column)
        return f"{', '.join(where) or 'file'}: {self.reason}"


class ImportRejected(InvalidCommand):
    """Rows of an uploaded plan do not fit; nothing was applied (every error listed)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the sheet; nothing was applied"
        )
        self.errors = list(errors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": "ImportRejected",
            "message": self.message,
            "errors": [e.to_dict() for e in self.errors],
        }


class Sheet(Protocol):
    """A read sheet: the changes of every row ({row, code, owner?, due_on?, progress?}),
    or, when any row does not fit, only the errors."""

    changes: list[dict[str, Any]]
    errors: list[RowError]


class SheetReader(Protocol):
    def __call__(
        self, data: bytes, codes: Iterable[str] | None, members: Iterable[str] | None
    ) -> Sheet: ...
