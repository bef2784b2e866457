"""Running a plan through checklist's API: evidence, waivers and re-opening, the team and
owners, due dates and progress, filtered views in both languages, overdue entries and
their metrics, and profiles with a custom selection.

Only checklist runs; an entry verified by an event gets it from a forged budget event.

Codes and dates are taken from the template, and those that matter are also written out
here, read by hand from services/checklist/templates/conference.yaml for a conference from
2027-05-12 to 2027-05-14: a mistake in selection or due dates would otherwise be on both
sides of an assertion.
"""

import datetime as dt
import urllib.parse
from collections import Counter

from services.checklist.domain import entry_id
from tests.support.slice import CONFERENCE, ok
from tests.support.upstream import (
    Captured,
    ForgedUpstream,
    by_hand,
    codes_of,
    consumed,
    entry,
    open_plan,
    single_rule,
    stored,
    template,
    wait_consumed,
    wait_entry,
)

STARTS, ENDS = (dt.date.fromisoformat(CONFERENCE[k]) for k in ("starts_on", "ends_on"))

# Due dates worked out by hand from each entry's `due:` in conference.yaml.
DUE = {
    "1.1.1": "2026-06-16",  # start - 330 (academic: the call for papers comes first)
    "1.3.1": "2026-12-03",  # start - 160
    "1.3.5": "2027-01-12",  # start - 120
    "7.2.4": "2027-03-13",  # start - 60
    "7.2.5": "2027-04-12",  # 7.2.4 + 30
    "9.3.2": "2027-05-11",  # start - 1
    "19.1.6": "2027-05-14",  # end + 0: every day's dining areas, from the start
    "8.4.1": "2027-05-17",  # end + 3
    "8.4.4": "2027-05-24",  # 8.4.1 + 7: the vendor's fapiao first
    "8.4.3": "2027-05-31",  # 8.4.4 + 7: paid against it
    "2.5.4": "2027-06-28",  # end + 45
}
# Entries of the academic plan owned by the venue role, in plan order.
VENUE = [
    "1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.3.5", "4.1.2", "8.1.1", "8.1.2", "12.1.1",
    "12.1.2", "12.1.5", "12.1.6", "12.2.1", "12.3.6", "17.1.1", "17.1.2", "17.1.3", "17.1.4",
    "17.1.5", "17.1.6", "17.1.7", "17.4.1", "17.4.2", "17.4.3", "17.4.4", "17.4.5", "21.5.1",
    "21.5.2", "21.5.3", "21.5.5",
]  # fmt: skip


def academic(predicate=lambda e: True):
    return [e for e in template().select("academic") if predicate(e)]


def by_evidence():
    """Codes of entries proved only by evidence, in plan order."""
    return [e.code for e in academic(lambda e: e.rule is None)]


def due(code):
    return template().due_on(code, STARTS, ENDS, CONFERENCE["profile"])


def plan_codes(system, conference_id, **query):
    path = f"/conferences/{conference_id}/plan"
    if query:
        path += "?" + urllib.parse.urlencode(query)
    return codes_of(ok(system["checklist"].get(path))["entries"])


def errors_of(response, status=400):
    assert response.status == status, response
    return response.json["errors"]


def shown_entries(system, conference_id):
    return ok(system["checklist"].get(f"/conferences/{conference_id}"))["entries"]


def samples(system, name):
    """{label value: sample value} of a one-label gauge on checklist's /metrics."""
    found = {}
    for line in system["checklist"].get("/metrics").text.splitlines():
        if line.startswith(name + "{"):
            sample, _, value = line.rpartition(" ")
            found[sample.split('"')[1]] = float(value)
    return found


