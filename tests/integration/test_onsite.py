"""Registration on site against the real broker, on both stores: a scan checks in once a
day; two desks' offline batches merge, also posted at the same moment; concurrent scans of
one attendee store one check-in; kits once; the badge PDF has one badge per attendee whose
QR decodes to the attendee's check-in code; final attendance figures; and checklist's
15.2.1 (badges printed), 15.3.1 (pre-registered checked in), 15.3.5 (kits of all checked
in) and 24.2.1 (final figures) verify from the published events; the command line."""

from __future__ import annotations

import io
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pypdf
import pypdfium2
import zxingcpp

from tests.integration.test_registration import attendee, fee, huiwu, order
from tests.support import amqp
from tests.support.slice import ok, open_conference, wait_for_status
from tests.support.system import wait_until

# a conference already over: its final figures may be compiled today
DAYS = ("2026-11-10", "2026-11-11", "2026-11-12")
DATES = {"starts_on": DAYS[0], "ends_on": DAYS[-1]}
FEES = [
    {"category": "delegate", "ticket_type": "full", "label": "全程", "price_minor": 280_000},
    {"category": "student", "ticket_type": "student", "label": "学生", "price_minor": 0},
]
NAMES = ["王磊", "李娜", "张伟", "陈静", "赵六"]


def at(day: str, time: str) -> str:
    return f"{day}T{time}+08:00"


def scan(code, day=DAYS[0], time="08:30:00", **extra):
    return {"code": code, "day": day, "scanned_at": at(day, time), **extra}


