"""Per-conference settings: declared by the template, named by rules, recorded when a
conference is opened, changed later with the entries they concern re-evaluated."""

import uuid

import pytest
from eventsourcing.persistence import Tracking

from services.checklist import commands as c
from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.checklist.rules import CountRule, Target
from services.checklist.schemas import ChangeSettingsSchema, OpenConferenceSchema
from services.checklist.settings import SettingError
from services.checklist.template import TemplateError
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.errors import InvalidCommand
from services.common.sinks import UpstreamEvent
from services.vendors.events import CATALOG as VENDORS
from tests.unit.checklist_plans import POPO, entry, opening, template_entry

QUOTES = {
    "type": "integer",
    "default": 3,
    "min": 1,
    "max": 20,
    "description_zh": "比价所需的供应商报价份数",
    "description_en": "Vendor quotes to compare before choosing",
}
CHECKED_IN = {
    "type": "ratio",
    "default": 0.5,
    "min": 0.05,
    "max": 1.0,
    "description_zh": "签到比例",
    "description_en": "Share of the expected attendance checked in",
}
COUNT_QUOTES = {
    "count": "vendors.QuoteReceived",
    "at_least": {"setting": "min_vendor_quotes"},
    "compensated_by": [],
}
SHARE_CHECKED_IN = {
    "count": "registration.AttendeeCheckedIn",
    "at_least": {"ratio_of": "expected_attendance", "setting": "onsite_checkin_ratio"},
}


def template(rule=COUNT_QUOTES, settings=None, code="8.2.4"):
    settings = {"min_vendor_quotes": QUOTES} if settings is None else settings
    raw = {
        "name": "t",
        "settings": settings,
        "entries": [template_entry(code, verification={"rule": rule})],
    }
    return templates.parse(raw, "t.yaml")


def refusal(**kwargs) -> str:
    with pytest.raises(TemplateError) as raised:
        template(**kwargs)
    return str(raised.value)


# -- the template ------------------------------------------------------------------------
def test_a_rule_names_a_declared_setting_instead_of_a_number():
    loaded = template()

    (setting,) = loaded.settings
    assert (setting.name, setting.kind, setting.default) == ("min_vendor_quotes", "integer", 3)
    assert loaded.entry("8.2.4").rule.target == Target(setting="min_vendor_quotes")
    assert loaded.using("min_vendor_quotes") == ["8.2.4"]
    assert loaded.entry("8.2.4").verification()["rule"]["at_least"] == {
        "setting": "min_vendor_quotes"
    }


def test_an_unknown_setting_is_refused_naming_the_entry_and_the_setting():
    rule = {**COUNT_QUOTES, "at_least": {"setting": "min_vendor_qoutes"}}
    message = refusal(rule=rule)

    assert "t.yaml" in message
    assert "entry 8.2.4" in message
    assert "'min_vendor_qoutes'" in message
    assert "declared: min_vendor_quotes" in message


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"default": 0}, "default must be from 1 to 20, not 0"),
        ({"default": 2.5}, "default must be a whole number"),
        ({"default": "three"}, "default"),
        ({"min": 5, "max": 2, "default": 3}, "min is above max"),
        ({"type": "percent"}, "type"),
        ({"description_en": ""}, "description_en"),
        ({"unit": "quotes"}, "unit"),
    ],
)
def test_a_bad_declaration_is_refused_naming_the_setting_and_why(change, says):
    message = refusal(settings={"min_vendor_quotes": {**QUOTES, **change}})

    assert "setting min_vendor_quotes" in message
    assert says in message


def test_a_ratio_default_must_lie_in_its_range_and_above_zero():
    too_big = {**CHECKED_IN, "default": 1.5}
    message = refusal(rule=SHARE_CHECKED_IN, settings={"onsite_checkin_ratio": too_big})
    assert "default must be from 0.05 to 1.0, not 1.5" in message

    from_zero = {**CHECKED_IN, "min": 0, "default": 0.5}
    message = refusal(rule=SHARE_CHECKED_IN, settings={"onsite_checkin_ratio": from_zero})
    assert "above 0" in message


def test_a_setting_of_the_wrong_kind_is_refused():
    rule = {**COUNT_QUOTES, "at_least": {"setting": "onsite_checkin_ratio"}}
    message = refusal(rule=rule, settings={"onsite_checkin_ratio": CHECKED_IN})

    assert "entry 8.2.4" in message
    assert "'onsite_checkin_ratio' is of type ratio" in message
    assert "needs one of type integer" in message


