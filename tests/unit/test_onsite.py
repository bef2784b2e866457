"""Registration on site, without a broker: check-in codes (made, verified, refused when
forged, of another conference or voided by a substitution), scans merged from several
desks (the earliest wins, duplicates collapse), check-in once per attendee and day, kits
once, attendance figures by category and day; every event stored fits the contract."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand
from services.registration import commands as c
from services.registration.application import RegistrationApplication
from services.registration.domain import checkin_codes as codes
from services.registration.domain.attendance import Attending, figures
from services.registration.domain.scans import Scan, merge
from services.registration.onsite_schemas import UploadCheckInsSchema
from tests.unit.test_registration_application import (
    CONFERENCE,
    POPO,
    Clock,
    Conferences,
    fees,
    order_cmd,
    payment,
    person,
    published,
    types,
)

KEY = bytes(range(32))


@pytest.fixture
def app():
    app = RegistrationApplication(env=POPO, conferences=Conferences(), clock=Clock())
    yield app
    app.close()


@pytest.fixture
def ctx():
    return CommandContext.new("desk-east", "corr-1")


SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SHANGHAI)


# -- codes -----------------------------------------------------------------------------


def test_a_code_verifies_for_its_conference_attendee_and_badge_only():
    attendee = str(uuid.uuid4())
    code = codes.make_code(KEY, CONFERENCE, attendee, 0)
    assert len(code) == 56 and code.isalnum() and code == code.upper()
    assert str(codes.attendee_of(code)) == attendee
    assert codes.verifies(KEY, CONFERENCE, code, 0)
    assert codes.verifies(KEY, CONFERENCE, f"  {code.lower()} ", 0)  # as a scanner types it
    assert not codes.verifies(KEY, str(uuid.uuid4()), code, 0)  # another conference
    assert not codes.verifies(bytes(32), CONFERENCE, code, 0)  # another key
    assert not codes.verifies(KEY, CONFERENCE, code, 1)  # the place given to someone else
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert not codes.verifies(KEY, CONFERENCE, forged, 0)
    with pytest.raises(codes.NotACode):
        codes.attendee_of("hello")


# -- merging scans -----------------------------------------------------------------------


def scan(index, attendee, day, time, desk, scan_id=None):
    return Scan(index, attendee, day, at(day, time), desk, scan_id)


def test_two_desks_batches_merge_the_earliest_scan_winning_and_duplicates_collapsing():
    east = [
        scan(0, "a", "2027-05-12", "08:31:00", "east", "e1"),
        scan(1, "b", "2027-05-12", "08:40:00", "east", "e2"),
        scan(2, "a", "2027-05-12", "08:31:00", "east", "e1"),  # the same scan sent twice
    ]
    west = [
        scan(3, "a", "2027-05-12", "08:29:00", "west", "w1"),  # earlier: wins
        scan(4, "b", "2027-05-12", "09:00:00", "west", "w2"),
        scan(5, "a", "2027-05-13", "08:10:00", "west", "w3"),  # another day: its own
    ]
    merged = merge(east + west)
    assert [(s.attendee_id, s.day, s.desk) for s in merged.winners] == [
        ("b", "2027-05-12", "east"),
        ("a", "2027-05-12", "west"),
        ("a", "2027-05-13", "west"),
    ]
    assert merged.duplicates == 3
    # whichever desk's batch comes first, the same scans win
    again = merge(list(reversed(west)) + list(reversed(east)))
    assert {(s.attendee_id, s.day, s.scan_id) for s in again.winners} == {
        (s.attendee_id, s.day, s.scan_id) for s in merged.winners
    }


def test_a_batch_loads_line_by_line_reporting_bad_lines_by_index():
    loaded = UploadCheckInsSchema().load(
        {
            "desk": "east",
            "scans": [
                {"code": "X", "day": "2027-05-12", "scanned_at": "2027-05-12T08:00:00+08:00"},
                "not an object",
                {"code": "Y", "day": "2027-13-01", "scanned_at": "2027-05-12T08:00:00+08:00"},
                {"code": "Z", "day": "2027-05-12", "scanned_at": "2027-05-12T08:00:00"},
            ],
        }
    )
    good, *bad = loaded.lines
    assert isinstance(good, c.ScanLine) and good.desk == "east"
    assert [(b.index, b.field) for b in bad] == [(1, "_line"), (2, "day"), (3, "scanned_at")]


# -- figures -----------------------------------------------------------------------------


def test_figures_count_each_attendee_once_per_day_and_category():
    compiled = figures(
        [
            Attending("a", "delegate", ("2027-05-12", "2027-05-13")),
            Attending("b", "delegate", ("2027-05-12",)),
            Attending("c", "student", ("2027-05-13",)),
            Attending("d", "delegate", ()),
        ]
    )
    assert compiled == {
        "figures": [
            {"day": "2027-05-12", "category": "delegate", "checked_in": 2},
            {"day": "2027-05-13", "category": "delegate", "checked_in": 1},
            {"day": "2027-05-13", "category": "student", "checked_in": 1},
        ],
        "registered": 4,
        "attended": 3,
    }


# -- the use cases -------------------------------------------------------------------------


def paid_attendee(app, ctx, email="wang@example.cn", **extra):
    order = app.place_order(order_cmd(email, **extra), ctx)
    app.record_payment(order.id, payment(280_000), ctx)
    return order.positions[0]["attendee_id"]


def checkin(code, day="2027-05-12", time="08:30:00", desk="east", scan_id=None):
    return c.CheckIn(code, desk, dt.date.fromisoformat(day), at(day, time), scan_id)


def test_a_scan_checks_in_once_a_day_and_a_second_says_where_and_when(app, ctx):
    fees(app, ctx)
    attendee = paid_attendee(app, ctx)
    code = app.checkin_code(attendee, ctx)["checkin_code"]

    first = app.check_in(CONFERENCE, checkin(code), ctx)
    assert first.status == "checked_in" and first.desk == "east"
    stored = len(types(app))
    again = app.check_in(CONFERENCE, checkin(code, time="09:00:00", desk="west"), ctx)
    assert again.status == "already_checked_in"
    assert again.message.endswith("desk east, 08:30:00 (Asia/Shanghai)")
    assert len(types(app)) == stored  # nothing new
    next_day = app.check_in(CONFERENCE, checkin(code, day="2027-05-13"), ctx)
    assert next_day.status == "checked_in"
    assert types(app).count("AttendeeCheckedIn") == 2
    assert types(app).count("CheckInCodesKeyed") == 1


def test_scans_refused_name_the_field_and_why(app, ctx):
    fees(app, ctx)
    attendee = paid_attendee(app, ctx)
    code = app.checkin_code(attendee, ctx)["checkin_code"]
    unpaid = app.place_order(order_cmd("li@example.cn"), ctx).positions[0]["attendee_id"]
    cancelled_order = app.place_order(order_cmd("zhao@example.cn"), ctx)
    cancelled = cancelled_order.positions[0]["attendee_id"]
    cancelled_code = app.checkin_code(cancelled, ctx)["checkin_code"]
    app.cancel_order(cancelled_order.id, c.CancelOrder("cannot travel"), ctx)
    forged = code[:32] + "A" * 24
    cases = [
        (checkin("hello"), InvalidCommand, "code", "not a check-in code"),
        (checkin(forged), InvalidCommand, "code", "not a check-in code of this conference"),
        (checkin(app.checkin_code(unpaid, ctx)["checkin_code"]), Conflict, "code", "awaiting"),
        (checkin(cancelled_code), Conflict, "code", "cancelled"),
        (checkin(code, day="2027-05-15"), InvalidCommand, "day", "2027-05-12 to 2027-05-14"),
        (
            c.CheckIn(code, "east", dt.date(2027, 5, 12), at("2027-05-13", "08:00:00")),
            InvalidCommand,
            "scanned_at",
            "not on the day",
        ),
    ]
    before = len(types(app))
    for cmd, error, field, why in cases:
        with pytest.raises(error) as refused:
            app.check_in(CONFERENCE, cmd, ctx)
        assert refused.value.field == field and why in refused.value.message, cmd
    assert len(types(app)) == before


def test_a_badge_voided_by_a_substitution_is_refused(app, ctx):
    fees(app, ctx)
    attendee = paid_attendee(app, ctx)
    old = app.checkin_code(attendee, ctx)["checkin_code"]
    app.substitute_attendee(attendee, c.SubstituteAttendee(person("li@example.cn", "李娜")), ctx)
    with pytest.raises(Conflict) as voided:
        app.check_in(CONFERENCE, checkin(old), ctx)
    assert "substitution" in voided.value.message
    new = app.checkin_code(attendee, ctx)["checkin_code"]
    assert new != old and app.check_in(CONFERENCE, checkin(new), ctx).status == "checked_in"


def test_a_batch_stores_the_good_lines_once_and_resending_it_changes_nothing(app, ctx):
    fees(app, ctx)
    a = app.checkin_code(paid_attendee(app, ctx, "a@example.cn"), ctx)["checkin_code"]
    b = app.checkin_code(paid_attendee(app, ctx, "b@example.cn"), ctx)["checkin_code"]
    lines = (
        c.ScanLine(a, dt.date(2027, 5, 12), at("2027-05-12", "08:31:00"), "east", "e1"),
        c.ScanLine(b, dt.date(2027, 5, 12), at("2027-05-12", "08:32:00"), "east", "e2"),
        c.ScanLine(a, dt.date(2027, 5, 12), at("2027-05-12", "08:20:00"), "west", "w1"),
        c.ScanLine("nonsense", dt.date(2027, 5, 12), at("2027-05-12", "08:00:00"), "west"),
        c.BadLine(4, "day", "Not a valid date."),
    )
    answer = app.check_in_batch(CONFERENCE, c.UploadCheckIns(lines), ctx)
    assert (answer["received"], answer["checked_in"], answer["duplicates"]) == (5, 2, 1)
    assert [(bad.index, bad.field) for bad in answer["rejected"]] == [(3, "code"), (4, "day")]
    attendee_a = app.attendee(codes.attendee_of(a))
    assert attendee_a.checked_in_on("2027-05-12")["desk"] == "west"  # the earliest scan

    stored = len(types(app))
    again = app.check_in_batch(CONFERENCE, c.UploadCheckIns(lines), ctx)
    assert (again["checked_in"], again["already_checked_in"]) == (0, 2)
    assert len(types(app)) == stored


def test_a_kit_is_collected_once(app, ctx):
    fees(app, ctx)
    attendee = paid_attendee(app, ctx)
    first = app.collect_kit(CONFERENCE, attendee, c.CollectKit(("bag", "programme"), "east"), ctx)
    again = app.collect_kit(CONFERENCE, attendee, c.CollectKit(("bag",)), ctx)
    assert (first["status"], again["status"]) == ("collected", "already_collected")
    assert again["items"] == ["bag", "programme"]
    assert types(app).count("KitCollected") == 1


def test_badges_printed_again_say_so_and_why(app, ctx):
    fees(app, ctx)
    attendee = paid_attendee(app, ctx)
    other = paid_attendee(app, ctx, "li@example.cn")
    first = app.record_badges(CONFERENCE, [attendee, other], c.PrintBadges(), ctx)
    assert [code for _, code in first] == [
        app.checkin_code(attendee, ctx)["checkin_code"],
        app.checkin_code(other, ctx)["checkin_code"],
    ]
    app.substitute_attendee(attendee, c.SubstituteAttendee(person("zhao@example.cn")), ctx)
    app.record_badges(CONFERENCE, [attendee], c.PrintBadges(ticket_type="full"), ctx)
    printed = [e.payload for e in published(app) if e.event_type == "BadgePrinted"]
    assert [(p["reprint"], p.get("reprint_reason")) for p in printed] == [
        (False, None),
        (False, None),
        (True, "substitution"),
    ]
    runs = [e.payload for e in published(app) if e.event_type == "BadgesPrinted"]
    assert runs == [{"count": 2}, {"count": 1, "ticket_type": "full"}]


def test_final_figures_wait_for_the_end_of_the_conference():
    from services.registration.domain.attendance import AttendanceFigures

    compiled = figures([Attending("a", "delegate", ("2027-05-12",))])
    meta = {"conference_id": CONFERENCE}
    with pytest.raises(Conflict) as early:
        AttendanceFigures.compile(uuid.uuid4(), compiled, final=True, over=False, meta=meta)
    assert early.value.field == "final"
    with pytest.raises(Conflict):
        AttendanceFigures.compile(uuid.uuid4(), figures([]), final=False, over=True, meta=meta)
    done = AttendanceFigures.compile(uuid.uuid4(), compiled, final=True, over=True, meta=meta)
    assert (done.final, done.attended, done.registered) == (True, 1, 1)


def test_a_scan_refused_before_any_code_was_made_stores_nothing(app, ctx):
    fees(app, ctx)
    attendee = paid_attendee(app, ctx)
    guessed = codes.make_code(KEY, CONFERENCE, attendee, 0)
    before = types(app)
    with pytest.raises(InvalidCommand) as refused:
        app.check_in(CONFERENCE, checkin(guessed), ctx)
    assert refused.value.field == "code"
    answer = app.check_in_batch(
        CONFERENCE,
        c.UploadCheckIns(
            (c.ScanLine(guessed, dt.date(2027, 5, 12), at("2027-05-12", "08:00:00"), "e"),)
        ),
        ctx,
    )
    assert [bad.field for bad in answer["rejected"]] == ["code"]
    assert types(app) == before  # no key made by a refusal


def test_the_key_is_not_in_what_an_as_of_query_shows(app, ctx):
    from services.common.as_of import public_state
    from services.registration.domain.checkin_key import CheckinKey
    from services.registration.domain.ids import checkin_key_id

    fees(app, ctx)
    app.checkin_code(paid_attendee(app, ctx), ctx)
    key = app.get(CheckinKey, checkin_key_id(CONFERENCE), "check-in key")
    shown = json.dumps(public_state(key))
    assert key.key.hex() not in shown and "key_version" in shown
    published_keys = [e for e in published(app) if e.event_type == "CheckInCodesKeyed"]
    assert [e.payload for e in published_keys] == [{"key_version": 1}]


# -- the check-in key's rotation -------------------------------------------------------------


def rotate(reason="a desk's badge list was lost"):
    return c.RotateCheckinKey(reason)


def test_a_rotated_key_refuses_old_badges_saying_why_and_keeps_the_check_ins(app, ctx):
    from services.common.as_of import public_state
    from services.registration.domain.checkin_key import CheckinKey
    from services.registration.domain.ids import checkin_key_id

    fees(app, ctx)
    early = paid_attendee(app, ctx, "a@example.cn")
    late = paid_attendee(app, ctx, "b@example.cn")
    early_old = app.checkin_code(early, ctx)["checkin_code"]
    late_old = app.checkin_code(late, ctx)["checkin_code"]
    assert app.check_in(CONFERENCE, checkin(early_old), ctx).status == "checked_in"

    key = app.rotate_checkin_key(CONFERENCE, rotate(), ctx)
    assert key.key_version == 2
    with pytest.raises(Conflict) as refused:
        app.check_in(CONFERENCE, checkin(late_old), ctx)
    assert refused.value.field == "code"
    assert "key version 1" in refused.value.message and "reprint" in refused.value.message
    lines = (c.ScanLine(late_old, dt.date(2027, 5, 12), at("2027-05-12", "09:00:00"), "west"),)
    answer = app.check_in_batch(CONFERENCE, c.UploadCheckIns(lines), ctx)
    assert [(b.field, "reprint" in b.reason) for b in answer["rejected"]] == [("code", True)]

    # the check-in stored before stays; the new badges' codes check in
    early_new = app.checkin_code(early, ctx)["checkin_code"]
    assert early_new != early_old
    again = app.check_in(CONFERENCE, checkin(early_new), ctx)
    assert again.status == "already_checked_in"  # the day's check-in, kept
    late_new = app.checkin_code(late, ctx)["checkin_code"]
    assert app.check_in(CONFERENCE, checkin(late_new), ctx).status == "checked_in"

    # rotated twice: version 1 and 2 codes are both refused, by their own version
    app.rotate_checkin_key(CONFERENCE, rotate("rotated again after the audit"), ctx)
    with pytest.raises(Conflict) as older:
        app.check_in(CONFERENCE, checkin(late_new, day="2027-05-13"), ctx)
    assert "key version 2" in older.value.message and "now version 3" in older.value.message
    forged = late_new[:32] + "A" * 24
    with pytest.raises(InvalidCommand):
        app.check_in(CONFERENCE, checkin(forged, day="2027-05-13"), ctx)

    rotated = [e for e in published(app) if e.event_type == "CheckInKeyRotated"]
    assert [e.payload["key_version"] for e in rotated] == [2, 3]
    assert all("secret" not in e.payload for e in rotated)  # the key stays in the store
    key = app.get(CheckinKey, checkin_key_id(CONFERENCE), "check-in key")
    shown = json.dumps(public_state(key))
    assert key.key.hex() not in shown
    assert all(old.hex() not in shown for _, old in key.retired_keys())


def test_a_rotation_needs_a_key_and_a_reason_and_stores_nothing_when_refused(app, ctx):
    fees(app, ctx)
    attendee = paid_attendee(app, ctx)
    before = types(app)
    with pytest.raises(Conflict) as no_key:
        app.rotate_checkin_key(CONFERENCE, rotate(), ctx)
    assert no_key.value.field == "conference_id" and types(app) == before
    app.checkin_code(attendee, ctx)
    before = types(app)
    with pytest.raises(InvalidCommand) as no_reason:
        app.rotate_checkin_key(CONFERENCE, rotate("  "), ctx)
    assert no_reason.value.field == "reason"
    assert types(app) == before
