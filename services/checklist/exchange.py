"""The plan as a spreadsheet: export to XLSX and CSV, import owners, dates and progress back.

Pure: plan entry dicts (as the plan read model answers them) in, bytes out; bytes in,
changes or row errors out. No I/O besides that.

Columns, in this order (the header row carries the labels of the chosen language; on import
a column is found by its key, its English label or its Chinese label, in any order). Marked
* are editable; the others are read-only:

    key                en / zh                           on import
    code               Code / 编号                       required: names the entry
    section            Section / 章节
    title              Title / 事项                      in the chosen language
    phase              Phase / 阶段
    owner_role         Owner role / 负责角色
    owner *            Owner (member id) / 负责人(成员编号)  a team member's id; empty: as is
    owner_name         Owner name / 负责人姓名
    due_on *           Due on / 截止日期                 a date (a date cell or YYYY-MM-DD)
    opens_on           Window opens / 开始日期           continuous work: from then to due_on
    after              After / 前置事项                  codes of the entries it depends on
    status             Status / 状态
    progress_state *   Progress / 进度状态               not_started|in_progress|blocked|done
    progress_percent * Percent / 完成百分比              a whole number from 0 to 100
    progress_note *    Progress note / 进度说明          text; empty means no note
    verification       Verification / 核验方式           the rule, or the named proofs
    proofs             Proofs / 凭证数                   how many proofs verify it now
    flags              Flags / 标记                      a proof it does not name, and why

Import rules:

- Read-only columns may be changed, moved or deleted: they are ignored. An editable column
  that is absent leaves that value as it is; `code` must be present.
- Rows without any value are skipped. Every other row needs a code of the plan, once.
- A row that does not fit is reported by row (as the spreadsheet numbers it; the header is
  row 1), column key and reason, with its cell; when there is any, nothing is applied.
- Status, phase and progress state are written as their keys in both languages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .events import PROGRESS_STATES
from .plan_import import RowError
from .proofs import named_proofs, proof_text
from .rules import describe_where

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SHEET = "plan"
LANGUAGES = ("en", "zh")
MAX_BYTES = 10 * 1024 * 1024  # an uploaded workbook
MAX_ROWS = 10_000  # a plan has a few hundred entries
MAX_NOTE = 2000  # as the RecordProgress command allows


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    zh: str
    width: int
    editable: bool = False

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


COLUMNS: tuple[Column, ...] = (
    Column("code", "Code", "编号", 10),
    Column("section", "Section", "章节", 8),
    Column("title", "Title", "事项", 60),
    Column("phase", "Phase", "阶段", 9),
    Column("owner_role", "Owner role", "负责角色", 14),
    Column("owner", "Owner (member id)", "负责人(成员编号)", 24, editable=True),
    Column("owner_name", "Owner name", "负责人姓名", 14),
    Column("due_on", "Due on", "截止日期", 12, editable=True),
    Column("opens_on", "Window opens", "开始日期", 13),
    Column("after", "After", "前置事项", 20),
    Column("status", "Status", "状态", 12),
    Column("progress_state", "Progress", "进度状态", 13, editable=True),
    Column("progress_percent", "Percent", "完成百分比", 11, editable=True),
    Column("progress_note", "Progress note", "进度说明", 40, editable=True),
    Column("verification", "Verification", "核验方式", 50),
    Column("proofs", "Proofs", "凭证数", 8),
    Column("flags", "Flags", "标记", 30),
)
KEYS = tuple(c.key for c in COLUMNS)
EDITABLE = tuple(c.key for c in COLUMNS if c.editable)


# -- export ---------------------------------------------------------------------------


def rows(entries: Iterable[Mapping[str, Any]], lang: str = "en") -> list[list[Any]]:
    """One list of cell values per entry, in the order of COLUMNS; dates as dates."""
    return [[_value(entry, key, lang) for key in KEYS] for entry in entries]


def header(lang: str = "en") -> list[str]:
    return [c.label(lang) for c in COLUMNS]


def _value(entry: Mapping[str, Any], key: str, lang: str) -> Any:
    owner = entry.get("owner") or {}
    # The editable columns carry progress as people recorded it, so that an export
    # imported back unchanged changes nothing, whatever the entry's status shows.
    progress = entry.get("recorded_progress") or entry.get("progress") or {}
    if key == "section":
        return entry.get("section") or str(entry["code"]).split(".")[0]
    if key == "title":
        return entry.get("title_zh" if lang == "zh" else "title_en") or entry.get("title")
    if key == "owner":
        return owner.get("member_id")
    if key == "owner_name":
        return owner.get("name")
    if key in ("opens_on", "due_on"):
        return dt.date.fromisoformat(entry[key]) if entry.get(key) else None
    if key == "after":
        return ", ".join(entry.get("after") or []) or None
    if key.startswith("progress_"):
        return progress.get(key.removeprefix("progress_"))
    if key == "verification":
        return verification_text(entry.get("verification") or {}, entry.get("target"), lang)
    if key == "proofs":
        return len(entry.get("proofs") or [])
    if key == "flags":
        return flags_text(entry.get("proofs") or [], lang)
    return entry.get(key)


def flags_text(proofs: Iterable[Mapping[str, Any]], lang: str = "en") -> str | None:
    """Proofs the entry does not name, with the reason they were accepted."""
    label = "非指定凭证" if lang == "zh" else "unnamed proof"
    reasons = [f"{label}: {p.get('reason')}" for p in proofs if p.get("off_list")]
    return "; ".join(reasons) or None


def verification_text(verification: Mapping[str, Any], target: Any, lang: str = "en") -> str:
    """How the entry is verified, in a line: its rule, or the proofs it names."""
    zh = lang == "zh"
    rule = verification.get("rule")
    if not rule:
        named = "; ".join(proof_text(p, zh) for p in named_proofs(verification))
        return f"{'凭证' if zh else 'evidence'}: {named}"
    where = describe_where(rule.get("where") or {})
    where = f" ({where})" if where else ""
    if rule.get("count"):
        spec = rule.get("at_least")
        at_least = target if target is not None else spec
        if isinstance(at_least, Mapping):
            share = at_least.get("ratio") or at_least.get("setting")
            at_least = f"{share} × {at_least['ratio_of']}" if "ratio_of" in at_least else share
        setting = spec.get("setting") if isinstance(spec, Mapping) else None
        named = (
            f" ({'设置' if zh else 'setting'} {setting})" if setting and target is not None else ""
        )
        text = f"{rule['count']}{where} ≥ {at_least}{named}"
    elif rule.get("for_all"):
        required = describe_where(rule.get("require_where") or {})
        required = f" ({required})" if required else ""
        paired = f" by {rule['pair_by']}" if rule.get("pair_by") else ""
        undone = rule.get("undone_by") or []
        again = f" ({'撤销于' if zh else 'undone by'} {', '.join(undone)})" if undone else ""
        text = f"{rule['for_all']}{where} → {rule.get('require')}{required}{paired}{again}"
    else:
        text = f"{rule.get('event')}{where}"
    return f"{'规则' if zh else 'rule'}: {text}"


def build_csv(entries: Iterable[Mapping[str, Any]], lang: str = "en") -> bytes:
    """UTF-8 with a byte order mark, so that Excel shows Chinese; dates as YYYY-MM-DD."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header(lang))
    for row in rows(entries, lang):
        writer.writerow(["" if v is None else v.isoformat() if _is_date(v) else v for v in row])
    return text.getvalue().encode("utf-8-sig")


