"""The plan template, as data, validated when it is loaded.

Two layouts: `conference.yaml` (sections > items > entries, with profiles and
cross-references) and a flat list of `entries` (small templates such as `starter.yaml`).
Either may declare `settings` that its rules refer to (settings.py). A mistake is
reported with the file, the entry code (or setting) and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from . import schedule
from .events import EVIDENCE_KINDS, OWNER_ROLES, PHASES, PROFILES
from .rules import OPERATORS, CountRule, Rule, RuleIndex, rule_from_dict
from .schedule import Mark
from .settings import KINDS, NAME, Setting, SettingError, declared
from .settings import values as setting_values

TEMPLATES = Path(__file__).parent / "templates"
EVENT_KEY = validate.Regexp(r"^[a-z]+\.[A-Z]\w+$", error="must look like service.EventType")
CODE = r"^\d+(\.\d+){0,2}$"
ENTRY_CODE = r"^\d+\.\d+\.\d+$"


class TemplateError(ValueError):
    pass


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Mark(_Strict):
    milestone = fields.String(required=True, validate=validate.OneOf(["start", "end", "entry"]))
    entry = fields.String(load_default=None)
    offset_days = fields.Integer(required=True, strict=True)

    @validates_schema
    def _anchor(self, data: dict[str, Any], **_: Any) -> None:
        if (data["milestone"] == "entry") != bool(data.get("entry")):
            raise ValidationError("give `entry` exactly when milestone is entry", "entry")


# A profile's own offset_days (`academic: -300`), where its plan needs another date.
_ProfileOffsets = _Strict.from_dict(
    {profile: fields.Integer(strict=True) for profile in PROFILES}, name="_ProfileOffsets"
)


class _Due(_ProfileOffsets):
    """A `_Mark`, or a day of the calendar: `{milestone: date, month: 12, day: 15}`."""

    milestone = fields.String(
        required=True, validate=validate.OneOf(["start", "end", "entry", "date"])
    )
    entry = fields.String(load_default=None)
    offset_days = fields.Integer(strict=True)
    month = fields.Integer(strict=True, validate=validate.Range(1, 12))
    day = fields.Integer(strict=True, validate=validate.Range(1, 31))

    @validates_schema
    def _one_kind(self, data: dict[str, Any], **_: Any) -> None:
        if data["milestone"] != "date":
            _Mark().load({k: data[k] for k in ("milestone", "entry", "offset_days") if k in data})
            if "month" in data or "day" in data:
                raise ValidationError("month and day are for milestone date", "month")
            return
        if "month" not in data or "day" not in data:
            raise ValidationError("milestone date needs month and day", "month")
        extra = sorted(k for k in ("entry", "offset_days", *PROFILES) if data.get(k) is not None)
        if extra:
            raise ValidationError(f"milestone date takes month and day only, not {extra}")
        try:  # any year but a leap year's 29 February: the date must come every year
            dt.date(2027, data["month"], data["day"])
        except ValueError:
            raise ValidationError("no such day in every year", "day") from None


class _Target(_Strict):
    ratio_of = fields.String(validate=validate.OneOf(["expected_attendance"]))
    ratio = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    setting = fields.String(validate=validate.Regexp(NAME, error="must be a setting's name"))

    @validates_schema
    def _one_source(self, data: dict[str, Any], **_: Any) -> None:
        if "ratio_of" not in data:
            if set(data) != {"setting"}:
                raise ValidationError("give {setting}, or {ratio_of} with ratio or setting")
        elif ("ratio" in data) == ("setting" in data):
            raise ValidationError("with ratio_of, give exactly one of ratio or setting")


class _AtLeast(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        if isinstance(value, dict):
            return _Target().load(value)
        raise ValidationError(
            "must be a whole number >= 1, {setting}, or {ratio_of} with ratio or setting"
        )


class _Number(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError(f"must be a number, not {value!r}")
        return value


class _Setting(_Strict):
    type = fields.String(required=True, validate=validate.OneOf(KINDS))
    default = _Number(required=True)
    min = _Number(required=True)
    max = _Number(required=True)
    description_zh = fields.String(required=True, validate=validate.Length(min=1))
    description_en = fields.String(required=True, validate=validate.Length(min=1))


class _Condition(fields.Field):
    """A `where` value: a plain value (equality; for a list field, membership), or one
    comparison: `{in: [a, b]}`, `{all: [a, b]}`, `{"!=": x}`, `{">=": n}`, `{"<=": n}`
    (rules.Compare)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            if isinstance(value, list):
                raise ValidationError("a list is not a value: use {in: [...]} for one of several")
            return value
        if len(value) != 1 or next(iter(value)) not in OPERATORS:
            raise ValidationError(
                f"a comparison is one of {', '.join(OPERATORS)} with its operand, "
                f"as {{in: [a, b]}} or {{'>=': 3}}; not {value!r}"
            )
        ((op, operand),) = value.items()
        if op in ("in", "all") and (not isinstance(operand, list) or not operand):
            raise ValidationError(f"`{op}` takes a list of one value or more")
        if op in (">=", "<=") and (
            isinstance(operand, bool) or not isinstance(operand, (int, float))
        ):
            raise ValidationError(f"`{op}` compares numbers: give a number")
        return value