# -- 5. evidence --------------------------------------------------------------------------
def test_verifying_by_hand_needs_evidence_and_keeps_who_when_and_where(sqlite_system):
    system = sqlite_system
    system.start("checklist")
    checklist = system["checklist"]
    conference_id = open_plan(system)
    code = by_evidence()[0]
    assert code == "1.1.1"
    verify = f"/conferences/{conference_id}/entries/{code}/verify"
    before = stored(checklist)

    assert list(errors_of(checklist.post(verify, {"actor": "chen"}))) == ["evidence"]
    assert errors_of(checklist.post(verify, {"actor": "chen", "evidence": []})) == {
        "evidence": ["verifying by hand needs at least one evidence record"]
    }
    bad_references = {
        "_schema": {"url": "https://docs.example.cn/m.pdf", "note": "see the minutes"},
        "filename": {"sha256": "ab" * 32},
        "sha256": {"sha256": "XY" * 32, "filename": "minutes.pdf"},
    }
    for field, reference in bad_references.items():
        body = {"actor": "chen", "evidence": [{"kind": "document", "reference": reference}]}
        errors = errors_of(checklist.post(verify, body))
        assert list(errors["evidence"]["0"]["reference"]) == [field], errors
    unknown_kind = {"kind": "rumour", "reference": {"note": "heard it"}}
    errors = errors_of(checklist.post(verify, {"actor": "chen", "evidence": [unknown_kind]}))
    assert list(errors["evidence"]["0"]) == ["kind"]
    assert stored(checklist) == before  # nothing was recorded
    assert entry(system, conference_id, code)["status"] == "open"

    evidence = [
        {
            "proof": "positioning_meeting_minutes",
            "reference": {"url": "https://docs.example.cn/kickoff"},
        },
        {
            "proof": "approved_concept_paper",
            "reference": {"sha256": "0f" * 32, "filename": "立项书.pdf"},
        },
    ]
    assert [p["proof"] for p in template().entry(code).evidence] == [
        "approved_concept_paper",
        "positioning_meeting_minutes",
    ]
    started = dt.datetime.now(dt.UTC)
    verified = ok(checklist.post(verify, {"actor": "chen", "evidence": evidence}))
    finished = dt.datetime.now(dt.UTC)

    assert verified["status"] == "verified"
    assert verified["flags"] == []
    (proof,) = verified["proofs"]
    assert proof["kind"] == "evidence"
    assert proof["verified_by"] == "chen"
    recorded = proof["evidence"]
    assert [(r["proof"], r["kind"], r["reference"], r["recorded_by"]) for r in recorded] == [
        (e["proof"], kind, e["reference"], "chen")
        for e, kind in zip(evidence, ("meeting_minutes", "document"), strict=True)
    ]
    for record in recorded:
        at = dt.datetime.fromisoformat(record["recorded_at"])
        assert at.utcoffset() == dt.timedelta(0)
        assert started <= at <= finished
        assert record["recorded_at"] == proof["verified_at"]
    assert entry(system, conference_id, code) == verified
    assert stored(checklist) == before + 1


def test_a_record_the_entry_does_not_name_needs_a_reason_and_flags_the_plan(sqlite_system):
    system = sqlite_system
    system.start("checklist")
    checklist = system["checklist"]
    conference_id = open_plan(system)
    code = "1.1.2"
    verify = f"/conferences/{conference_id}/entries/{code}/verify"
    call = [{"kind": "phone_record", "reference": {"note": "call with the dean, 14:00"}}]
    before = stored(checklist)

    refused = errors_of(checklist.post(verify, {"actor": "chen", "evidence": call}))
    assert list(refused) == ["reason"]
    assert "size_target_sheet" in refused["reason"][0]  # the proofs it names, to choose from
    wrong = [{"proof": "signed_venue_contract", "reference": {"note": "drawer"}}]
    assert list(errors_of(checklist.post(verify, {"actor": "chen", "evidence": wrong}))) == [
        "evidence[0].proof"
    ]
    assert stored(checklist) == before

    reason = "the dean set the size by phone; the target sheet follows in May"
    body = {"actor": "chen", "evidence": call, "reason": reason}
    verified = ok(checklist.post(verify, body))
    assert (verified["status"], verified["flags"]) == ("verified", ["unnamed_proof"])
    assert verified["proofs"][0]["reason"] == reason
    shown = {
        e["code"]: e for e in ok(checklist.get(f"/conferences/{conference_id}/plan"))["entries"]
    }
    assert shown[code]["flags"] == ["unnamed_proof"] and shown["1.1.1"]["flags"] == []
    exported = checklist.get(f"/conferences/{conference_id}/plan.csv").text
    assert f"unnamed proof: {reason}" in exported