def test_a_setting_no_rule_uses_is_refused():
    settings = {"min_vendor_quotes": QUOTES, "onsite_checkin_ratio": CHECKED_IN}
    message = refusal(settings=settings)

    assert "setting onsite_checkin_ratio: no rule uses it" in message


@pytest.mark.parametrize(
    "at_least",
    [
        {"ratio_of": "expected_attendance", "ratio": 0.5, "setting": "min_vendor_quotes"},
        {"ratio_of": "expected_attendance"},
        {"setting": "min_vendor_quotes", "ratio": 0.5},
        {"setting": "Min Quotes"},
    ],
)
def test_at_least_takes_a_number_a_ratio_or_a_setting_not_a_mix(at_least):
    message = refusal(rule={**COUNT_QUOTES, "at_least": at_least})

    assert "entry 8.2.4" in message
    assert "at_least" in message


def test_the_conference_template_declares_the_thresholds_the_source_does_not_state():
    full = templates.load("conference")

    defaults = {s.name: s.default for s in full.settings}
    assert defaults == {
        "main_vendors": 3,
        "min_vendor_quotes": 3,
        "onsite_checkin_ratio": 0.5,
        "survey_response_ratio": 0.2,
    }
    assert {s.name: full.using(s.name) for s in full.settings} == {
        "main_vendors": ["8.2.1", "8.2.6", "8.3.3"],
        "min_vendor_quotes": ["8.2.4"],
        "onsite_checkin_ratio": ["15.3.1"],
        "survey_response_ratio": ["22.2.2"],
    }
    # No other count rule has a number of its own, but 1.3.1 (the source's "two or more").
    literal = {
        e.code: e.rule.target.at_least
        for e in full.entries
        if isinstance(e.rule, CountRule) and e.rule.target.at_least is not None
    }
    assert literal == {"1.3.1": 2}
    assert all(s.description_zh and s.description_en for s in full.settings)


def test_values_are_checked_against_their_declarations():
    full = templates.load("conference")

    assert full.setting_values({}) == {
        "main_vendors": 3,
        "min_vendor_quotes": 3,
        "onsite_checkin_ratio": 0.5,
        "survey_response_ratio": 0.2,
    }
    assert full.setting_values({"main_vendors": 5.0}, defaults=False) == {"main_vendors": 5}
    for given, says in (
        ({"main_vendor": 5}, "main_vendor: no such setting (declared: main_vendors, "),
        ({"main_vendors": 0}, "main_vendors: must be from 1 to 50, not 0"),
        ({"main_vendors": 2.5}, "main_vendors: must be a whole number, not 2.5"),
        ({"onsite_checkin_ratio": 1.2}, "onsite_checkin_ratio: must be from 0.05 to 1.0"),
        ({"onsite_checkin_ratio": "0.5"}, "onsite_checkin_ratio: must be a number"),
        ({"onsite_checkin_ratio": float("nan")}, "onsite_checkin_ratio: must be a number"),
    ):
        with pytest.raises(SettingError) as raised:
            full.setting_values(given)
        assert says in str(raised.value)


def test_a_templates_values_are_its_defaults_unless_given_and_checked():
    loaded = template()

    assert loaded.setting_values({}) == {"min_vendor_quotes": 3}
    assert loaded.setting_values({"min_vendor_quotes": 4.0}, defaults=False) == {
        "min_vendor_quotes": 4
    }
    with pytest.raises(SettingError, match="min_vendor_qoutes: no such setting"):
        loaded.setting_values({"min_vendor_qoutes": 4})
    with pytest.raises(SettingError, match="min_vendor_quotes: must be from 1 to 20, not 0"):
        loaded.setting_values({"min_vendor_quotes": 0})


def test_a_target_takes_its_number_or_its_share_from_the_settings():
    figures = {"expected_attendance": 500}

    assert Target(setting="main_vendors").resolve(figures, {"main_vendors": 4}) == 4
    share = Target(ratio_of="expected_attendance", setting="onsite_checkin_ratio")
    assert share.resolve(figures, {"onsite_checkin_ratio": 0.5}) == 250
    assert share.resolve(figures, {"onsite_checkin_ratio": 0.61}) == 305
    assert Target(ratio_of="expected_attendance", ratio=0.8).resolve(figures) == 400