class _Rule(_Strict):
    event = fields.String(validate=EVENT_KEY)
    count = fields.String(validate=EVENT_KEY)
    for_all = fields.String(validate=EVENT_KEY)
    where = fields.Dict(keys=fields.String(), values=_Condition(), load_default=dict)
    require_where = fields.Dict(keys=fields.String(), values=_Condition(), load_default=dict)
    pair_by = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z_]+$"))
    compensated_by = fields.List(fields.String(validate=EVENT_KEY), load_default=list)
    removed_by = fields.List(fields.String(validate=EVENT_KEY), load_default=list)
    removed_where = fields.Dict(keys=fields.String(), values=_Condition(), load_default=dict)
    undone_by = fields.List(fields.String(validate=EVENT_KEY), load_default=list)
    require = fields.String(validate=EVENT_KEY)
    at_least = _AtLeast()

    @validates_schema
    def _one_shape(self, data: dict[str, Any], **_: Any) -> None:
        shapes = [name for name in ("event", "count", "for_all") if data.get(name)]
        if len(shapes) != 1:
            raise ValidationError("give exactly one of event, count or for_all")
        if data.get("count") and "at_least" not in data:
            raise ValidationError("a count rule needs at_least", "at_least")
        if data.get("for_all") and not data.get("require"):
            raise ValidationError("a for_all rule needs require", "require")
        for name in ("require_where", "pair_by", "undone_by", "removed_where"):
            if data.get(name) and not data.get("for_all"):
                raise ValidationError(f"only a for_all rule has {name}", name)


class _NamedProof(_Strict):
    proof = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,79}$", error="snake_case")
    )
    kind = fields.String(required=True, validate=validate.OneOf(EVIDENCE_KINDS))
    zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    en = fields.String(required=True, validate=validate.Length(min=1, max=200))