# -- 6. waive and re-open -----------------------------------------------------------------
def test_waive_needs_a_reason_and_only_what_was_done_by_hand_reopens(sqlite_system):
    system = sqlite_system
    system.start("checklist")
    checklist = system["checklist"]
    conference_id = open_plan(system)
    code, by_hand_code = by_evidence()[:2]
    assert (code, by_hand_code) == ("1.1.1", "1.1.2")
    base = f"/conferences/{conference_id}/entries"
    before = stored(checklist)

    assert list(errors_of(checklist.post(f"{base}/{code}/waive", {"actor": "wang"}))) == ["reason"]
    empty = {"actor": "wang", "reason": ""}
    assert list(errors_of(checklist.post(f"{base}/{code}/waive", empty))) == ["reason"]
    assert stored(checklist) == before

    reason = "the dean decided the purpose at the founding meeting"
    waived = ok(checklist.post(f"{base}/{code}/waive", {"actor": "wang", "reason": reason}))

    assert waived["status"] == "waived"
    assert waived["waived"] == {"reason": reason, "by": "wang"}
    assert entry(system, conference_id, code)["status"] == "waived"
    again = checklist.post(f"{base}/{code}/waive", {"actor": "wang", "reason": reason})
    assert again.status == 409 and "already waived" in again.json["message"]
    evidence = by_hand(code)
    refused = checklist.post(f"{base}/{code}/verify", {"actor": "wang", "evidence": evidence})
    assert refused.status == 409 and "waived" in refused.json["message"]

    assert "reason" in errors_of(checklist.post(f"{base}/{code}/reopen", {"actor": "wang"}))
    reopen = {"actor": "wang", "reason": "the board wants it written down after all"}
    reopened = ok(checklist.post(f"{base}/{code}/reopen", reopen))

    assert (reopened["status"], reopened["waived"], reopened["proofs"]) == ("open", None, [])
    not_closed = checklist.post(f"{base}/{code}/reopen", reopen)
    assert not_closed.status == 409 and "open, not verified or waived" in not_closed.json["message"]

    named = {"actor": "wang", "evidence": by_hand(by_hand_code)}
    ok(checklist.post(f"{base}/{by_hand_code}/verify", named))
    reopened = ok(checklist.post(f"{base}/{by_hand_code}/reopen", reopen))
    assert (reopened["status"], reopened["proofs"]) == ("open", [])

    # An entry verified by another service's event re-opens only when that is undone.
    budget = ForgedUpstream(system.amqp_uri, "budget", conference_id)
    ceiling = {"scope": "conference", "ceiling_minor": {">=": 1}}
    (by_event,) = single_rule("budget.BudgetApproved", **ceiling)
    assert by_event == "2.2.1"  # the conference's budget approved with its ceiling
    approved = {"scope": "conference", "ceiling_minor": 80_000_000, "currency": "CNY"}
    budget.emit("BudgetApproved", version=2, approved_by="board", **approved)
    wait_entry(system, conference_id, by_event, status="verified")

    conflict = checklist.post(f"{base}/{by_event}/reopen", reopen)

    assert conflict.status == 409, conflict
    assert conflict.json["error"] == "Conflict"
    assert conflict.json["message"] == (
        f"entry {by_event} is verified by events of other services; it re-opens when those "
        "are undone (a contract cancelled, a payment refunded)"
    )
    assert entry(system, conference_id, by_event)["status"] == "verified"