def test_the_api_takes_numbers_by_setting_name_and_refuses_anything_else():
    loaded = ChangeSettingsSchema().load({"settings": {"main_vendors": 4}, "reason": "board"})
    assert loaded == c.ChangeSettings(settings={"main_vendors": 4}, reason="board")
    for body, field in (
        ({"settings": {}, "reason": "board"}, "settings"),
        ({"settings": {"main_vendors": "4"}, "reason": "board"}, "settings"),
        ({"settings": {"main_vendors": True}, "reason": "board"}, "settings"),
        ({"settings": {"Main Vendors": 4}, "reason": "board"}, "settings"),
        ({"settings": {f"s{n}": 1 for n in range(51)}, "reason": "board"}, "settings"),
        ({"settings": {"main_vendors": 4}}, "reason"),
    ):
        with pytest.raises(Exception) as raised:  # marshmallow's ValidationError
            ChangeSettingsSchema().load(body)
        assert field in raised.value.messages, body
    opened = {
        "name": "Forum",
        "starts_on": "2027-05-12",
        "ends_on": "2027-05-14",
        "city": "Hangzhou",
        "expected_attendance": 500,
        "profile": "academic",
    }
    assert OpenConferenceSchema().load(opened).settings == {}


# -- a conference's settings, and the entries that follow them --------------------------
VENDOR = str(uuid.uuid4())


class Plan:
    """A one-entry plan counting vendor quotes, on the in-memory store."""

    def __init__(self, settings=None, rule=COUNT_QUOTES) -> None:
        self.app = ChecklistApplication(env=POPO, template=template(rule=rule))
        self.quotes = 0
        ctx = CommandContext.new("li")
        conference = self.app.open_conference(opening(settings=settings or {}), ctx)
        self.conference_id = str(conference.id)

    def quote(self) -> None:
        """A quote from another vendor (another aggregate)."""
        self.quotes += 1
        quote = str(uuid.UUID(int=self.quotes))
        payload = {
            "vendor_id": VENDOR,
            "category": "venue",
            "amount_minor": 100,
            "currency": "CNY",
        }
        env = Envelope(
            event_id=event_id_for(quote, 1),
            event_type="QuoteReceived",
            service="vendors",
            notification_id=self.quotes,
            aggregate_type="Quote",
            aggregate_id=quote,
            aggregate_version=1,
            conference_id=self.conference_id,
            occurred_at="2026-03-01T02:00:00+00:00",
            actor="wang",
            correlation_id="corr",
            causation_id=None,
            schema_version=1,
            payload=payload,
        )
        loaded = VENDORS.load_incoming("QuoteReceived", payload)
        self.app.process_event(UpstreamEvent(env, loaded), Tracking("vendors", self.quotes))

    def change(self, reason="the board asks", **settings):
        return self.app.change_settings(
            self.conference_id, c.ChangeSettings(settings=settings, reason=reason), ctx()
        )

    def entry(self):
        return entry(self.app, self.conference_id, "8.2.4")

    def events_since(self, position):
        notifications = self.app.recorder.select_notifications(start=position + 1, limit=100)
        return [type(self.app.mapper.to_domain_event(n)).__name__ for n in notifications]


def ctx():
    return CommandContext.new("li")


@pytest.fixture
def plan():
    plan = Plan()
    yield plan
    plan.app.close()


def test_a_conference_is_opened_with_every_default_recorded(plan):
    conference = plan.app.conference(plan.conference_id)

    assert conference.settings == {"min_vendor_quotes": 3}
    assert plan.events_since(0)[:2] == ["ConferenceOpened", "ConferenceSettingsChanged"]
    assert plan.entry()["target"] == 3


def test_a_rule_using_a_setting_verifies_at_the_default(plan):
    plan.quote()
    plan.quote()
    assert (plan.entry()["status"], plan.entry()["progress"]["percent"]) == ("in_progress", 66)

    plan.quote()

    assert plan.entry()["status"] == "verified"


def test_lowering_the_setting_verifies_an_entry_that_now_has_enough(plan):
    plan.quote()
    plan.quote()
    before = plan.app.max_notification_id()

    answer = plan.change(min_vendor_quotes=2)

    assert answer["changed"] == {"min_vendor_quotes": 2}
    assert plan.events_since(before) == [
        "ConferenceSettingsChanged",
        "EntryTargetChanged",
        "EntryVerified",
    ]
    verified = plan.entry()
    assert (verified["status"], verified["target"]) == ("verified", 2)
    proof = verified["proofs"][-1]
    assert (proof["kind"], proof["members"], proof["target"]) == ("rule", 2, 2)
    assert proof["last"]["event_type"] == "ConferenceSettingsChanged"
    assert proof["last"]["settings"] == {"min_vendor_quotes": 2}
    assert [e.code for e in answer["entries"]] == ["8.2.4"]
    (described,) = answer["settings"]
    assert (described["value"], described["default"], described["entries"]) == (2, 3, ["8.2.4"])


