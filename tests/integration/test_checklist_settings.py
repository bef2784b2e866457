"""A conference's settings against the real checklist service: given when it is opened,
changed later by an organizer, each change re-evaluating the entries that use the setting
(verified, or re-opened), and bad input refused with the field and nothing stored.

Vendors' events are real (the vendors service runs). The codes that use `main_vendors`
are written out, read by hand from services/checklist/templates/conference.yaml.
"""

import csv
import io
import json

from services.checklist.domain import entry_id
from tests.integration.test_cli import huiwu
from tests.integration.test_cli import ok as ran
from tests.support.slice import add_vendor, ok
from tests.support.upstream import Captured, entry, open_plan, stored, wait_consumed, wait_entry

MAIN_VENDORS = ["8.2.1", "8.2.6", "8.3.3"]  # shortlisted, selected, contracted
DEFAULTS = {
    "main_vendors": 3,
    "min_vendor_quotes": 3,
    "onsite_checkin_ratio": 0.5,
    "survey_response_ratio": 0.2,
}


def settings_of(system, conference_id):
    answer = ok(system["checklist"].get(f"/conferences/{conference_id}/settings"))
    return {s["name"]: s for s in answer["settings"]}


def change(system, conference_id, settings, reason="the board asks", **kwargs):
    body = {"settings": settings, "reason": reason, **kwargs}
    return system["checklist"].post(f"/conferences/{conference_id}/settings", body)


def refused(response, field, words):
    """400, naming `field`, and why (a setting's errors are nested under its name)."""
    assert response.status == 400, response
    assert words in json.dumps(response.json["errors"][field]), response.json


def test_settings_given_when_opened_and_changed_re_evaluate_the_entries_using_them(system):
    system.start("checklist", "vendors")
    checklist = system["checklist"]
    checklist_events = Captured(system.amqp_uri)
    conference_id = open_plan(system, settings={"main_vendors": 4})

    conference = ok(checklist.get(f"/conferences/{conference_id}"))
    assert conference["settings"] == {**DEFAULTS, "main_vendors": 4}
    described = settings_of(system, conference_id)["main_vendors"]
    assert (described["value"], described["default"], described["type"]) == (4, 3, "integer")
    assert (described["min"], described["max"], described["entries"]) == (1, 50, MAIN_VENDORS)
    assert described["description_zh"] and described["description_en"]
    assert {code: entry(system, conference_id, code)["target"] for code in MAIN_VENDORS} == {
        code: 4 for code in MAIN_VENDORS
    }
    for n in range(3):
        add_vendor(system, conference_id, f"Vendor {n + 1}", categories=("catering",))
    wait_consumed(checklist, "vendors", "processed", 3)
    wait_entry(system, conference_id, "8.2.1", status="in_progress", members=3, percent=75)

    # Three main vendors after all: the shortlist of three is enough.
    answer = ok(change(system, conference_id, {"main_vendors": 3}, actor="wang"))

    assert answer["changed"] == {"main_vendors": 3}
    by_code = {e["code"]: e for e in answer["entries"]}
    assert sorted(by_code) == MAIN_VENDORS  # every entry using it, new target and all
    assert {code: e["target"] for code, e in by_code.items()} == dict.fromkeys(MAIN_VENDORS, 3)
    assert by_code["8.2.1"]["status"] == "verified"
    assert by_code["8.2.6"]["status"] == by_code["8.3.3"]["status"] == "open"
    verified = entry(system, conference_id, "8.2.1")
    (proof,) = verified["proofs"]
    assert (proof["kind"], proof["members"], proof["target"]) == ("rule", 3, 3)
    assert proof["last"]["event_type"] == "ConferenceSettingsChanged"
    assert proof["last"]["actor"] == "wang"
    assert settings_of(system, conference_id)["main_vendors"]["value"] == 3

    # Five: the shortlist is short again, and the entry re-opens.
    ok(change(system, conference_id, {"main_vendors": 5}, "two more halls", actor="wang"))

    reopened = entry(system, conference_id, "8.2.1")
    assert (reopened["status"], reopened["target"], reopened["proofs"]) == ("in_progress", 5, [])
    assert reopened["progress"]["percent"] == 60
    aggregate = str(entry_id(conference_id, "8.2.1"))
    changes = checklist_events.wait_for("ConferenceSettingsChanged", conference_id, count=3)
    assert [(e["payload"]["settings"], e["payload"]["reason"]) for e in changes] == [
        ({**DEFAULTS, "main_vendors": 4}, "set when the conference was opened"),
        ({"main_vendors": 3}, "the board asks"),
        ({"main_vendors": 5}, "two more halls"),
    ]
    targets = checklist_events.wait_for("EntryTargetChanged", aggregate, count=2)
    assert [e["payload"]["target"] for e in targets] == [3, 5]
    (reopened_event,) = checklist_events.wait_for("EntryReopened", aggregate)
    assert reopened_event["payload"]["reason"] == (
        "settings changed: main_vendors = 5 (two more halls)"
    )
    assert reopened_event["actor"] == "wang"

    # The plan export says which setting a target follows.
    exported = checklist.get(f"/conferences/{conference_id}/plan.csv?section=8")
    rows = list(csv.DictReader(io.StringIO(exported.raw.decode("utf-8-sig"))))
    (shortlist,) = [row for row in rows if row["Code"] == "8.2.1"]
    assert "≥ 5 (setting main_vendors)" in " ".join(shortlist.values())

    # A value the conference already has changes nothing.
    before = stored(checklist)
    assert ok(change(system, conference_id, {"main_vendors": 5}))["changed"] == {}
    assert stored(checklist) == before