# -- 7. team, owners, due dates, progress, views ------------------------------------------
def test_owners_due_dates_progress_and_the_filtered_plan(sqlite_system):
    system = sqlite_system
    system.start("checklist")
    checklist = system["checklist"]
    conference_id = open_plan(system)
    team = f"/conferences/{conference_id}/team"
    li = {"member_id": "li.na", "name": "Li Na", "roles": ["venue"], "actor": "wang"}
    zhou = {"name": "Zhou Min", "roles": ["catering", "logistics"], "actor": "wang"}

    assert ok(checklist.post(team, li), 201) == {
        "member_id": "li.na",
        "name": "Li Na",
        "roles": ["venue"],
        "email": None,
    }
    zhou_id = ok(checklist.post(team, zhou), 201)["member_id"]
    assert checklist.post(team, li).status == 409
    assert "roles" in errors_of(checklist.post(team, {**li, "roles": ["chef"]}))
    members = ok(checklist.get(f"/conferences/{conference_id}"))["team"]
    assert [m["name"] for m in members] == ["Li Na", "Zhou Min"]

    assign = f"/conferences/{conference_id}/assignments"
    venue = [e.code for e in academic(lambda e: e.owner_role == "venue")]
    catering_by_hand = [e.code for e in academic(lambda e: e.owner_role == "catering")][:2]
    assert venue == VENUE
    assert catering_by_hand == ["4.1.6", "13.1.4"]

    assigned = ok(checklist.post(assign, {"member_id": "li.na", "role": "venue", "actor": "wang"}))
    assert assigned == {"assigned": venue, "owner": {"member_id": "li.na", "name": "Li Na"}}
    body = {"member_id": zhou_id, "codes": catering_by_hand, "actor": "wang"}
    assert ok(checklist.post(assign, body))["assigned"] == catering_by_hand
    nobody = {"member_id": "nobody", "role": "venue", "actor": "wang"}
    assert "member_id" in errors_of(checklist.post(assign, nobody))
    assert "codes" in errors_of(checklist.post(assign, {"member_id": "li.na", "actor": "wang"}))
    assert entry(system, conference_id, venue[0])["owner"] == assigned["owner"]

    assert [STARTS.isoformat(), ENDS.isoformat()] == ["2027-05-12", "2027-05-14"]  # for DUE
    for code, date in DUE.items():  # as planned, before any is moved
        assert (entry(system, conference_id, code)["due_on"], due(code).isoformat()) == (
            date,
            date,
        ), code
    moved = venue[0]
    due_date = f"/conferences/{conference_id}/entries/{moved}/due-date"
    later = due(moved) + dt.timedelta(days=21)
    assert later == dt.date(2026, 12, 24)  # 1.3.1 is due 2026-12-03
    no_reason = {"due_on": later.isoformat(), "actor": "li.na"}
    assert "reason" in errors_of(checklist.post(due_date, no_reason))
    changed = ok(checklist.post(due_date, {**no_reason, "reason": "the venue needs 3 weeks"}))
    assert changed["due_on"] == later.isoformat()

    busy = catering_by_hand[0]
    progress = f"/conferences/{conference_id}/entries/{busy}/progress"
    assert "state" in errors_of(checklist.post(progress, {"state": "asleep", "percent": 1}))
    assert "percent" in errors_of(
        checklist.post(progress, {"state": "in_progress", "percent": 101, "actor": "zhou"})
    )
    recorded = ok(
        checklist.post(
            progress,
            {"state": "in_progress", "percent": 40, "note": "two menus tasted", "actor": "zhou"},
        )
    )
    assert recorded["status"] == "in_progress"
    assert recorded["progress"] == {
        "state": "in_progress",
        "percent": 40,
        "note": "two menus tasted",
    }

    # Views of the plan.
    assert plan_codes(system, conference_id, owner="li.na") == venue
    assert plan_codes(system, conference_id, owner="Li Na") == venue
    assert plan_codes(system, conference_id, owner="venue") == venue  # the role
    assert plan_codes(system, conference_id, owner=zhou_id) == catering_by_hand
    assert plan_codes(system, conference_id, status="in_progress") == [busy]
    assert plan_codes(system, conference_id, owner=zhou_id, status="open") == catering_by_hand[1:]
    section = [e.code for e in academic(lambda e: e.section == "19")]
    assert section == ["19.1.1", "19.1.2", "19.1.3", "19.1.4", "19.1.5", "19.1.6"]
    assert plan_codes(system, conference_id, section="19") == section
    after = [e.code for e in academic(lambda e: e.phase == "after")]
    assert len(after) == 47 and after[:4] == ["2.5.1", "2.5.2", "2.5.3", "2.5.4"]
    assert plan_codes(system, conference_id, phase="after") == after
    window_from, window_to = STARTS - dt.timedelta(days=30), STARTS - dt.timedelta(days=14)
    window = [
        e.code
        for e in academic()
        if window_from <= (later if e.code == moved else due(e.code)) <= window_to
    ]
    assert window
    got = plan_codes(system, conference_id, due_from=window_from, due_to=window_to)
    assert got == window
    assert plan_codes(system, conference_id, due_from=later, due_to=later, owner="li.na") == [
        c for c in venue if c == moved or due(c) == later
    ]

    for lang, title in (("zh", "title_zh"), ("en", "title_en")):
        path = f"/conferences/{conference_id}/plan?section=19&lang={lang}"
        shown = ok(checklist.get(path))["entries"]
        assert [e["title"] for e in shown] == [getattr(template().entry(c), title) for c in section]
    bad = checklist.get(f"/conferences/{conference_id}/plan?lang=fr")
    assert "lang" in errors_of(bad)