class _Proof(fields.Field):
    """A named proof `{proof, kind, zh, en}`, or only a kind of record (small templates)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if value not in EVIDENCE_KINDS:
                raise ValidationError(f"a kind is one of {', '.join(EVIDENCE_KINDS)}")
            return value
        if isinstance(value, dict):
            return _NamedProof().load(value)
        raise ValidationError("give {proof, kind, zh, en}, or a kind of record")


class _Verification(_Strict):
    rule = fields.Nested(_Rule, load_default=None)
    because = fields.String(load_default=None, validate=validate.Length(min=10, max=400))
    evidence = fields.List(_Proof(), load_default=list, validate=validate.Length(max=5))

    @validates_schema
    def _never_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("rule") and not data.get("evidence"):
            raise ValidationError("an entry needs a rule or at least one kind of evidence")
        if data.get("because") and not data.get("rule"):
            raise ValidationError("`because` says why a rule proves the entry: give the rule")
        keys = [p if isinstance(p, str) else p["proof"] for p in data.get("evidence") or []]
        if len(keys) != len(set(keys)):
            raise ValidationError("each proof of an entry has its own name", "evidence")


_profiles = fields.List(fields.String(validate=validate.OneOf(PROFILES)), load_default=None)


class _Entry(_Strict):
    code = fields.String(required=True, validate=validate.Regexp(ENTRY_CODE))
    title_zh = fields.String(required=True, validate=validate.Length(min=1))
    title_en = fields.String(required=True, validate=validate.Length(min=1))
    owner_role = fields.String(required=True, validate=validate.OneOf(OWNER_ROLES))
    phase = fields.String(load_default=None, validate=validate.OneOf(PHASES))
    due = fields.Nested(_Due, required=True)
    opens = fields.Nested(_Mark, load_default=None)  # continuous work: its window opens
    after = fields.List(
        fields.String(validate=validate.Regexp(ENTRY_CODE)),
        load_default=list,
        validate=lambda codes: len(codes) == len(set(codes)) or _twice(codes),
    )
    verification = fields.Nested(_Verification, required=True)
    profiles = _profiles
    note = fields.String(load_default=None)


def _twice(codes: list[str]) -> bool:
    raise ValidationError(
        f"a code appears twice: {sorted(c for c in set(codes) if codes.count(c) > 1)}"
    )


class _Heading(_Strict):
    code = fields.String(required=True, validate=validate.Regexp(CODE))
    title_zh = fields.String(required=True, validate=validate.Length(min=1))
    title_en = fields.String(required=True, validate=validate.Length(min=1))
    profiles = _profiles
    note = fields.String(load_default=None)


class _Item(_Heading):
    entries = fields.List(fields.Raw(), load_default=list)
    see = fields.List(fields.String(validate=validate.Regexp(r"^\d+$")), load_default=list)


class _Section(_Heading):
    items = fields.List(fields.Raw(), required=True)


@dataclass(frozen=True)
class TemplateEntry:
    code: str
    title_zh: str
    title_en: str
    owner_role: str
    milestone: str
    offset_days: int
    rule: Rule | None
    evidence: tuple[str | Mapping[str, str], ...]  # named proofs, or kinds only
    phase: str = "before"
    because: str | None = None  # why the rule's event proves the entry
    anchor: str | None = None
    profiles: frozenset[str] = frozenset(PROFILES)
    note: str | None = None
    month_day: tuple[int, int] | None = None  # milestone `date`
    profile_offsets: tuple[tuple[str, int], ...] = ()
    opens: Mark | None = None  # continuous work, from this day to its due date
    after: tuple[str, ...] = ()  # the entries it depends on (schedule.depends_on adds anchors)

    @property
    def section(self) -> str:
        return self.code.split(".")[0]

    @property
    def item(self) -> str:
        return ".".join(self.code.split(".")[:2])

    def verification(self) -> dict[str, Any]:
        return {
            "rule": self.rule.to_dict() if self.rule else None,
            "evidence": [p if isinstance(p, str) else dict(p) for p in self.evidence],
        }


@dataclass(frozen=True)
class Heading:
    code: str
    title_zh: str
    title_en: str
    profiles: frozenset[str]
    see: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Template:
    name: str
    entries: tuple[TemplateEntry, ...]
    sections: tuple[Heading, ...] = ()
    items: tuple[Heading, ...] = ()
    settings: tuple[Setting, ...] = ()
    rules: RuleIndex = field(init=False, repr=False, compare=False)
    _by_code: dict[str, TemplateEntry] = field(init=False, repr=False, compare=False)
    _settings: dict[str, Setting] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "rules", RuleIndex((e.code, e.rule) for e in self.entries if e.rule)
        )
        object.__setattr__(self, "_by_code", {e.code: e for e in self.entries})
        object.__setattr__(self, "_settings", {s.name: s for s in self.settings})

    def entry(self, code: str) -> TemplateEntry:
        return self._by_code[code]

    def setting_values(
        self, given: Mapping[str, Any], defaults: bool = True
    ) -> dict[str, int | float]:
        """`given` checked against the declared settings (SettingError names the first
        that is unknown or out of range); with `defaults`, every setting's value."""
        return setting_values(self._settings, given, defaults)

    def describe_settings(
        self, values: Mapping[str, Any], codes: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """Every declared setting with a conference's value (None if it has none recorded:
        opened before the setting existed) and the entries of its plan that use it."""
        planned = None if codes is None else set(codes)
        return [
            {
                **s.describe(),
                "value": values.get(s.name),
                "entries": [c for c in self.using(s.name) if planned is None or c in planned],
            }
            for s in self.settings
        ]

    def using(self, name: str) -> list[str]:
        """Codes of the entries whose rule takes its target from the setting `name`."""
        return [e.code for e in self.entries if setting_of(e.rule) == name]

    def select(
        self, profile: str, include: Iterable[str] = (), exclude: Iterable[str] = ()
    ) -> list[TemplateEntry]:
        """Entries for a profile, then a custom selection by section, item or entry code.

        `include` adds codes the profile leaves out; `exclude` removes codes. A code names
        a section ("7"), an item ("7.2") or an entry ("7.2.5").
        """
        include, exclude = set(include), set(exclude)
        unknown = sorted(
            c for c in include | exclude if c not in self._by_code and not self._has_heading(c)
        )
        if unknown:
            raise KeyError(", ".join(unknown))

        def named(entry: TemplateEntry, codes: set[str]) -> bool:
            return bool({entry.section, entry.item, entry.code} & codes)

        return [
            e
            for e in self.entries
            if (profile in e.profiles or named(e, include)) and not named(e, exclude)
        ]

    def _has_heading(self, code: str) -> bool:
        return any(h.code == code for h in (*self.sections, *self.items))

    def due_on(
        self, code: str, starts_on: dt.date, ends_on: dt.date, profile: str | None = None
    ) -> dt.date:
        """Due date of an entry in a profile's plan (schedule.py)."""
        return schedule.due_on(self._by_code, code, starts_on, ends_on, profile)

    def opens_on(
        self, code: str, starts_on: dt.date, ends_on: dt.date, profile: str | None = None
    ) -> dt.date | None:
        """The day continuous work opens; None for an entry done once."""
        return schedule.opens_on(self._by_code, code, starts_on, ends_on, profile)


def _load(schema: Schema, raw: Any, source: str, label: str) -> dict[str, Any]:
    try:
        return schema.load(raw)
    except ValidationError as exc:
        raise TemplateError(f"{source}: {label}: {exc.messages}") from None


def _entry(raw: Any, source: str, index: int, inherited: frozenset[str]) -> TemplateEntry:
    label = raw.get("code", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    loaded = _load(_Entry(), raw, source, f"entry {label}")
    rule = loaded["verification"]["rule"]
    due = loaded["due"]
    profiles = inherited & frozenset(loaded["profiles"] or PROFILES)
    offsets = tuple((p, due[p]) for p in PROFILES if due.get(p) is not None)
    for profile, _ in offsets:
        if profile not in profiles:
            raise TemplateError(
                f"{source}: entry {label}: due: {profile}: the entry is not in that profile's plan"
            )
    opens = loaded["opens"]
    return TemplateEntry(
        code=loaded["code"],
        title_zh=loaded["title_zh"],
        title_en=loaded["title_en"],
        owner_role=loaded["owner_role"],
        milestone=due["milestone"],
        anchor=due.get("entry"),
        offset_days=due.get("offset_days", 0),
        rule=rule_from_dict(rule) if rule else None,
        evidence=tuple(loaded["verification"]["evidence"]),
        because=loaded["verification"]["because"],
        phase=loaded["phase"] or _phase(due["milestone"], due.get("offset_days", 0)),
        profiles=profiles,
        note=loaded["note"],
        month_day=(due["month"], due["day"]) if due["milestone"] == "date" else None,
        profile_offsets=offsets,
        opens=Mark(opens["milestone"], opens["offset_days"], opens["entry"]) if opens else None,
        after=tuple(loaded["after"]),
    )


def _phase(milestone: str, offset_days: int) -> str:
    if milestone == "date" or (milestone == "end" and offset_days > 0):
        return "after"
    if milestone == "start" and offset_days >= -1:
        return "onsite"
    return "before"


def _sectioned(data: Mapping[str, Any], source: str) -> Template:
    sections, items, entries = [], [], []
    for s_index, raw_section in enumerate(data["sections"]):
        label = raw_section.get("code", f"#{s_index + 1}") if isinstance(raw_section, dict) else ""
        section = _load(_Section(), raw_section, source, f"section {label}")
        s_profiles = frozenset(section["profiles"] or PROFILES)
        sections.append(
            Heading(
                section["code"],
                section["title_zh"],
                section["title_en"],
                s_profiles,
                note=section["note"],
            )
        )
        for i_index, raw_item in enumerate(section["items"]):
            i_label = raw_item.get("code", f"#{i_index + 1}") if isinstance(raw_item, dict) else ""
            item = _load(_Item(), raw_item, source, f"item {i_label}")
            if not item["code"].startswith(section["code"] + "."):
                raise TemplateError(f"{source}: item {item['code']}: not in section {label}")
            if bool(item["see"]) == bool(item["entries"]):
                raise TemplateError(
                    f"{source}: item {item['code']}: give entries, or `see` for a cross-reference"
                )
            i_profiles = s_profiles & frozenset(item["profiles"] or PROFILES)
            items.append(
                Heading(
                    item["code"],
                    item["title_zh"],
                    item["title_en"],
                    i_profiles,
                    tuple(item["see"]),
                    item["note"],
                )
            )
            for e_index, raw_entry in enumerate(item["entries"]):
                entry = _entry(raw_entry, source, e_index, i_profiles)
                if entry.item != item["code"]:
                    raise TemplateError(f"{source}: entry {entry.code}: not in item {item['code']}")
                entries.append(entry)
    template = Template(
        str(data.get("name", source)),
        tuple(entries),
        tuple(sections),
        tuple(items),
        _settings(data, source),
    )
    return _checked(template, source)


def setting_of(rule: Rule | None) -> str | None:
    """The setting a rule's target is taken from, if any."""
    return rule.target.setting if isinstance(rule, CountRule) else None


def _settings(data: Mapping[str, Any], source: str) -> tuple[Setting, ...]:
    raw = data.get("settings") or {}
    if not isinstance(raw, dict):
        raise TemplateError(f"{source}: settings: expected a mapping of name to setting")
    settings = []
    for name, spec in raw.items():
        if not isinstance(name, str) or not re.match(NAME, name):
            raise TemplateError(f"{source}: setting {name!r}: a name is snake_case, a-z first")
        loaded = _load(_Setting(), spec, source, f"setting {name}")
        try:
            settings.append(declared({"name": name, **loaded}))
        except SettingError as exc:
            raise TemplateError(f"{source}: setting {name}: {exc.why}") from None
    return tuple(settings)


def _check_settings(template: Template, source: str) -> None:
    """Every setting a rule names is declared, of the kind the rule needs; every declared
    setting is used."""
    for entry in template.entries:
        name = setting_of(entry.rule)
        if name is None:
            continue
        setting = template._settings.get(name)
        if setting is None:
            known = ", ".join(template._settings) or "none"
            raise TemplateError(
                f"{source}: entry {entry.code}: at_least: no setting {name!r} (declared: {known})"
            )
        kind = "ratio" if entry.rule.target.ratio_of else "integer"
        if setting.kind != kind:
            raise TemplateError(
                f"{source}: entry {entry.code}: at_least: setting {name!r} is of type "
                f"{setting.kind}; this at_least needs one of type {kind}"
            )
    for setting in template.settings:
        if not template.using(setting.name):
            raise TemplateError(f"{source}: setting {setting.name}: no rule uses it")


def _checked(template: Template, source: str) -> Template:
    _check_settings(template, source)
    seen: set[str] = set()
    for entry in template.entries:
        if entry.code in seen:
            raise TemplateError(f"{source}: entry {entry.code}: code appears twice")
        seen.add(entry.code)
    headings = [h.code for h in (*template.sections, *template.items)]
    if len(headings) != len(set(headings)):
        raise TemplateError(f"{source}: a section or item code appears twice")
    sections = {h.code for h in template.sections}
    for item in template.items:
        for target in item.see:
            if target not in sections:
                raise TemplateError(f"{source}: item {item.code}: see: no section {target}")
    problems = schedule.problems(template._by_code, PROFILES)
    if problems:
        raise TemplateError(f"{source}: " + "\n".join(problems))
    return template


def parse(data: Any, source: str) -> Template:
    if isinstance(data, dict) and isinstance(data.get("sections"), list):
        return _sectioned(data, source)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise TemplateError(f"{source}: expected a mapping with 'sections' or 'entries'")
    entries = tuple(
        _entry(raw, source, index, frozenset(PROFILES)) for index, raw in enumerate(data["entries"])
    )
    template = Template(str(data.get("name", source)), entries, settings=_settings(data, source))
    return _checked(template, source)


@cache
def load(name: str = "conference") -> Template:
    path = TEMPLATES / f"{name}.yaml"
    with path.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle), path.name)
