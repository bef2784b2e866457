"""Attendees imported from a sheet against the real broker, on both stores: 200 rows, some
paid, become 200 orders in one save, their events published; a file with one bad row in
the middle stores nothing; the command line imports and prints every row error."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import urllib.parse
from collections import Counter

from tests.integration.test_registration import FEES, WORDING, fee
from tests.support import amqp
from tests.support.slice import ok, open_conference
from tests.support.system import ROOT, wait_until

HEADER = "name,email,ticket_type,phone,country,paid_minor,payment_method,received_on"
PRICE = {line["ticket_type"]: line["price_minor"] for line in FEES}
CONSENT = {
    "consent_version": "2027-01",
    "consent_sha256": hashlib.sha256(WORDING.encode()).hexdigest(),
}


def sheet(rows: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def row(n: int, paid: bool = False, ticket_type: str = "full") -> str:
    payment = f"{PRICE[ticket_type]},bank_transfer,2027-03-02" if paid else ",,"
    return f"参会者{n},p{n}@example.cn,{ticket_type},+86 138 0000 {n:04d},CN,{payment}"


def upload(registration, conference_id: str, data: bytes):
    query = urllib.parse.urlencode(CONSENT)
    path = f"/conferences/{conference_id}/attendees/import?{query}"
    return registration.post(path, data, as_="li", timeout=120)


def cli(system, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**system.env(), "HUIWU_TOKEN": system.token("li")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_sheet_is_imported_whole_or_not_at_all(system, tmp_path):
    system.start("checklist", "registration")
    registration = system["registration"]
    events = amqp.capture(system.amqp_uri, "registration", "registration-import-events")
    conference_id = open_conference(system, exclude=[str(n) for n in range(2, 25) if n != 5])
    fees = {"categories": [fee(f) for f in FEES], "actor": "li"}
    ok(registration.post(f"/conferences/{conference_id}/fees", fees))

    # 200 rows, every fourth paid in full, three on the workshop (five places)
    rows = [
        row(n, paid=n % 4 == 0, ticket_type="workshop" if n < 3 else "full") for n in range(200)
    ]
    answer = ok(upload(registration, conference_id, sheet(rows)), 201)
    assert (answer["attendees"], answer["orders"], answer["paid"]) == (200, 200, 50)
    assert len(set(answer["order_ids"])) == 200
    shown = ok(registration.get(f"/orders/{answer['order_ids'][0]}"))
    assert shown["order"]["status"] == "paid" and shown["attendees"][0]["email"] == "p0@example.cn"

    # a second file, one bad row in the middle: refused by row and column, nothing stored
    more = [row(n) for n in range(200, 300)]
    more[50] = more[50].replace("@example.cn", "@")
    refused = upload(registration, conference_id, sheet(more))
    assert refused.status == 400, refused
    assert refused.json["errors"] == [
        {"row": 52, "column": "email", "reason": "Not a valid email address."}
    ]
    # three more workshop rows than its places left: the first row over is named
    over = upload(
        registration,
        conference_id,
        sheet([row(n, ticket_type="workshop") for n in range(300, 303)]),
    )
    assert [(e["row"], e["column"]) for e in over.json["errors"]] == [(4, "ticket_type")]

    # the command line: every row error printed, then a good file imported
    wording = tmp_path / "consent.txt"
    wording.write_text(WORDING, encoding="utf-8")
    consent = ("--consent-version", "2027-01", "--consent-wording-file", str(wording))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(sheet([row(1), row(400)]))  # p1 is registered already
    failed = cli(system, "attendee", "import", str(bad), "--conference", conference_id, *consent)
    assert failed.returncode == 2, failed
    assert "row 2, email: p1@example.cn is already registered" in failed.stderr
    good = tmp_path / "good.csv"
    good.write_bytes(sheet([row(400, paid=True)]))
    done = cli(system, "attendee", "import", str(good), "--conference", conference_id, *consent)
    assert done.returncode == 0, done
    assert done.stdout.startswith("imported 1 attendees in 1 orders (1 paid) from good.csv")

    # published: the first file's and the command line's, none of the refused ones
    seen: Counter = Counter()

    def published() -> bool:
        seen.update(body["event_type"] for body, _ in amqp.drain(system.amqp_uri, events.name))
        return seen["AttendeeRegistered"] >= 201 and seen["OrderPaid"] >= 51

    wait_until(published, timeout=30)
    assert (seen["AttendeeRegistered"], seen["OrderPlaced"], seen["OrderPaid"]) == (201, 201, 51)
    assert ok(system["checklist"].get("/dead-letters"))["messages"] == 0