def test_raising_the_setting_reopens_a_verified_entry_until_it_has_enough_again(plan):
    for _ in range(3):
        plan.quote()
    assert plan.entry()["status"] == "verified"
    before = plan.app.max_notification_id()

    plan.change(min_vendor_quotes=4)

    assert plan.events_since(before) == [
        "ConferenceSettingsChanged",
        "EntryTargetChanged",
        "EntryReopened",
    ]
    reopened = plan.entry()
    assert (reopened["status"], reopened["target"], reopened["proofs"]) == (
        "in_progress",
        4,
        [],
    )
    assert reopened["progress"]["percent"] == 75  # 3 of 4

    plan.quote()

    assert plan.entry()["status"] == "verified"


def test_a_setting_given_when_opening_replaces_its_default():
    plan = Plan(settings={"min_vendor_quotes": 1})
    try:
        assert plan.app.conference(plan.conference_id).settings == {"min_vendor_quotes": 1}
        assert plan.entry()["target"] == 1
        plan.quote()
        assert plan.entry()["status"] == "verified"
    finally:
        plan.app.close()


def test_a_ratio_setting_takes_its_share_of_the_expected_attendance():
    app = ChecklistApplication(
        env=POPO,
        template=template(
            rule=SHARE_CHECKED_IN, settings={"onsite_checkin_ratio": CHECKED_IN}, code="15.3.1"
        ),
    )
    try:
        conference_id = str(app.open_conference(opening(expected_attendance=800), ctx()).id)
        assert entry(app, conference_id, "15.3.1")["target"] == 400
        change = c.ChangeSettings(settings={"onsite_checkin_ratio": 0.25}, reason="rain")
        app.change_settings(conference_id, change, ctx())
        assert entry(app, conference_id, "15.3.1")["target"] == 200
    finally:
        app.close()


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"min_vendor_qoutes": 2}, "min_vendor_qoutes: no such setting"),
        ({"min_vendor_quotes": 0}, "min_vendor_quotes: must be from 1 to 20, not 0"),
        ({"min_vendor_quotes": 21}, "min_vendor_quotes: must be from 1 to 20, not 21"),
        ({"min_vendor_quotes": 2.5}, "min_vendor_quotes: must be a whole number"),
    ],
)
def test_a_bad_setting_is_refused_naming_it_and_nothing_is_stored(plan, settings, says):
    stored = plan.app.max_notification_id()

    with pytest.raises(InvalidCommand) as raised:
        plan.change(**settings)
    with pytest.raises(InvalidCommand) as at_opening:
        plan.app.open_conference(opening(settings=settings), ctx())

    for refused in (raised.value, at_opening.value):
        assert refused.field == "settings"
        assert says in refused.message
    assert plan.app.max_notification_id() == stored


def test_a_value_the_conference_already_has_changes_nothing(plan):
    stored = plan.app.max_notification_id()

    answer = plan.change(min_vendor_quotes=3)

    assert (answer["changed"], answer["entries"]) == ({}, [])
    assert plan.app.max_notification_id() == stored


def test_an_entry_planned_with_a_fixed_number_keeps_it_when_the_setting_changes():
    """A plan opened before its template named the setting keeps the number it was
    planned with: its stored rule names none."""
    fixed = {**COUNT_QUOTES, "at_least": 3}
    app = ChecklistApplication(env=POPO, template=template(rule=fixed, settings={}))
    try:
        conference_id = str(app.open_conference(opening(), ctx()).id)
        assert app.conference(conference_id).settings == {}
        app.template = template()  # the template as it is now
        change = c.ChangeSettings(settings={"min_vendor_quotes": 1}, reason="board")

        answer = app.change_settings(conference_id, change, ctx())

        assert (answer["changed"], answer["entries"]) == ({"min_vendor_quotes": 1}, [])
        assert entry(app, conference_id, "8.2.4")["target"] == 3
        assert app.conference(conference_id).settings == {"min_vendor_quotes": 1}
    finally:
        app.close()
