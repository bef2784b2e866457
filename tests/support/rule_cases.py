"""Rules proved by cases: for an entry of the plan, events that verify it and near misses
that must not, run through checklist's policy on the in-memory store.

A case file (YAML) maps entry codes to their cases:

    "1.3.5":
      verifies:
        - [vendors.ContractSigned, hall, {category: venue}]
      misses:
        a catering contract is not the venue:
          - [vendors.ContractSigned, dinner, {category: catering}]
      conference: {expected_attendance: 10}      # optional: how the conference is opened

A step is [service.EventType, aggregate, payload]. The aggregate is a name: the same name
is the same aggregate (its versions follow), and "@name" in a payload value is that
aggregate's id (to pair events by a field such as contract_id). Required payload fields
the step leaves out get a valid sample value; a field that has no obvious sample (a tax
ID, amounts that must add up) must be given. Every payload is checked against the event's
declared schema, so a case can only use what the contract declares.

Run a file against the template (or against the rules it carries, `rule:` beside the
cases, before they are written into the template):

    python -m tests.support.rule_cases cases.yaml
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from eventsourcing.persistence import Tracking
from marshmallow import ValidationError, fields, validate

from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.checklist.domain import entry_id
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.registry import load as load_registry
from services.common.sinks import UpstreamEvent
from tests.unit.checklist_plans import POPO, opening

CASES = Path(__file__).parents[1] / "unit" / "rule_cases"


@dataclass(frozen=True)
class Outcome:
    code: str
    case: str
    expected: str
    status: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == self.expected

    def __str__(self) -> str:
        if self.error:
            return f"{self.code} [{self.case}]: {self.error}"
        return f"{self.code} [{self.case}]: expected {self.expected}, got {self.status}"


def load_cases(paths: Iterable[Path] | None = None) -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for path in paths if paths is not None else sorted(CASES.glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            for code, spec in (yaml.safe_load(handle) or {}).items():
                if code in cases:
                    raise ValueError(f"{path.name}: {code} has cases in two files")
                cases[str(code)] = spec
    return cases


def run_entry(code: str, spec: Mapping[str, Any]) -> list[Outcome]:
    """Every case of one entry: each `verifies` list must verify it, no near miss may."""
    entry = templates.load("conference").entry(code)
    if "rule" in spec:  # a rule not yet written into the template
        rule = spec["rule"]
        if rule is None:
            return []  # proved by hand: nothing to run
        entry = replace(entry, rule=_checked_rule(code, rule) if rule else None)
    if entry.rule is None:
        return [Outcome(code, "-", "verified", "-", "the entry has no rule")]
    # Alone in its template: its due date cannot follow another entry's. What is tested is
    # the rule, so continuous work has no window here (test_checklist_continuous.py).
    entry = replace(
        entry,
        milestone="start",
        anchor=None,
        offset_days=-1,
        month_day=None,
        profile_offsets=(),
        opens=None,
        after=(),
    )
    runs = [("verifies", "verified", spec.get("verifies") or [])]
    runs += [(name, "not verified", steps) for name, steps in (spec.get("misses") or {}).items()]
    outcomes = []
    for name, expected, steps in runs:
        try:
            status = _status_after(entry, steps, spec.get("conference") or {})
        except Exception as exc:  # noqa: BLE001 - any failure is reported with its case
            outcomes.append(Outcome(code, name, expected, "-", f"{type(exc).__name__}: {exc}"))
            continue
        shown = "verified" if status == "verified" else "not verified"
        outcomes.append(Outcome(code, name, expected, shown))
    return outcomes


def _checked_rule(code: str, rule: Mapping[str, Any]) -> Any:
    """The rule as the template's own validation loads it (settings it names included)."""
    full = yaml.safe_load(templates.TEMPLATES.joinpath("conference.yaml").read_text("utf-8"))
    raw = {
        "entries": [{**_raw_entry(code), "verification": {"rule": dict(rule)}}],
        "settings": {
            name: setting
            for name, setting in (full.get("settings") or {}).items()
            if name in str(rule.get("at_least"))  # only those it names: no unused one
        },
    }
    return templates.parse(raw, "cases").entries[0].rule


def _raw_entry(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "title_zh": "案例",
        "title_en": "case",
        "owner_role": "project_lead",
        "due": {"milestone": "start", "offset_days": -1},
    }


def _status_after(entry: Any, steps: list[Any], conference: Mapping[str, Any]) -> str:
    if not steps:
        raise ValueError("a case needs at least one step")
    template = templates.Template("cases", (entry,), settings=templates.load("conference").settings)
    app = ChecklistApplication(env=POPO, template=template)
    try:
        profile = "academic" if "academic" in entry.profiles else sorted(entry.profiles)[0]
        opened = app.open_conference(
            opening(profile=profile, **conference), CommandContext.new("li")
        )
        conference_id = str(opened.id)
        feed = _Feed(app, conference_id)
        for step in steps:
            feed.emit(*step)
        return app.repository.get(entry_id(conference_id, entry.code)).status
    finally:
        app.close()