def test_bad_settings_are_refused_naming_the_field_and_nothing_is_stored(sqlite_system):
    system = sqlite_system.start("checklist")
    checklist = system["checklist"]
    conference_id = open_plan(system)
    before = stored(checklist)

    refused(change(system, conference_id, {"main_vendor": 4}), "settings", "no such setting")
    refused(
        change(system, conference_id, {"main_vendors": 0}),
        "settings",
        "main_vendors: must be from 1 to 50, not 0",
    )
    refused(
        change(system, conference_id, {"onsite_checkin_ratio": 1.5}),
        "settings",
        "onsite_checkin_ratio: must be from 0.05 to 1.0, not 1.5",
    )
    refused(
        change(system, conference_id, {"min_vendor_quotes": 2.5}),
        "settings",
        "must be a whole number",
    )
    refused(change(system, conference_id, {"main_vendors": "4"}), "settings", "valid number")
    refused(change(system, conference_id, {}), "settings", "between 1 and 50")
    response = checklist.post(
        f"/conferences/{conference_id}/settings", {"settings": {"main_vendors": 4}}
    )
    refused(response, "reason", "Missing data")
    response = checklist.post(
        "/conferences",
        {
            "name": "Forum",
            "starts_on": "2027-05-12",
            "ends_on": "2027-05-14",
            "city": "Hangzhou",
            "expected_attendance": 500,
            "profile": "academic",
            "settings": {"main_vendors": 51},
        },
    )
    refused(response, "settings", "main_vendors: must be from 1 to 50, not 51")
    # Only an organizer of the conference (or an admin) changes its settings.
    venue = system.token("li", "venue", conference_id)
    body = {"settings": {"main_vendors": 4}, "reason": "the board asks"}
    path = f"/conferences/{conference_id}/settings"
    assert checklist.post(path, body, token=venue).status == 403
    elsewhere = system.token("wang", "organizer", "c0ffee00-0000-4000-8000-00000000beef")
    assert checklist.post(path, body, token=elsewhere).status == 403
    unknown = "/conferences/c0ffee00-0000-4000-8000-00000000beef/settings"
    refused_unknown = checklist.post(unknown, body)
    assert refused_unknown.status == 404, refused_unknown
    assert stored(checklist) == before
    assert ok(checklist.get(f"/conferences/{conference_id}"))["settings"] == DEFAULTS
    organizer = system.token("wang", "organizer", conference_id)
    assert ok(checklist.post(path, body, token=organizer))["changed"] == {"main_vendors": 4}


def test_settings_through_the_command_line(sqlite_system):
    system = sqlite_system.start("checklist")
    conference_id = ran(
        huiwu(
            system,
            *("conference", "open", "--name", "Asia Pharma Forum 2027", "--city", "Hangzhou"),
            *("--start", "2027-05-12", "--end", "2027-05-14", "--attendance", "500"),
            *("--profile", "academic", "--setting", "min_vendor_quotes=2"),
        )
    ).strip()

    shown = ran(huiwu(system, "conference", "settings", conference_id))
    (quotes,) = [line for line in shown.splitlines() if line.startswith("min_vendor_quotes")]
    assert quotes.split()[:7] == ["min_vendor_quotes", "2", "3", "1", "..", "20", "8.2.4"]
    assert "min_vendor_quotes=2" in ran(huiwu(system, "conference", "show", conference_id))

    bad = huiwu(
        system,
        *("conference", "set", conference_id, "--setting", "min_vendor_quotes=0"),
        *("--reason", "fewer quotes"),
    )
    assert bad.returncode == 2, bad
    assert "settings (--setting): min_vendor_quotes: must be from 1 to 20, not 0" in bad.stderr

    changed = ran(
        huiwu(
            system,
            *("conference", "set", conference_id, "--setting", "min_vendor_quotes=4"),
            *("--reason", "four quotes for every need"),
        )
    )
    assert changed.splitlines() == ["changed: min_vendor_quotes = 4", "8.2.4: open, 0 of 4"]
    assert entry(system, conference_id, "8.2.4")["target"] == 4