# -- 8. overdue ---------------------------------------------------------------------------
def test_overdue_entries_are_flagged_once_per_due_date_and_counted(sqlite_system):
    system = sqlite_system
    system.start("checklist")
    checklist = system["checklist"]
    conference_id = open_plan(system)
    events = Captured(system.amqp_uri)
    dates = sorted({due(e.code) for e in academic()})
    today = dates[2] + dt.timedelta(days=1)  # after the three earliest due dates
    # start - 330, - 320 and - 310: an academic plan starts with its call for papers
    assert dates[:3] == [dt.date(2026, 6, 16), dt.date(2026, 6, 26), dt.date(2026, 7, 6)]
    past_due = [e.code for e in academic() if due(e.code) < today]
    assert past_due == [
        *("1.1.1", "1.1.2"),  # start - 330
        "1.2.1",  # - 320, and 1.6.1
        *("1.6.1", "1.6.2"),  # - 310
    ]
    verified, waived, flagged_twice = past_due[1], past_due[-1], past_due[0]
    base = f"/conferences/{conference_id}/entries"
    reference = {"url": "https://docs.example.cn/plan"}
    evidence = by_hand(verified, reference)
    ok(checklist.post(f"{base}/{verified}/verify", {"actor": "wang", "evidence": evidence}))
    ok(checklist.post(f"{base}/{waived}/waive", {"actor": "wang", "reason": "not this year"}))
    overdue = f"/conferences/{conference_id}/overdue"
    expected = [c for c in past_due if c not in (verified, waived)]

    first = ok(checklist.post(overdue, {"actor": "wang", "today": today.isoformat()}))

    assert first == {"today": today.isoformat(), "overdue": expected}
    assert (
        ok(checklist.post(overdue, {"actor": "wang", "today": today.isoformat()}))["overdue"] == []
    )
    assert entry(system, conference_id, flagged_twice)["overdue"] is True
    for code in (verified, waived):
        assert entry(system, conference_id, code)["overdue"] is False

    moved_to = today + dt.timedelta(days=9)  # 2026-07-16, as the entries due at start - 300
    body = {"due_on": moved_to.isoformat(), "reason": "waiting for the board", "actor": "wang"}
    moved = ok(checklist.post(f"{base}/{flagged_twice}/due-date", body))
    assert moved["overdue"] is False
    assert (
        ok(checklist.post(overdue, {"actor": "wang", "today": today.isoformat()}))["overdue"] == []
    )
    later = moved_to + dt.timedelta(days=1)
    newly_due = [e.code for e in academic() if today <= due(e.code) < later]
    assert newly_due == ["1.4.1", "1.6.3", "5.1.1"]  # start - 300

    second = ok(checklist.post(overdue, {"actor": "wang", "today": later.isoformat()}))

    assert second["overdue"] == sorted(
        [flagged_twice, *newly_due], key=[e.code for e in academic()].index
    )
    assert (
        ok(checklist.post(overdue, {"actor": "wang", "today": later.isoformat()}))["overdue"] == []
    )
    total = len(expected) + 1 + len(newly_due)
    events.wait_for("EntryOverdue", count=total)
    flags = {
        code: [e["payload"] for e in events.of("EntryOverdue", str(entry_id(conference_id, code)))]
        for code in past_due + newly_due
    }
    assert flags[flagged_twice] == [
        {"due_on": due(flagged_twice).isoformat(), "noticed_on": today.isoformat()},
        {"due_on": moved_to.isoformat(), "noticed_on": later.isoformat()},
    ]
    assert flags[verified] == flags[waived] == []
    for code in expected[1:] + newly_due:
        assert len(flags[code]) == 1, code
    assert len(events.of("EntryOverdue")) == total

    # Verified once flagged: no longer overdue, in the entry nor in the gauges.
    late = expected[1]
    evidence = by_hand(late, reference)
    done = ok(checklist.post(f"{base}/{late}/verify", {"actor": "wang", "evidence": evidence}))
    assert (done["status"], done["overdue"]) == ("verified", False)
    assert entry(system, conference_id, late)["overdue"] is False
    refresh = ok(checklist.post(overdue, {"actor": "wang", "today": later.isoformat()}))
    assert refresh["overdue"] == []  # nothing new: every one is flagged already

    # The gauges count the entries flagged for their current due date and still open.
    still_overdue = [c for c in expected + newly_due if c != late]
    by_section = dict(Counter(c.split(".")[0] for c in still_overdue))
    by_owner = dict(Counter(f"role:{template().entry(c).owner_role}" for c in still_overdue))
    assert by_section == {"1": 4, "5": 1}
    assert by_owner == {"role:project_lead": 4, "role:web": 1}  # 5.1.1 is web's
    assert samples(system, "huiwu_checklist_overdue_entries_by_section") == by_section
    assert samples(system, "huiwu_checklist_overdue_entries_by_owner") == by_owner
    assert samples(system, "huiwu_checklist_entries") == {
        "open": 389 - 3,
        "in_progress": 0,
        "verified": 2,
        "waived": 1,
    }


