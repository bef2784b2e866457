"""Plain-text tables and key/value blocks for people; JSON for tools."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO


def display_width(text: str) -> int:
    """Columns a terminal uses for text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns aligned by display width; the last column is not padded."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], display_width(value))
    lines = []
    for row in [list(headers), ["-" * w for w in widths], *cells]:
        padded = [pad(value, widths[i]) for i, value in enumerate(row[:-1])]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines)


def fields(pairs: Sequence[tuple[str, Any]]) -> str:
    """A key/value block, keys aligned."""
    width = max((len(key) for key, _ in pairs), default=0)
    return "\n".join(f"{key.ljust(width)}  {_cell(value)}".rstrip() for key, value in pairs)


def emit_json(data: Any, stream: TextIO) -> None:
    json.dump(data, stream, ensure_ascii=False, indent=2, sort_keys=True)
    stream.write("\n")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return str(value).replace("\n", " ")
