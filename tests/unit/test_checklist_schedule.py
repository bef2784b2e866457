"""The schedule of a plan: declared dependencies, calendar dates and profile offsets, and the
check, when a template loads, that no entry is due before an entry it depends on."""

import copy
import datetime as dt
import functools

import pytest
import yaml

from services.checklist import template as templates
from services.checklist.events import PROFILES
from services.checklist.template import TemplateError
from tests.unit.checklist_plans import template_entry


def entry(code, due=-30, **overrides):
    """A template entry due `due` days from the start (or with the `due` mapping given)."""
    if isinstance(due, int):
        due = {"milestone": "start", "offset_days": due}
    return template_entry(code, due=due, **overrides)


def parse(*entries):
    return templates.parse({"name": "t", "entries": list(entries)}, "t.yaml")


def refusal(*entries) -> str:
    with pytest.raises(TemplateError) as raised:
        parse(*entries)
    return str(raised.value)


# -- declared dependencies ----------------------------------------------------------------
def test_an_entry_keeps_the_codes_it_comes_after():
    template = parse(entry("8.1.2", -110), entry("8.2.1", -100, after=["8.1.2"]))

    assert template.entry("8.2.1").after == ("8.1.2",)
    assert template.entry("8.1.2").after == ()


def test_a_dependency_on_no_entry_is_refused_naming_both_codes():
    message = refusal(entry("8.1.2", -110), entry("8.2.1", -100, after=["8.1.2", "8.1.9"]))

    assert "t.yaml: entry 8.2.1: after: no entry 8.1.9" in message


def test_an_entry_that_comes_after_itself_is_refused():
    message = refusal(entry("8.2.1", after=["8.2.1"]))

    assert "entry 8.2.1: after: an entry cannot come after itself" in message


@pytest.mark.parametrize("codes", [["8.1"], ["eight"], ["8.1.2", "8.1.2"]])
def test_a_malformed_or_repeated_dependency_is_refused_naming_the_field(codes):
    message = refusal(entry("8.1.2"), entry("8.2.1", after=codes))

    assert "entry 8.2.1" in message
    assert "after" in message


def test_a_cycle_through_after_and_due_anchors_is_refused_with_its_path():
    message = refusal(
        entry("1.1.1", after=["1.1.3"]),
        entry("1.1.2", {"milestone": "entry", "entry": "1.1.1", "offset_days": 2}),
        entry("1.1.3", after=["1.1.2"]),
    )

    assert "cycle" in message
    assert "1.1.1 → 1.1.3 → 1.1.2 → 1.1.1" in message


def test_an_anchor_of_no_entry_is_refused_as_before():
    message = refusal(entry("1.1.2", {"milestone": "entry", "entry": "1.1.9", "offset_days": 2}))

    assert "entry 1.1.2: due.entry: no entry 1.1.9" in message


# -- the order ---------------------------------------------------------------------------
def test_an_entry_due_before_an_entry_it_comes_after_is_refused_naming_both_and_dates():
    message = refusal(
        entry("8.1.2", -60), entry("8.2.1", -100, after=["8.1.2"]), entry("8.2.4", -80)
    )

    assert "t.yaml: entry 8.2.1 is due 2027-02-01, before entry 8.1.2 it comes after" in message
    assert "(due 2027-03-13)" in message
    assert "academic plan, a 1-day conference from 2027-05-12" in message
    assert "8.2.4" not in message


def test_every_problem_is_reported_at_once():
    message = refusal(
        entry("8.1.2", -60),
        entry("8.1.3", -60),
        entry("8.2.1", -100, after=["8.1.2", "8.1.3"]),
    )

    assert "before entry 8.1.2" in message
    assert "before entry 8.1.3" in message


def test_the_same_day_is_not_before():
    parse(entry("15.2.1", -1), entry("18.1.6", -1, after=["15.2.1"]))


def test_an_entry_due_before_the_anchor_it_is_counted_from_is_refused():
    message = refusal(
        entry("8.4.1", {"milestone": "end", "offset_days": 3}),
        entry("8.4.3", {"milestone": "entry", "entry": "8.4.1", "offset_days": -5}),
    )

    assert "entry 8.4.3 is due" in message
    assert "before entry 8.4.1 its due date is counted from" in message


def test_an_order_that_fails_only_for_a_long_conference_is_refused_naming_its_length():
    during = entry("3.2.4", {"milestone": "end", "offset_days": 0})
    next_morning = entry("3.2.5", 1, after=["3.2.4"])  # counted from the start

    message = refusal(during, next_morning)

    assert "entry 3.2.5 is due" in message
    assert "a 31-day conference" in message
    assert " 1-day" not in message  # a one-day conference has them in order