def test_check_in_batches_kits_badges_and_figures(system, tmp_path):
    system.start("checklist", "registration")
    registration = system["registration"]
    events = amqp.capture(system.amqp_uri, "registration", "onsite-test-events")
    keep = [str(n) for n in (15, 24)]
    conference_id = open_conference(
        system,
        exclude=[str(n) for n in range(2, 25) if str(n) not in keep],
        expected_attendance=8,  # 15.3.1: 4 pre-registered attendees checked in (0.5 of it)
        **DATES,
    )
    desk = system.token("desk", "onsite", conference_id)
    base = f"/conferences/{conference_id}"
    ok(registration.post(f"{base}/fees", {"categories": [fee(f) for f in FEES], "actor": "li"}))

    # five paid attendees (one of them free), one unpaid, one cancelled
    attendees = []
    for n, name in enumerate(NAMES):
        kind = "student" if n == 4 else "full"
        placed = ok(
            registration.post(
                "/orders", order(conference_id, attendee(f"p{n}@example.cn", kind, name))
            ),
            201,
        )
        if kind == "full":
            pay = {"method": "bank_transfer", "currency": "CNY", "received_on": "2026-10-01"}
            path = f"/orders/{placed['order_id']}/payments"
            ok(registration.post(path, {**pay, "amount_minor": 280_000, "actor": "li"}))
        attendees.append(placed["positions"][0]["attendee_id"])
    unpaid = ok(registration.post("/orders", order(conference_id, attendee("u@example.cn"))), 201)
    gone = ok(registration.post("/orders", order(conference_id, attendee("g@example.cn"))), 201)
    codes = [
        ok(registration.get(f"/attendees/{a}/checkin-code", token=desk))["checkin_code"]
        for a in [*attendees, unpaid["positions"][0]["attendee_id"]]
    ]
    gone_code = ok(
        registration.get(f"/attendees/{gone['positions'][0]['attendee_id']}/checkin-code")
    )["checkin_code"]
    ok(registration.post(f"/orders/{gone['order_id']}/cancel", {"reason": "ill", "actor": "li"}))
    *codes, unpaid_code = codes
    # the code is for the desks: finance reads attendees but not their codes
    finance = system.token("cfo", "finance", conference_id)
    refused = registration.get(f"/attendees/{attendees[0]}/checkin-code", token=finance)
    assert refused.status == 403

    # a scan checks in once a day; the second says where and when, and stores nothing
    first = ok(registration.post(f"{base}/checkins", scan(codes[0], desk="east"), token=desk))
    assert (first["status"], first["name"], first["category"]) == ("checked_in", "王磊", "delegate")
    again = registration.post(
        f"{base}/checkins", scan(codes[0], time="09:10:00", desk="west"), token=desk
    )
    assert ok(again)["status"] == "already_checked_in"
    assert again.json["message"].endswith("at desk east, 08:30:00 (Asia/Shanghai)")
    for body, status, field in [
        (scan(unpaid_code, desk="east"), 409, "code"),
        (scan(gone_code, desk="east"), 409, "code"),
        (scan(codes[1][:32] + "A" * 24, desk="east"), 400, "code"),
        (scan(codes[1], day="2026-11-13", desk="east"), 400, "day"),
        ({"desk": "east"}, 400, "code"),
    ]:
        refused = registration.post(f"{base}/checkins", body, token=desk)
        assert refused.status == status and field in refused.json["errors"], refused

    # two desks' offline batches, overlapping, posted at the same moment: one check-in each
    east = [scan(codes[1], time="08:31:00", scan_id="e1"), scan(codes[2], time="08:40:00")]
    west = [
        scan(codes[1], time="08:29:00", scan_id="w1"),
        scan(codes[2], time="08:45:00"),
        scan(codes[2], time="08:45:00"),
        scan("forged", time="08:50:00"),
    ]
    batches = [{"desk": "east", "scans": east}, {"desk": "west", "scans": west}]
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda body: ok(registration.post(f"{base}/checkins/batch", body, token=desk)),
                batches,
            )
        )
    assert sum(a["checked_in"] for a in answers) == 2
    assert sum(a["checked_in"] + a["already_checked_in"] for a in answers) == 4
    assert answers[1]["duplicates"] == 1
    assert [(r["index"], r["field"]) for r in answers[1]["rejected"]] == [(3, "code")]
    # sent again: nothing new
    resent = ok(registration.post(f"{base}/checkins/batch", batches[1], token=desk))
    assert (resent["checked_in"], resent["already_checked_in"]) == (0, 2)

    # the next day, one after the other: the earliest scan of each attendee wins
    day2 = [scan(c, DAYS[1], "08:20:00", desk="west") for c in codes[:2]]
    later = [scan(c, DAYS[1], "08:05:00", desk="east") for c in (*codes[:2], codes[3])]
    merged = ok(
        registration.post(f"{base}/checkins/batch", {"scans": [*day2, *later, day2[0]]}, token=desk)
    )
    assert (merged["checked_in"], merged["duplicates"]) == (3, 3)

    # ten desks scan one attendee at the same moment: one check-in
    with ThreadPoolExecutor(10) as pool:
        raced = list(
            pool.map(
                lambda n: ok(
                    registration.post(
                        f"{base}/checkins",
                        scan(codes[4], DAYS[2], f"08:00:{n:02d}", desk=f"d{n}"),
                        token=desk,
                    )
                )["status"],
                range(10),
            )
        )
    assert Counter(raced) == {"checked_in": 1, "already_checked_in": 9}

    # kits, once
    kit_path = f"{base}/attendees/{attendees[0]}/kit"
    kit = {"items": ["bag", "programme"], "desk": "east"}
    assert ok(registration.post(kit_path, kit, token=desk))["status"] == "collected"
    assert ok(registration.post(kit_path, kit, token=desk))["status"] == "already_collected"
    bad_kit = registration.post(kit_path, {"items": ["umbrella"]}, token=desk)
    assert bad_kit.status == 400 and "items" in bad_kit.json["errors"]
    for other in (attendees[2], attendees[3], attendees[4]):
        ok(registration.post(f"{base}/attendees/{other}/kit", {"items": ["bag"]}, token=desk))

    # badges: a page per attendee still registered, each QR its attendee's code
    printed = registration.get(f"{base}/badges.pdf", token=desk)
    assert printed.status == 200 and printed.content_type == "application/pdf", printed
    pdf = pypdf.PdfReader(io.BytesIO(printed.raw))
    assert len(pdf.pages) == 6  # five paid, one unpaid; not the cancelled one
    assert "王磊" in pdf.pages[0].extract_text()
    decoded = []
    for page in pypdfium2.PdfDocument(printed.raw):
        image = page.render(scale=200 / 72).to_pil()
        decoded.append([found.text for found in zxingcpp.read_barcodes(image)])
    assert decoded == [[code] for code in [*codes, unpaid_code]]

    # figures: final, as the conference is over
    figures = ok(registration.post(f"{base}/attendance/compile", {"final": True}), 201)
    assert figures["figures"] == [
        {"day": DAYS[0], "category": "delegate", "checked_in": 3},
        {"day": DAYS[1], "category": "delegate", "checked_in": 3},
        {"day": DAYS[2], "category": "student", "checked_in": 1},
    ]
    assert (figures["registered"], figures["attended"], figures["final"]) == (6, 5, True)

    # checklist verifies from what was published
    wait_for_status(system, conference_id, "15.2.1", "verified")
    wait_for_status(system, conference_id, "24.2.1", "verified")
    seen: list[dict] = []
    wanted = {"AttendeeCheckedIn": 7, "KitCollected": 4, "BadgesPrinted": 1, "BadgePrinted": 6}

    def published_all() -> bool:
        seen.extend(body for body, _ in amqp.drain(system.amqp_uri, events.name))
        found = Counter(e["event_type"] for e in seen)
        return all(found[kind] >= n for kind, n in wanted.items())

    wait_until(published_all)
    found = Counter(e["event_type"] for e in seen)
    assert {kind: found[kind] for kind in wanted} == wanted
    checked = [e["payload"] for e in seen if e["event_type"] == "AttendeeCheckedIn"]
    assert Counter((p["day"], p["desk"]) for p in checked)[(DAYS[1], "east")] == 3
    assert all(p["pre_registered"] and p["checkin_list"] == "entrance" for p in checked)
    assert codes[0].casefold() not in str(seen).casefold()
    (keyed,) = [e for e in seen if e["event_type"] == "CheckInCodesKeyed"]
    assert (keyed["actor"], keyed["payload"]) == ("desk", {"key_version": 1})

    # the same through the command line
    assert huiwu(system, "checkin", "code", attendees[3]).strip() == codes[3]
    scanned = huiwu(
        system,
        "checkin",
        "scan",
        codes[3],
        "--conference",
        conference_id,
        "--desk",
        "cli",
        "--day",
        DAYS[1],
        "--at",
        f"{DAYS[1]}T10:00",
    )
    assert "陈静 (delegate, full): already checked in" in scanned and "desk east" in scanned
    batch = tmp_path / "cli.csv"
    batch.write_text(f"code,day,scanned_at\n{codes[3]},{DAYS[2]},{at(DAYS[2], '09:00:00')}\n")
    uploaded = huiwu(
        system, "checkin", "upload", str(batch), "--conference", conference_id, "--desk", "cli"
    )
    assert "1 checked in" in uploaded
    kit = huiwu(
        system, "kit", "collect", attendees[1], "--conference", conference_id, "--item", "programme"
    )
    assert "collected: programme" in kit
    # every attendee checked in has a kit (15.3.5); enough pre-registered came (15.3.1)
    wait_for_status(system, conference_id, "15.3.5", "verified")
    wait_for_status(system, conference_id, "15.3.1", "verified")
    target = tmp_path / "badges.pdf"
    huiwu(
        system,
        "badges",
        "print",
        "--conference",
        conference_id,
        "-o",
        str(target),
        "--category",
        "student",
    )
    assert len(pypdf.PdfReader(target).pages) == 1
    compiled = huiwu(system, "attendance", "compile", "--conference", conference_id)
    assert "5 of 6 registered came (so far)" in compiled


