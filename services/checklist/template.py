"""The plan template, as data, validated when it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .rules import EventRule, RuleIndex

TEMPLATES = Path(__file__).parent / "templates"
EVIDENCE_KINDS = (
    "form",
    "email_confirmation",
    "phone_record",
    "meeting_minutes",
    "document",
    "photo",
)


class TemplateError(ValueError):
    pass


class _Due(Schema):
    class Meta:
        unknown = RAISE

    milestone = fields.String(required=True, validate=validate.OneOf(["start", "end"]))
    offset_days = fields.Integer(required=True, strict=True)


class _Rule(Schema):
    class Meta:
        unknown = RAISE

    event = fields.String(required=True, validate=validate.Regexp(r"^[a-z]+\.[A-Z]\w+$"))
    where = fields.Dict(keys=fields.String(), load_default=dict)
    compensated_by = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z]+\.[A-Z]\w+$")), load_default=list
    )


class _Verification(Schema):
    class Meta:
        unknown = RAISE

    rule = fields.Nested(_Rule, load_default=None)
    evidence = fields.List(
        fields.String(validate=validate.OneOf(EVIDENCE_KINDS)), load_default=list
    )

    @validates_schema
    def _never_empty(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("rule") and not data.get("evidence"):
            raise ValidationError("an entry needs a rule or at least one kind of evidence")


class _Entry(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$"))
    title_zh = fields.String(required=True, validate=validate.Length(min=1))
    title_en = fields.String(required=True, validate=validate.Length(min=1))
    owner_role = fields.String(required=True, validate=validate.Length(min=1))
    due = fields.Nested(_Due, required=True)
    verification = fields.Nested(_Verification, required=True)


@dataclass(frozen=True)
class TemplateEntry:
    code: str
    title_zh: str
    title_en: str
    owner_role: str
    milestone: str
    offset_days: int
    rule: EventRule | None
    evidence: tuple[str, ...]

    @property
    def section(self) -> str:
        return self.code.split(".")[0]

    def verification(self) -> dict[str, Any]:
        return {
            "rule": self.rule.to_dict() if self.rule else None,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Template:
    name: str
    entries: tuple[TemplateEntry, ...]

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "rules",
            RuleIndex((e.code, e.rule) for e in self.entries if e.rule is not None),
        )

    def entry(self, code: str) -> TemplateEntry:
        for entry in self.entries:
            if entry.code == code:
                return entry
        raise KeyError(code)


def parse(data: Any, source: str) -> Template:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise TemplateError(f"{source}: expected a mapping with a list of 'entries'")
    entries: list[TemplateEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["entries"]):
        label = raw.get("code", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        try:
            loaded = _Entry().load(raw)
        except ValidationError as exc:
            raise TemplateError(f"{source}: entry {label}: {exc.messages}") from None
        if loaded["code"] in seen:
            raise TemplateError(f"{source}: entry {label}: code appears twice")
        seen.add(loaded["code"])
        rule = loaded["verification"]["rule"]
        entries.append(
            TemplateEntry(
                code=loaded["code"],
                title_zh=loaded["title_zh"],
                title_en=loaded["title_en"],
                owner_role=loaded["owner_role"],
                milestone=loaded["due"]["milestone"],
                offset_days=loaded["due"]["offset_days"],
                rule=EventRule.from_dict(rule) if rule else None,
                evidence=tuple(loaded["verification"]["evidence"]),
            )
        )
    return Template(name=str(data.get("name", source)), entries=tuple(entries))


@cache
def load(name: str = "starter") -> Template:
    path = TEMPLATES / f"{name}.yaml"
    with path.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle), path.name)