# -- 9. profiles and a custom selection ---------------------------------------------------
def test_profiles_and_a_custom_selection_through_the_api(sqlite_system):
    system = sqlite_system
    system.start("checklist")
    checklist = system["checklist"]
    sizes = {
        profile: len(template().select(profile))
        for profile in ("academic", "business", "corporate_annual")
    }
    assert sizes == {"academic": 389, "business": 387, "corporate_annual": 351}

    corporate = open_plan(system, profile="corporate_annual")

    shown = ok(checklist.get(f"/conferences/{corporate}"))
    assert (shown["profile"], shown["entries"]) == ("corporate_annual", 351)
    assert plan_codes(system, corporate, section="7") == []
    assert plan_codes(system, corporate, section="16") == []
    assert plan_codes(system, corporate, section="4") != []  # the themed evening stays
    assert checklist.get(f"/conferences/{corporate}/entries/10.1.4").status == 404
    budget = ForgedUpstream(system.amqp_uri, "budget", corporate)
    budget.emit("SponsorSigned", level="gold", amount_minor=500_000, currency="CNY")
    wait_consumed(checklist, "budget", "processed", 1)  # no sponsorship entry: no effect
    assert consumed(checklist, "budget", "dead_lettered") == 0
    sponsorship = single_rule("budget.SponsorSigned")
    assert sponsorship == ["7.2.4"]
    for code in sponsorship:
        assert checklist.get(f"/conferences/{corporate}/entries/{code}").status == 404

    include, exclude = ["7", "10.1.4"], ["4.1", "1.1.1"]
    custom = open_plan(
        system,
        profile="corporate_annual",
        include=include,
        exclude=exclude,
        name="Annual Meeting 2027",
    )

    chosen = codes_of(ok(checklist.get(f"/conferences/{custom}/plan"))["entries"])
    expected = [e.code for e in template().select("corporate_annual", include, exclude)]
    assert chosen == expected
    section_7 = [e.code for e in template().entries if e.section == "7"]
    item_41 = [e.code for e in template().entries if e.item == "4.1"]
    assert section_7 == ["7.1.1", "7.1.2", "7.1.3", "7.2.1", "7.2.2", "7.2.3", "7.2.4", "7.2.5"]
    assert item_41 == ["4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.1.5", "4.1.6", "4.1.7"]
    assert len(chosen) == 351 + 8 + 1 - 7 - 1 == 352
    assert shown_entries(system, custom) == 352
    assert set(section_7) <= set(chosen) and "10.1.4" in chosen
    assert not ({"1.1.1", *item_41} & set(chosen))
    shown = ok(checklist.get(f"/conferences/{custom}"))
    assert shown["selection"] == {"include": sorted(include), "exclude": sorted(exclude)}
    # Read from conference.yaml: 10.1.4 comes with its rule (every order placed before the
    # event paid) and its window, from registration opening (2.1.3, start - 100) to the last
    # day; 2.1.3 is not in this plan, so the dependency on it is not in force here.
    included = entry(system, custom, "10.1.4")
    assert included["verification"]["rule"] == {
        "for_all": "registration.OrderPlaced",
        "where": {"channel": {"!=": "onsite"}},
        "removed_by": [
            "registration.OrderCancelled",
            "registration.OrderExpired",
            "registration.OrderDenied",
        ],
        "require": "registration.OrderPaid",
    }
    assert (included["target"], included["opens_on"], included["due_on"]) == (
        None,
        "2027-02-01",
        "2027-05-14",
    )
    assert "2.1.3" not in chosen and included["after"] == []
    assert checklist.get(f"/conferences/{custom}/entries/1.1.1").status == 404

    before = stored(checklist)
    for field, selection in (
        ("include", {"include": ["99"]}),
        ("include", {"include": ["7.9"]}),
        ("include", {"include": ["seven"]}),
        ("exclude", {"exclude": ["4.9.9"]}),
        ("profile", {"profile": "wedding"}),
    ):
        body = {**CONFERENCE, "profile": "corporate_annual", **selection}
        errors = errors_of(checklist.post("/conferences", body))
        assert list(errors) == [field], (selection, errors)
    assert stored(checklist) == before
    unknown = checklist.post("/conferences", {**CONFERENCE, "include": ["7", "99"]})
    assert unknown.json["message"] == "no section, item or entry 99"
