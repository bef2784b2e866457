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

from .events import EVIDENCE_KINDS, OWNER_ROLES, PHASES, PROFILES
from .rules import OPERATORS, CountRule, Rule, RuleIndex, rule_from_dict
from .settings import KINDS, NAME, Setting, SettingError, declared
from .settings import values as setting_values

TEMPLATES = Path(__file__).parent / "templates"
EVENT_KEY = validate.Regexp(r"^[a-z]+\.[A-Z]\w+$", error="must look like service.EventType")
CODE = r"^\d+(\.\d+){0,2}$"


class TemplateError(ValueError):
    pass


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Due(_Strict):
    milestone = fields.String(required=True, validate=validate.OneOf(["start", "end", "entry"]))
    entry = fields.String(load_default=None)
    offset_days = fields.Integer(required=True, strict=True)

    @validates_schema
    def _anchor(self, data: dict[str, Any], **_: Any) -> None:
        if (data["milestone"] == "entry") != bool(data.get("entry")):
            raise ValidationError("give `entry` exactly when milestone is entry", "entry")


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
    comparison: `{in: [a, b]}`, `{"!=": x}`, `{">=": n}`, `{"<=": n}` (rules.Compare)."""

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
        if op == "in" and (not isinstance(operand, list) or not operand):
            raise ValidationError("`in` takes a list of one value or more")
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
        for name in ("require_where", "pair_by"):
            if data.get(name) and not data.get("for_all"):
                raise ValidationError(f"only a for_all rule has {name}", name)


class _Verification(_Strict):
    rule = fields.Nested(_Rule, load_default=None)
    evidence = fields.List(
        fields.String(validate=validate.OneOf(EVIDENCE_KINDS)), load_default=list
    )

    @validates_schema
    def _never_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("rule") and not data.get("evidence"):
            raise ValidationError("an entry needs a rule or at least one kind of evidence")


_profiles = fields.List(fields.String(validate=validate.OneOf(PROFILES)), load_default=None)


class _Entry(_Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$"))
    title_zh = fields.String(required=True, validate=validate.Length(min=1))
    title_en = fields.String(required=True, validate=validate.Length(min=1))
    owner_role = fields.String(required=True, validate=validate.OneOf(OWNER_ROLES))
    phase = fields.String(load_default=None, validate=validate.OneOf(PHASES))
    due = fields.Nested(_Due, required=True)
    verification = fields.Nested(_Verification, required=True)
    profiles = _profiles
    note = fields.String(load_default=None)


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
    evidence: tuple[str, ...]
    phase: str = "before"
    anchor: str | None = None
    profiles: frozenset[str] = frozenset(PROFILES)
    note: str | None = None

    @property
    def section(self) -> str:
        return self.code.split(".")[0]

    @property
    def item(self) -> str:
        return ".".join(self.code.split(".")[:2])

    def verification(self) -> dict[str, Any]:
        return {
            "rule": self.rule.to_dict() if self.rule else None,
            "evidence": list(self.evidence),
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

    def due_on(self, code: str, starts_on: dt.date, ends_on: dt.date) -> dt.date:
        """Due date of an entry; `milestone: entry` follows another entry's due date."""
        entry = self.entry(code)
        if entry.milestone == "entry":
            anchor = self.due_on(entry.anchor, starts_on, ends_on)
        else:
            anchor = starts_on if entry.milestone == "start" else ends_on
        return anchor + dt.timedelta(days=entry.offset_days)


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
    return TemplateEntry(
        code=loaded["code"],
        title_zh=loaded["title_zh"],
        title_en=loaded["title_en"],
        owner_role=loaded["owner_role"],
        milestone=due["milestone"],
        anchor=due.get("entry"),
        offset_days=due["offset_days"],
        rule=rule_from_dict(rule) if rule else None,
        evidence=tuple(loaded["verification"]["evidence"]),
        phase=loaded["phase"] or _phase(due["milestone"], due["offset_days"]),
        profiles=profiles,
        note=loaded["note"],
    )


def _phase(milestone: str, offset_days: int) -> str:
    if milestone == "end" and offset_days > 0:
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
    for entry in template.entries:
        _check_anchor(template, entry, source)
    return template


def _check_anchor(template: Template, entry: TemplateEntry, source: str) -> None:
    path = [entry.code]
    current = entry
    while current.milestone == "entry":
        if current.anchor not in template._by_code:
            raise TemplateError(
                f"{source}: entry {current.code}: due.entry: no entry {current.anchor}"
            )
        if current.anchor in path:
            raise TemplateError(f"{source}: entry {entry.code}: due dates form a cycle {path}")
        path.append(current.anchor)
        current = template.entry(current.anchor)


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