def test_a_rotated_check_in_key_refuses_old_badges_and_keeps_the_check_ins(system):
    from tests.support.rpc import read_log

    system.start("registration", "checklist")
    registration = system["registration"]
    conference_id = open_conference(system, exclude=[str(n) for n in range(2, 25)], **DATES)
    base = f"/conferences/{conference_id}"
    desk = system.token("desk", "onsite", conference_id)
    clerk = system.token("chen", "registration", conference_id)
    ok(registration.post(f"{base}/fees", {"categories": [fee(FEES[1])], "actor": "li"}))
    people = []
    for n in range(2):  # free tickets: paid when placed
        email = f"r{n}@example.cn"
        placed = registration.post("/orders", order(conference_id, attendee(email, "student")))
        placed = ok(placed, 201)
        people.append(placed["positions"][0]["attendee_id"])
    rotate = f"{base}/checkin-key/rotate"
    reason = {"reason": "a desk's badge list was lost"}

    # nothing to rotate before the first code; then refused without an organizer or a reason
    early = registration.post(rotate, reason)
    assert early.status == 409 and "conference_id" in early.json["errors"]
    old = [
        ok(registration.get(f"/attendees/{a}/checkin-code", token=desk))["checkin_code"]
        for a in people
    ]
    ok(registration.post(f"{base}/checkins", scan(old[0], desk="east"), token=desk))
    for token in (desk, clerk):
        assert registration.post(rotate, reason, token=token).status == 403
    blank = registration.post(rotate, {"reason": " "})
    assert blank.status == 400 and "reason" in blank.json["errors"]

    organizer = system.token("wang", "organizer", conference_id)
    assert ok(registration.post(rotate, reason, token=organizer))["key_version"] == 2
    refused = registration.post(f"{base}/checkins", scan(old[1], desk="east"), token=desk)
    assert refused.status == 409 and "reprint the badge" in refused.json["errors"]["code"][0]
    batch = {"desk": "west", "scans": [scan(old[1], DAYS[1])]}
    uploaded = ok(registration.post(f"{base}/checkins/batch", batch, token=desk))
    assert [r["field"] for r in uploaded["rejected"]] == ["code"]

    # new badges check in; the check-in stored before the rotation stands
    new = [
        ok(registration.get(f"/attendees/{a}/checkin-code", token=desk))["checkin_code"]
        for a in people
    ]
    assert set(new).isdisjoint(old)
    kept = ok(registration.post(f"{base}/checkins", scan(new[0], desk="west"), token=desk))
    assert kept["status"] == "already_checked_in" and "desk east" in kept["message"]
    assert ok(registration.post(f"{base}/checkins", scan(new[1], desk="west"), token=desk))[
        "status"
    ] == ("checked_in")

    # the command line rotates again; the key is never published
    shown = huiwu(
        system, "checkin", "rotate-key", "--conference", conference_id, "--reason", "audit"
    )
    assert "version 3" in shown
    log = read_log(system.amqp_uri, "registration")
    rotated = [e for e in log if e["event_type"] == "CheckInKeyRotated"]
    assert [e["payload"] for e in rotated] == [
        {"key_version": 2, "reason": "a desk's badge list was lost"},
        {"key_version": 3, "reason": "audit"},
    ]
    assert [e["actor"] for e in rotated] == ["wang", "li"]