class _Feed:
    """Upstream events, as the ProcessSink hands them to checklist's policy."""

    def __init__(self, app: ChecklistApplication, conference_id: str) -> None:
        self.app, self.conference_id = app, conference_id
        self.ids: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.positions: dict[str, itertools.count] = {}
        self.catalogs = {c.service: c for c in load_registry().catalogs()}

    def id_of(self, name: str) -> str:
        return self.ids.setdefault(name, str(uuid.uuid5(uuid.NAMESPACE_URL, f"case/{name}")))

    def emit(self, key: str, aggregate: str, payload: Mapping[str, Any] | None = None) -> None:
        service, event_type = key.split(".")
        catalog = self.catalogs[service]
        schema = catalog.schema(event_type)
        given = {k: self._resolved(v) for k, v in (payload or {}).items()}
        filled = {**sample_payload(schema, self.conference_id), **given}
        try:
            loaded = catalog.load_incoming(event_type, filled)
        except ValidationError as exc:
            raise ValidationError(f"{key} payload {filled}: {exc.messages}") from None
        aggregate_id = self.id_of(aggregate)
        version = self.versions[aggregate_id] = self.versions.get(aggregate_id, 0) + 1
        position = next(self.positions.setdefault(service, itertools.count(1)))
        envelope = Envelope(
            event_id=event_id_for(aggregate_id, version),
            event_type=event_type,
            service=service,
            notification_id=position,
            aggregate_type=aggregate,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            conference_id=self.conference_id,
            occurred_at=f"2026-03-01T02:00:{position % 60:02d}+00:00",
            actor="case",
            correlation_id=f"case-{position}",
            causation_id=None,
            schema_version=1,
            payload=filled,
        )
        self.app.process_event(UpstreamEvent(envelope, loaded), Tracking(service, position))

    def _resolved(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            return self.id_of(value[1:])
        if isinstance(value, list):
            return [self._resolved(v) for v in value]
        if isinstance(value, dict):
            return {k: self._resolved(v) for k, v in value.items()}
        return value


def sample_payload(schema: Any, conference_id: str) -> dict[str, Any]:
    """A value for each required field that has an obvious one."""
    payload = {}
    for name, field in schema.fields.items():
        if not field.required:
            continue
        if name == "conference_id":
            payload[name] = conference_id
            continue
        value = _sample(name, field, conference_id)
        if value is not _NONE:
            payload[name] = value
    return payload


_NONE = object()


def _sample(name: str, field: fields.Field, conference_id: str) -> Any:
    validators = _validators(field)
    choices = [v.choices for v in validators if isinstance(v, validate.OneOf)]
    if choices:
        return list(choices[0])[0]
    if any(isinstance(v, validate.Regexp) for v in validators) and name != "currency":
        return _NONE  # a pattern (a tax ID, a digest): the case gives it
    if isinstance(field, fields.Nested):
        nested = field.schema
        one = sample_payload(nested, conference_id)
        return [one] if field.many else one
    if isinstance(field, fields.List):
        lengths = [v.min for v in validators if isinstance(v, validate.Length) and v.min]
        inner = _sample(name, field.inner, conference_id)
        return [inner] * (lengths[0] if lengths else 0) if inner is not _NONE else []
    if isinstance(field, fields.Dict):
        return {}
    if isinstance(field, fields.UUID):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sample/{name}"))
    if isinstance(field, fields.Boolean):
        return False
    if isinstance(field, fields.Integer):
        ranges = [v for v in validators if isinstance(v, validate.Range)]
        low = ranges[0].min if ranges and ranges[0].min is not None else 1
        high = ranges[0].max if ranges and ranges[0].max is not None else None
        return int(low) if low >= 1 or (high is not None and high < 1) else 1
    if isinstance(field, (fields.Float, fields.Decimal)):
        return 1
    if isinstance(field, fields.DateTime):
        return "2026-03-01T02:00:00+00:00"
    if isinstance(field, fields.Date):
        return dt.date(2026, 3, 1).isoformat()
    if name == "currency":
        return "CNY"
    if isinstance(field, fields.String):
        return "sample"
    return _NONE


def _validators(field: fields.Field) -> list[Any]:
    found = []
    for v in field.validators:
        found.extend(getattr(v, "validators", [v]))  # validate.And holds several
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = 0
    for code, spec in load_cases(args.files).items():
        for outcome in run_entry(code, spec):
            if not outcome.ok:
                failed += 1
                print(f"FAIL {outcome}")
    print(f"{failed} failing case(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