def build_xlsx(entries: Iterable[Mapping[str, Any]], lang: str = "en", title: str = "") -> bytes:
    """One sheet "plan": frozen header, editable columns marked, widths set, real dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    if title:
        workbook.properties.title = title[:255]
    sheet.append(header(lang))
    body = rows(entries, lang)
    for row in body:
        sheet.append(row)
    bold = Font(bold=True)
    editable_fill = PatternFill("solid", fgColor="FFF2CC")
    read_only_fill = PatternFill("solid", fgColor="D9E1F2")
    last_row = max(len(body) + 1, 2)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.fill = editable_fill if column.editable else read_only_fill
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("opens_on", "due_on"):
            for (date_cell,) in sheet.iter_rows(
                min_row=2, max_row=len(body) + 1, min_col=index, max_col=index
            ):
                date_cell.number_format = "yyyy-mm-dd"
        if column.key == "progress_state":
            states = DataValidation(
                type="list", formula1=f'"{",".join(PROGRESS_STATES)}"', allow_blank=True
            )
            states.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(states)
        if column.key == "progress_percent":
            percent = DataValidation(
                type="whole", operator="between", formula1="0", formula2="100", allow_blank=True
            )
            percent.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(percent)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(body) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date)


# -- import ---------------------------------------------------------------------------


@dataclass
class Parsed:
    """The changes of a sheet, or, when any row does not fit, only the errors."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0  # rows read, not counting the header and empty rows

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_xlsx(
    data: bytes,
    codes: Iterable[str] | None = None,
    members: Iterable[str] | None = None,
) -> Parsed:
    """Read the sheet "plan" (else the first one) of an uploaded workbook.

    With `codes` (the plan's entry codes) and `members` (the team's member ids), a code or
    an owner that is not among them is an error of its row.
    """
    if len(data) > MAX_BYTES:
        return _failed(None, None, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.startswith(b"PK\x03\x04"):
        return _failed(None, None, "not an XLSX workbook (export one with the plan.xlsx link)")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        return _failed(None, None, f"not a readable XLSX workbook: {exc}")
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        return parse_rows(values, codes, members)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        return _failed(None, None, f"not a readable XLSX workbook: {exc}")
    finally:
        workbook.close()


def parse_rows(
    values: Iterable[Sequence[Any]],
    codes: Iterable[str] | None = None,
    members: Iterable[str] | None = None,
) -> Parsed:
    """The rows of a sheet, the header first, as cell values."""
    known_codes = None if codes is None else set(codes)
    known_members = None if members is None else set(members)
    values = iter(values)
    first = next(values, None)
    if first is None:
        return _failed(1, None, "the sheet is empty; the first row must be the header")
    columns, errors = _columns(first)
    if errors:
        return Parsed(errors=errors)
    parsed = Parsed()
    seen: dict[str, int] = {}
    for number, row in enumerate(values, start=2):
        if number > MAX_ROWS + 1:
            parsed.errors.append(RowError(number, None, f"more than {MAX_ROWS} rows"))
            break
        cells = {key: (row[i] if i < len(row) else None) for key, i in columns.items()}
        if all(_blank(v) for v in row or ()):
            continue
        parsed.rows += 1
        change, row_errors = _row(number, cells, columns, known_codes, known_members, seen)
        parsed.errors.extend(row_errors)
        if change is not None:
            parsed.changes.append(change)
    if parsed.errors:
        parsed.changes = []
    return parsed


def _failed(row: int | None, column: str | None, reason: str) -> Parsed:
    return Parsed(errors=[RowError(row, column, reason)])


def _normal(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


_NAMES = {_normal(name): c.key for c in COLUMNS for name in (c.key, c.en, c.zh)}


def _columns(first: Sequence[Any]) -> tuple[dict[str, int], list[RowError]]:
    """Where each known column is; unknown header cells are ignored."""
    from openpyxl.utils import get_column_letter

    columns: dict[str, int] = {}
    errors = []
    for index, label in enumerate(first):
        if _blank(label):
            continue
        key = _NAMES.get(_normal(label))
        if key is None:
            continue
        if key in columns:
            a, b = get_column_letter(columns[key] + 1), get_column_letter(index + 1)
            errors.append(RowError(1, key, f"the column appears twice ({a} and {b})"))
            continue
        columns[key] = index
    if "code" not in columns:
        errors.append(RowError(1, "code", "no code column in the header row (Code, 编号 or code)"))
    return columns, errors


def _row(
    number: int,
    cells: dict[str, Any],
    columns: dict[str, int],
    codes: set[str] | None,
    members: set[str] | None,
    seen: dict[str, int],
) -> tuple[dict[str, Any] | None, list[RowError]]:
    from openpyxl.utils import get_column_letter

    errors: list[RowError] = []

    def fail(key: str, reason: str) -> None:
        cell = f"{get_column_letter(columns[key] + 1)}{number}"
        errors.append(RowError(number, key, reason, cell))

    code = _text(cells["code"])
    if not code:
        fail("code", "empty; every row needs the code of its entry")
    elif not re.fullmatch(r"\d+\.\d+\.\d+", code):
        fail("code", f"not an entry code: {code!r}")
    elif codes is not None and code not in codes:
        fail("code", f"no entry {code} in this plan")
    elif code in seen:
        fail("code", f"entry {code} is also in row {seen[code]}")
    else:
        seen[code] = number
    change: dict[str, Any] = {"row": number, "code": code}
    progress: dict[str, Any] = {}

    if "owner" in columns:
        owner = _text(cells["owner"])
        if owner and members is not None and owner not in members:
            fail("owner", f"no team member {owner!r} in this conference")
        elif owner:
            change["owner"] = owner
    if "due_on" in columns:
        value = cells["due_on"]
        due = _date(value)
        if _blank(value):
            fail("due_on", "empty; give a date as YYYY-MM-DD")
        elif due is None:
            fail("due_on", f"not a date: {_shown(value)} (write YYYY-MM-DD)")
        else:
            change["due_on"] = due
    if "progress_state" in columns:
        state = _text(cells["progress_state"])
        if state not in PROGRESS_STATES:
            got = f"; got {_shown(cells['progress_state'])}" if state else ", not empty"
            fail("progress_state", f"must be one of {', '.join(PROGRESS_STATES)}{got}")
        else:
            progress["state"] = state
    if "progress_percent" in columns:
        percent = _percent(cells["progress_percent"])
        if percent is None:
            value = cells["progress_percent"]
            got = "empty" if _blank(value) else f"got {_shown(value)}"
            fail("progress_percent", f"must be a whole number from 0 to 100; {got}")
        else:
            progress["percent"] = percent
    if "progress_note" in columns:
        note = _text(cells["progress_note"]) or None
        if note is not None and len(note) > MAX_NOTE:
            fail("progress_note", f"longer than {MAX_NOTE} characters ({len(note)})")
        else:
            progress["note"] = note
    if progress:
        change["progress"] = progress
    return (None if errors else change), errors


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip().replace("/", "-")
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _percent(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        value = int(text) if re.fullmatch(r"\d{1,3}", text) else None
    if isinstance(value, int) and 0 <= value <= 100:
        return value
    return None