def test_a_dependency_outside_the_profile_is_not_in_force_in_its_plan():
    call_for_papers = entry("1.6.4", -285, profiles=["academic"])
    line_up = entry("1.7.7", -300, after=["1.6.4"])  # due before the call, for all profiles

    message = refusal(call_for_papers, line_up)

    assert "entry 1.7.7" in message
    assert "academic plan" in message
    assert "business plan" not in message and "corporate_annual plan" not in message


# -- profile offsets ----------------------------------------------------------------------
def test_a_profile_may_have_its_own_offset():
    theme = entry("1.6.2", {"milestone": "start", "offset_days": -160, "academic": -310})
    template = parse(theme)
    start = dt.date(2027, 5, 12)

    assert template.due_on("1.6.2", start, start, "academic") == start - dt.timedelta(310)
    assert template.due_on("1.6.2", start, start, "business") == start - dt.timedelta(160)
    assert template.due_on("1.6.2", start, start) == start - dt.timedelta(160)


def test_a_profile_offset_puts_an_entry_in_order_in_that_profiles_plan():
    call_for_papers = entry("1.6.4", -285, profiles=["academic"])
    theme = {"milestone": "start", "offset_days": -160}

    refused = refusal(
        entry("1.6.2", theme),
        entry("1.6.3", -150, after=["1.6.2"]),
        {**call_for_papers, "after": ["1.6.3"]},
    )
    assert "entry 1.6.4" in refused and "before entry 1.6.3" in refused

    parse(
        entry("1.6.2", {**theme, "academic": -310}),
        entry("1.6.3", {"milestone": "start", "offset_days": -150, "academic": -300},
              after=["1.6.2"]),
        {**call_for_papers, "after": ["1.6.3"]},
    )  # fmt: skip


def test_an_offset_for_a_profile_the_entry_is_not_in_is_refused():
    due = {"milestone": "start", "offset_days": -150, "academic": -300}

    message = refusal(entry("7.1.1", due, profiles=["business"]))

    assert "entry 7.1.1: due: academic: the entry is not in that profile's plan" in message


def test_an_unknown_profile_offset_is_refused():
    message = refusal(entry("1.6.2", {"milestone": "start", "offset_days": -1, "academdic": -3}))

    assert "1.6.2" in message and "academdic" in message


# -- calendar dates -----------------------------------------------------------------------
def new_year_cards(**overrides):
    return entry("23.2.4", {"milestone": "date", "month": 12, "day": 15}, **overrides)


@pytest.mark.parametrize(
    ("ends_on", "due"),
    [
        (dt.date(2027, 5, 14), dt.date(2027, 12, 15)),
        (dt.date(2027, 12, 14), dt.date(2027, 12, 15)),
        (dt.date(2027, 12, 15), dt.date(2028, 12, 15)),  # after the end, never on it
        (dt.date(2027, 12, 20), dt.date(2028, 12, 15)),
    ],
)
def test_a_calendar_date_is_the_first_one_after_the_conference_ends(ends_on, due):
    template = parse(new_year_cards())

    assert template.due_on("23.2.4", ends_on - dt.timedelta(days=2), ends_on) == due
    assert template.entry("23.2.4").phase == "before"  # as given
    assert (
        templates.parse(
            {"entries": [{k: v for k, v in new_year_cards().items() if k != "phase"}]}, "t.yaml"
        )
        .entry("23.2.4")
        .phase
        == "after"
    )


def test_a_calendar_date_after_an_entry_due_later_after_some_conferences_is_refused():
    photos = entry("23.2.2", {"milestone": "end", "offset_days": 14})

    message = refusal(photos, new_year_cards(after=["23.2.2"]))

    # A conference ending on 14 December: cards on the 15th, photos on the 28th.
    assert "entry 23.2.4 is due 2027-12-15, before entry 23.2.2 it comes after" in message
    parse(entry("23.2.1", {"milestone": "end", "offset_days": 1}),
          new_year_cards(after=["23.2.1"]))  # fmt: skip


@pytest.mark.parametrize(
    ("due", "field"),
    [
        ({"milestone": "date", "month": 2, "day": 29}, "no such day in every year"),
        ({"milestone": "date", "month": 13, "day": 1}, "month"),
        ({"milestone": "date", "month": 12}, "milestone date needs month and day"),
        ({"milestone": "date", "month": 12, "day": 15, "offset_days": 3}, "offset_days"),
        ({"milestone": "end", "offset_days": 3, "month": 12}, "month and day are for"),
    ],
)
def test_a_malformed_calendar_date_is_refused_naming_the_entry_and_why(due, field):
    message = refusal(entry("23.2.4", due))

    assert "entry 23.2.4" in message
    assert field in message


