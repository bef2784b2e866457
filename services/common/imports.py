"""Why rows of an uploaded sheet are refused: every error at once, by row and column, and
nothing applied. Shared by the services that import spreadsheets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InvalidCommand


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
    """Rows of an uploaded sheet do not fit; nothing was applied (every error listed)."""

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