# -- conference.yaml ------------------------------------------------------------------------
@functools.cache
def full():
    return templates.load("conference")


def dependencies(template, code):
    """The codes an entry depends on: declared, and the anchors its dates are counted from."""
    entry = template.entry(code)
    anchors = [entry.anchor] if entry.milestone == "entry" else []
    if entry.opens is not None and entry.opens.milestone == "entry":
        anchors.append(entry.opens.anchor)
    return {*entry.after, *anchors}


# One-day and multi-day conferences, starting in every month (calendar dates fall on
# both sides of the end), and a conference ending the day before the new-year cards.
CONFERENCES = [
    (dt.date(2027, month, day), dt.date(2027, month, day) + dt.timedelta(days=length - 1))
    for month in range(1, 13)
    for day in (1, 20)
    for length in (1, 3, 7)
] + [(dt.date(2027, 12, 14), dt.date(2027, 12, 14)), (dt.date(2027, 12, 12), dt.date(2027, 12, 14))]


@pytest.mark.parametrize("profile", PROFILES)
def test_no_entry_of_any_profiles_plan_is_due_before_an_entry_it_depends_on(profile):
    template = full()
    plan = {e.code for e in template.select(profile)}
    checked = 0
    for starts_on, ends_on in CONFERENCES:
        due = {code: template.due_on(code, starts_on, ends_on, profile) for code in plan}
        for code in plan:
            for other in dependencies(template, code) & plan:
                assert due[code] >= due[other], (profile, starts_on, ends_on, code, other)
                checked += 1
    assert checked > 300 * len(CONFERENCES)


def test_the_plan_declares_the_dependencies_a_project_manager_expects():
    template = full()

    def after(code):
        return set(template.entry(code).after)

    assert sum(len(e.after) for e in template.entries) >= 400
    assert {"8.1.2", "8.1.3", "8.1.4", "8.1.5", "8.1.6", "8.1.7"} <= after("8.2.1")  # D1
    assert "8.2.2" in after("8.2.4") and "8.2.5" in after("8.2.6")
    assert template.entry("8.4.3").anchor == "8.4.4"  # D2: paid against the fapiao
    assert {"1.6.4", "5.2.4"} <= after("1.7.7")  # D4
    assert "16.1.1" in after("11.1.4")  # D5: translated before the layout
    assert "21.1.1" in after("1.3.5")  # D7: risks assessed before the venue is bound
    assert "1.3.5" in after("8.1.2")  # the venue before its rooms
    assert "8.3.3" in after("8.4.1")  # a contract before its delivery
    assert "1.7.7" in after("9.1.1")  # speakers confirmed before their travel
    assert "21.3.6" in after("15.2.1")  # badges printed after their names are checked


def test_the_review_dates_are_fixed():
    template = full()
    start = dt.date(2027, 5, 12)

    def day(code, profile="academic", ends_on=start):
        return (template.due_on(code, start, ends_on, profile) - start).days

    assert day("8.1.2") < day("8.2.1") < day("8.2.4") < day("8.2.6")  # D1
    assert day("8.4.4") < day("8.4.3")  # D2
    assert template.entry("23.2.4").month_day == (12, 15)  # D3
    assert day("5.2.4") <= -270 and day("1.6.4") < day("5.2.4")  # D4: the call opens
    assert day("1.7.7") - day("5.2.4") >= 150  # time to submit, review and decide
    assert day("16.1.1") < day("11.1.4")  # D5
    assert day("21.1.1") < day("1.3.5")  # D7
    assert day("4.1.6") <= -45
    for profile in ("business", "corporate_annual"):  # the call's lead time is academic only
        assert day("1.6.2", profile) == -160


def test_the_template_with_the_old_vendor_dates_is_refused():
    with open(templates.TEMPLATES / "conference.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    broken = copy.deepcopy(data)
    (vendors,) = [s for s in broken["sections"] if s["code"] == "8"]
    for raw in vendors["items"][0]["entries"]:
        if raw["code"] == "8.1.4":
            raw["due"] = {"milestone": "start", "offset_days": -60}

    with pytest.raises(TemplateError) as raised:
        templates.parse(broken, "conference.yaml")

    assert "entry 8.2.1 is due" in str(raised.value)
    assert "before entry 8.1.4 it comes after" in str(raised.value)
    templates.parse(data, "conference.yaml")  # as it is, it loads
