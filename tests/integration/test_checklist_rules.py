"""Checklist's automatic rules against real processes: single events, counts against a
target, for-all conditions, out-of-order and duplicated deliveries, and a rebuild from zero.

Vendors' events are real (the vendors service runs). Registration, budget and speakers do
not emit yet: their events are forged with `ForgedUpstream`, numbered 1, 2, 3... in order,
and their services are not started. Entry codes come from the template, and the codes and
states that matter are also written out below, read by hand from
services/checklist/templates/conference.yaml: a mistake in routing, selection or the rules
themselves would otherwise be on both sides of an assertion.
"""

import uuid

from services.checklist.domain import entry_id
from services.common.envelope import event_id_for
from tests.support import amqp
from tests.support.slice import add_vendor, cancel, draft_contract, ok, sign
from tests.support.stores import OpenStores
from tests.support.system import wait_until
from tests.support.upstream import (
    Captured,
    ForgedUpstream,
    concerned,
    consumed,
    entry,
    listening_to,
    open_plan,
    replay_open_conference,
    rule_codes,
    single_rule,
    stored,
    summary,
    template,
    wait_consumed,
    wait_entry,
    wipe_checklist_store,
)

QUIET = {"HUIWU_CATCH_UP_INTERVAL": "3600"}  # only the start-up catch-up reads a log
SIGNED = {"amount_minor": 3_000_000, "currency": "CNY"}
HALF = {"amount_minor": 1_500_000, "currency": "CNY"}
# A sponsor paying cash: the for-all rules of 7.2.5 and 23.3.2 leave in-kind sponsors out.
CASH_SPONSOR = {"level": "gold", "form": "cash", "cash_minor": 3_000_000, **SIGNED}
# The conference's budget approved with its ceiling (2.2.1) and its lines (2.3.1).
BUDGET = {
    "version": 1,
    "approved_by": "board",
    "scope": "conference",
    "ceiling_minor": 80_000_000,
    "currency": "CNY",
    "lines": [
        {"line": "venue", "behaviour": "fixed", "planned_minor": 30_000_000, "income": False},
        {
            "line": "registration",
            "behaviour": "variable",
            "planned_minor": 50_000_000,
            "income": True,
        },
    ],
}
# Read from conference.yaml: the for-all rules over every sponsor signed (less those
# cancelled), and what each one requires of it: settled (7.2.5), thanked by letter, email or
# WeChat (23.3.1), its fapiao issued (23.3.2).
EVERY_SPONSOR = {
    "7.2.5": "budget.SponsorshipSettled",
    "23.3.1": "budget.SponsorThanked",
    "23.3.2": "budget.SponsorInvoiceIssued",
}

# Read from conference.yaml: every entry of the academic plan whose rule listens to vendors
# (2.5.3 and 8.2.5 among them: their rule pairs each signed contract with a budget event).
VENDOR_RULES = [
    "1.3.1", "1.3.3", "1.3.4", "1.3.5", "2.5.3", "4.1.6", "4.1.7", "8.1.1", "8.1.3", "8.1.4",
    "8.1.5", "8.1.7", "8.2.1", "8.2.2", "8.2.4", "8.2.5", "8.2.6", "8.3.1", "8.3.2", "8.3.3",
    "8.3.4", "8.4.1", "8.4.2", "8.4.3", "8.4.4", "11.3.2", "12.1.3", "12.3.5", "13.1.5",
    "13.2.2", "16.2.1", "16.2.2", "17.1.5", "17.2.3", "17.2.4", "17.4.4", "17.5.1", "17.5.4",
    "19.1.1", "19.1.6", "20.1.2", "20.3.3", "21.1.3", "23.4.6", "23.5.1", "23.5.2",
]  # fmt: skip
# What a contract signed for the conference adds to, whatever its category (8.4.1 leaves out
# insurance, which delivers nothing), besides the entries of its category: the for-all rules
# that every signed contract, less those cancelled, be settled (2.5.3), approved within
# budget (8.2.5), filed (8.3.4), delivered (8.4.1), checked for its bank details (8.4.2),
# paid in full (8.4.3), invoiced (8.4.4), reviewed (23.5.1) and settled with every fapiao
# (23.5.2).
EVERY_SIGNED_CONTRACT = {
    code: "add"
    for code in (
        "2.5.3", "8.2.5", "8.3.4", "8.4.1", "8.4.2", "8.4.3", "8.4.4", "23.5.1", "23.5.2"
    )
}  # fmt: skip
# A contract other than the venue's also counts towards 8.3.3 (at least 3 signed).
NOT_THE_VENUE = {"8.3.3": "add"}


def count_rules(event, compensated_by=None):
    return rule_codes(
        lambda e: (
            e.rule.kind == "count"
            and e.rule.event == event
            and (compensated_by is None or compensated_by in e.rule.compensated_by)
        )
    )


def for_all_rules(event, require):
    return rule_codes(
        lambda e: e.rule.kind == "for_all" and e.rule.event == event and e.rule.require == require
    )


def sponsor_follow_up():
    """{code: required event} of the for-all rules over budget.SponsorSigned."""
    return {
        code: template().entry(code).rule.require
        for code in rule_codes(
            lambda e: e.rule.kind == "for_all" and e.rule.event == "budget.SponsorSigned"
        )
    }


def follow_up(budget, sponsorship):
    """What each of EVERY_SPONSOR requires of a cash sponsor: 3 events."""
    budget.emit(
        "SponsorshipSettled",
        sponsorship,
        cash_received_minor=3_000_000,
        currency="CNY",
        in_kind_received=0,
    )
    budget.emit("SponsorThanked", sponsorship, channel="letter")
    budget.emit(
        "SponsorInvoiceIssued",
        sponsorship,
        net_minor=2_830_189,
        tax_rate_bp=600,
        tax_minor=169_811,
        gross_minor=3_000_000,
        currency="CNY",
        buyer_name="Hangzhou Pharma Co., Ltd.",
        fapiao_number="24332000000012345678",
        fapiao_type="vat_ordinary",
        medium="digital",
        issued_on="2027-03-20",
    )


# An attendee checking in at the main hall, scanning the QR code of their badge.
CHECK_IN = {"category": "delegate", "checkin_list": "main-hall", "method": "qr_code"}
FAPIAO_NUMBER = "24332000000000000001"
FEE = {"net_minor": 169_811, "tax_rate_bp": 600, "tax_minor": 10_189, "gross_minor": 180_000}


def order_of(attendee):
    """An order placed online for one delegate."""
    position = {
        "attendee_id": attendee,
        "category": "delegate",
        "ticket_type": "early_bird",
        "price_minor": 180_000,
    }
    return {
        "buyer_kind": "individual",
        "channel": "online",
        "positions": [position],
        "total_minor": 180_000,
        "currency": "CNY",
        "requires_approval": False,
        "expires_at": "2027-02-10T00:00:00+08:00",
    }


def fapiao_of(order, attendee):
    """The order's fapiao, pre-packed to be handed out at the registration desk."""
    return {
        **FEE,
        "currency": "CNY",
        "buyer_name": "Li Hua",
        "order_id": order,
        "attendee_ids": [attendee],
        "fapiao_number": FAPIAO_NUMBER,
        "fapiao_type": "vat_ordinary",
        "medium": "digital",
        "item": "conference_fee",
        "issued_on": "2027-04-02",
        "delivery": "onsite",
    }


def reversal_of(order):
    """The order's fapiao reversed in full, the order being cancelled."""
    return {
        **FEE,
        "currency": "CNY",
        "order_id": order,
        "fapiao_number": FAPIAO_NUMBER,
        "red_fapiao_number": "24332000000000000002",
        "reason": "cancellation",
        "partial": False,
        "reversed_on": "2027-04-20",
    }


def target_of(code, expected_attendance):
    defaults = {setting.name: setting.default for setting in template().settings}
    figures = {"expected_attendance": expected_attendance}
    return template().entry(code).rule.target.resolve(figures, defaults)


def signed_contract(system, conference_id, vendor_id, category):
    contract_id = draft_contract(system, conference_id, vendor_id, category=category)
    ok(sign(system, contract_id))
    return contract_id


def codes_with(system, conference_id, status):
    """Codes of the plan's entries with that status, in plan order (the service's filter)."""
    path = f"/conferences/{conference_id}/plan?status={status}"
    return [e["code"] for e in ok(system["checklist"].get(path))["entries"]]


def all_published(service):
    """Wait until the service's relay has published everything it stored."""
    wait_until(lambda: service.metric("huiwu_relay_lag", service=service.name) == 0)


# -- 1. single-event rules --------------------------------------------------------------
def test_interpreting_and_catering_contracts_verify_and_reopen_their_entries(sqlite_system):
    system = sqlite_system
    system.start("checklist", "vendors")
    conference_id = open_plan(system)
    checklist_events = Captured(system.amqp_uri)
    conference = {"scope": "conference"}  # a contract drafted without a scope is this
    interpreting = single_rule("vendors.ContractSigned", category="interpreting", **conference)
    catering = single_rule("vendors.ContractSigned", category="catering", **conference)
    themed = single_rule("vendors.ContractSigned", category="catering", scope="themed_event")
    venue = single_rule("vendors.ContractSigned", category="venue", **conference)
    (three_signed,) = count_rules("vendors.ContractSigned", "vendors.ContractCancelled")
    assert interpreting == ["16.2.1"]
    assert catering == ["19.1.1"]  # the delegates' meals
    assert themed == ["4.1.6"]  # the themed evening's caterer, contracted apart
    assert venue == ["1.3.5"]
    assert three_signed == "8.3.3"
    assert concerned("vendors.ContractSigned", {"category": "venue", **conference}) == {
        "1.3.5": "add",
        "17.1.5": "add",  # the venue's delivery (the rooms set up) is awaited
        **EVERY_SIGNED_CONTRACT,
    }
    vendor_id = add_vendor(
        system, conference_id, "Hangzhou Language & Banquet", ("interpreting", "catering")
    )

    interpreter = signed_contract(system, conference_id, vendor_id, "interpreting")

    # The whole plan once checklist has applied vendors' 3 events (added, drafted, signed):
    # only the entries the YAML's rules name have moved.
    assert stored(system["vendors"]) == 3
    wait_consumed(system["checklist"], "vendors", "processed", 3)
    assert codes_with(system, conference_id, "verified") == ["16.2.1"]
    # 8.2.1 counts vendors added other than venues (1 of 3), 8.3.2 awaits the draft's review,
    # 8.3.3 counts signed contracts (1 of 3), the others await something of each contract
    # signed (16.2.2: the interpreting delivered)
    assert codes_with(system, conference_id, "in_progress") == [
        "2.5.3", "8.2.1", "8.2.5", "8.3.2", "8.3.3", "8.3.4", "8.4.1", "8.4.2", "8.4.3",
        "8.4.4", "16.2.2", "23.5.1", "23.5.2",
    ]  # fmt: skip
    for code in interpreting:
        (proof,) = wait_entry(system, conference_id, code, status="verified")["proofs"]
        assert proof["service"] == "vendors"
        assert proof["event_type"] == "ContractSigned"
        assert proof["aggregate_id"] == interpreter
        assert proof["actor"] == "li"
    touched = concerned(
        "vendors.ContractSigned",
        {"category": "interpreting", "vendor_id": vendor_id, **conference},
    )
    assert touched == {"16.2.1": "add", "16.2.2": "add", **NOT_THE_VENUE, **EVERY_SIGNED_CONTRACT}
    for code, role in touched.items():  # every other rule that counts a signed contract
        found = entry(system, conference_id, code)
        rule = template().entry(code).rule
        if rule.kind == "event":
            assert found["status"] == "verified", code
            continue
        percent = 100 // found["target"] if rule.kind == "count" else 0  # for-all: none done
        assert (found["status"], found["members"], role) == ("in_progress", 1, "add"), code
        assert found["progress"]["percent"] == percent, code
    for code in catering + themed + venue:
        assert entry(system, conference_id, code)["status"] == "open"

    first = signed_contract(system, conference_id, vendor_id, "catering")
    second = signed_contract(system, conference_id, vendor_id, "catering")

    for code in catering:
        wait_entry(system, conference_id, code, status="verified")
        wait_until(lambda c=code: len(entry(system, conference_id, c)["proofs"]) == 2)
    assert entry(system, conference_id, three_signed)["target"] == 3  # at_least: 3
    verified = wait_entry(system, conference_id, three_signed, status="verified", percent=100)
    (rule_proof,) = verified["proofs"]
    assert (rule_proof["kind"], rule_proof["members"], rule_proof["target"]) == ("rule", 3, 3)
    assert rule_proof["last"]["aggregate_id"] == second

    ok(cancel(system, first, "banquet hall double-booked"))

    for code in catering:  # the other contract still proves it
        found = wait_until(
            lambda c=code: len((e := entry(system, conference_id, c))["proofs"]) == 1 and e
        )
        assert found["status"] == "verified"
        assert found["proofs"][0]["aggregate_id"] == second
    reopened = wait_entry(system, conference_id, three_signed, status="in_progress", members=2)
    assert (reopened["proofs"], reopened["progress"]["percent"]) == ([], 66)

    ok(cancel(system, second, "caterer out of business"))
    ok(cancel(system, interpreter, "no foreign speakers after all"))

    for code in catering + interpreting:
        assert wait_entry(system, conference_id, code, status="open")["proofs"] == []
    wait_entry(system, conference_id, three_signed, status="open", members=0, percent=0)
    for code in catering:
        aggregate = str(entry_id(conference_id, code))
        (withdrawn,) = checklist_events.wait_for("EntryProofWithdrawn", aggregate)
        assert withdrawn["payload"]["reason"] == (
            f"vendors.ContractCancelled of Contract {first}: banquet hall double-booked"
        )
        (reopened_event,) = checklist_events.wait_for("EntryReopened", aggregate)
        assert reopened_event["payload"]["reason"] == (
            f"vendors.ContractCancelled of Contract {second}: caterer out of business"
        )
        assert reopened_event["causation_id"] == event_id_for(second, 3)  # its cancellation
    for code in themed + venue:  # a conference's catering contract is not the evening's
        assert entry(system, conference_id, code)["status"] == "open"


def test_budget_events_verify_single_and_for_all_entries_and_a_cancellation_reopens(
    sqlite_system,
):
    system = sqlite_system
    system.start("checklist")  # budget's events are forged
    conference_id = open_plan(system)
    checklist_events = Captured(system.amqp_uri)
    budget = ForgedUpstream(system.amqp_uri, "budget", conference_id)
    approved = list(concerned("budget.BudgetApproved", BUDGET))
    sponsor = single_rule("budget.SponsorSigned")
    assert approved == ["2.2.1", "2.3.1"]  # its ceiling, and its lines: the first budget
    assert sponsor == ["7.2.4"]
    assert sponsor_follow_up() == EVERY_SPONSOR
    every_sponsor = list(EVERY_SPONSOR)
    sponsorship = str(uuid.uuid4())

    approval = budget.emit("BudgetApproved", **BUDGET)
    signed = budget.emit("SponsorSigned", sponsorship, **CASH_SPONSOR)

    wait_consumed(system["checklist"], "budget", "processed", 2)
    assert codes_with(system, conference_id, "verified") == ["2.2.1", "2.3.1", "7.2.4"]
    assert codes_with(system, conference_id, "in_progress") == ["7.2.5", "23.3.1", "23.3.2"]

    for code in approved:
        (proof,) = wait_entry(system, conference_id, code, status="verified")["proofs"]
        assert proof == {
            "service": "budget",
            "event_type": "BudgetApproved",
            "event_id": approval["event_id"],
            "notification_id": 1,
            "aggregate_id": approval["aggregate_id"],
            "occurred_at": approval["occurred_at"],
            "actor": "zhao",
        }
    for code in sponsor:
        (proof,) = wait_entry(system, conference_id, code, status="verified")["proofs"]
        assert (proof["event_id"], proof["notification_id"]) == (signed["event_id"], 2)
    for code in every_sponsor:
        wait_entry(system, conference_id, code, status="in_progress", members=1, percent=0)

    budget.emit("SponsorSigned", conference_id=str(uuid.uuid4()), **CASH_SPONSOR)
    budget.emit("SponsorshipPaid", sponsorship, instalment=1, **HALF)  # not yet settled
    wait_consumed(system["checklist"], "budget", "processed", 4)
    for code in every_sponsor:
        found = entry(system, conference_id, code)
        assert (found["status"], found["members"], found["progress"]["percent"]) == (
            "in_progress",
            1,
            0,
        ), code
    follow_up(budget, sponsorship)

    for code in every_sponsor:
        (proof,) = wait_entry(system, conference_id, code, status="verified", percent=100)["proofs"]
        assert (proof["kind"], proof["rule"], proof["members"], proof["done"]) == (
            "rule",
            "for_all",
            1,
            1,
        )
    for code in sponsor:  # another conference's sponsor changes nothing here
        assert len(entry(system, conference_id, code)["proofs"]) == 1

    budget.emit("SponsorshipCancelled", sponsorship, reason="sponsor withdrew its budget")

    for code in sponsor + every_sponsor:
        found = wait_entry(system, conference_id, code, status="open")
        assert (found["proofs"], found["members"]) == ([], 0)
        (reopened,) = checklist_events.wait_for("EntryReopened", str(entry_id(conference_id, code)))
        assert reopened["payload"]["reason"] == (
            f"budget.SponsorshipCancelled of Sponsorship {sponsorship}: sponsor withdrew its budget"
        )
        assert reopened["causation_id"] == budget.log[-1]["event_id"]
        assert reopened["correlation_id"] == budget.log[-1]["correlation_id"]
    for code in approved:  # no compensation listed: stays verified
        assert entry(system, conference_id, code)["status"] == "verified"
    wait_consumed(system["checklist"], "budget", "processed", len(budget.log))
    assert consumed(system["checklist"], "budget", "dead_lettered") == 0


def test_a_waiver_stays_when_the_events_that_verified_the_entry_are_undone(sqlite_system):
    """A waiver is given, and re-opened, by hand: a compensating event withdraws the
    proofs it gave, and the entry stays waived."""
    system = sqlite_system
    system.start("checklist")
    conference_id = open_plan(system)
    checklist = system["checklist"]
    budget = ForgedUpstream(system.amqp_uri, "budget", conference_id)
    (sponsor,) = single_rule("budget.SponsorSigned")
    assert (sponsor, sponsor_follow_up()) == ("7.2.4", EVERY_SPONSOR)
    every_sponsor = list(EVERY_SPONSOR)
    sponsorship = str(uuid.uuid4())
    budget.emit("SponsorSigned", sponsorship, **CASH_SPONSOR)
    wait_entry(system, conference_id, sponsor, status="verified")
    reason = {"reason": "the host university's office follows this sponsor up", "actor": "wang"}
    for code in [sponsor, *every_sponsor]:
        ok(checklist.post(f"/conferences/{conference_id}/entries/{code}/waive", reason))
    follow_up(budget, sponsorship)  # every for-all rule holds, waived
    wait_consumed(checklist, "budget", "processed", 4)
    for code in every_sponsor:
        found = entry(system, conference_id, code)
        assert (found["status"], len(found["proofs"]), found["members"]) == ("waived", 1, 1), code

    budget.emit("SponsorshipCancelled", sponsorship, reason="sponsor withdrew")

    wait_consumed(checklist, "budget", "processed", 5)
    for code in [sponsor, *every_sponsor]:
        found = entry(system, conference_id, code)
        assert (found["status"], found["proofs"], found["members"]) == ("waived", [], 0), code
        assert found["waived"] == {"reason": reason["reason"], "by": "wang"}


# -- 2. count rules against a target ----------------------------------------------------
def test_count_rule_verifies_at_its_target_and_a_compensation_drops_it_again(system):
    attendance = 10  # targets: 0.5 of it is 5, 0.2 of it is 2
    system.start("checklist", "vendors")
    conference_id = open_plan(system, expected_attendance=attendance)
    checklist_events = Captured(system.amqp_uri)
    registration = ForgedUpstream(system.amqp_uri, "registration", conference_id)
    checklist = system["checklist"]
    checked_in = count_rules("registration.AttendeeCheckedIn")
    answered = count_rules("registration.SurveyResponseReceived")
    ratio = [c for c in checked_in + answered if template().entry(c).rule.target.ratio_of]
    # pre-registered attendees checked in (0.5), post-event survey responses (0.2)
    assert checked_in + answered == ratio == ["15.3.1", "22.2.2"]
    targets = {code: target_of(code, attendance) for code in ratio}
    assert targets == {"15.3.1": 5, "22.2.2": 2}
    assert {c: entry(system, conference_id, c)["target"] for c in ratio} == targets
    attendees = [str(uuid.uuid4()) for _ in range(max(targets.values()))]

    def expect(members):
        for code, target in targets.items():
            status = "verified" if members >= target else "in_progress" if members else "open"
            percent = min(100, members * 100 // target)
            found = wait_entry(
                system, conference_id, code, status=status, members=members, percent=percent
            )
            assert len(found["proofs"]) == (1 if members >= target else 0)

    for n, attendee in enumerate(attendees, start=1):
        registration.emit("SurveyResponseReceived", stage="post_event", overall_score=4)
        registration.emit("AttendeeCheckedIn", attendee, pre_registered=True, **CHECK_IN)
        expect(n)
        if n == 1:  # the same message again, and the same attendee again: no second count
            registration.republish(2)
            wait_consumed(checklist, "registration", "duplicate", 1)
            again = {**CHECK_IN, "checkin_list": "day-2"}
            registration.emit("AttendeeCheckedIn", attendee, pre_registered=True, **again)
            # near misses: a walk-in checked in, a survey answered on site
            registration.emit("AttendeeCheckedIn", pre_registered=False, **CHECK_IN)
            registration.emit("SurveyResponseReceived", stage="onsite", overall_score=5)
            wait_consumed(checklist, "registration", "processed", 5)
            expect(1)

    code, target = next((c, t) for c, t in targets.items() if t == len(attendees))
    (proof,) = entry(system, conference_id, code)["proofs"]
    last = registration.log[-1]
    assert proof["kind"] == "rule" and proof["rule"] == "count"
    assert (proof["members"], proof["target"]) == (target, target)
    assert proof["event_id"] == f"rule:{last['event_id']}"
    assert proof["last"]["aggregate_id"] == attendees[-1]
    total = len(registration.log)
    wait_consumed(checklist, "registration", "processed", total)
    assert consumed(checklist, "registration", "duplicate") == 1
    assert consumed(checklist, "registration", "dead_lettered") == 0

    # A count that a compensating event drops again: contracts signed with vendors other
    # than the venue, at least 3 (8.3.3); a cancelled contract leaves the count.
    (signed,) = count_rules("vendors.ContractSigned", "vendors.ContractCancelled")
    assert signed == "8.3.3"
    assert entry(system, conference_id, signed)["target"] == 3  # at_least: 3
    vendor_id = add_vendor(system, conference_id, "Qiantang Events Group", ("av", "printing"))
    venue = signed_contract(system, conference_id, vendor_id, "venue")  # 1.3.5's, not counted
    contracts = []
    for n, category in enumerate(("av", "printing", "catering", "photography"), start=1):
        contracts.append(signed_contract(system, conference_id, vendor_id, category))
        status = "verified" if n >= 3 else "in_progress"
        wait_entry(
            system, conference_id, signed, status=status, members=n, percent=min(100, n * 100 // 3)
        )
    (proof,) = entry(system, conference_id, signed)["proofs"]
    assert (proof["kind"], proof["rule"], proof["members"], proof["target"]) == (
        "rule",
        "count",
        3,
        3,
    )
    assert proof["event_id"] == f"rule:{event_id_for(contracts[2], 2)}"  # its signature
    assert proof["last"]["aggregate_id"] == contracts[2]

    ok(cancel(system, venue, "the venue closes for works"))  # never counted
    ok(cancel(system, contracts[0], "the AV company went bankrupt"))  # 3 left: still reached

    wait_consumed(checklist, "vendors", "processed", 1 + 2 * 5 + 2)  # added, 5 signed, 2 off
    found = wait_entry(system, conference_id, signed, status="verified", members=3, percent=100)
    assert [p["event_id"] for p in found["proofs"]] == [proof["event_id"]]
    aggregate = str(entry_id(conference_id, signed))
    all_published(checklist)  # every event of checklist is in the capture queue by now
    assert checklist_events.of("EntryReopened", aggregate) == []

    ok(cancel(system, contracts[1], "the printer cannot meet the date"))

    found = wait_entry(system, conference_id, signed, status="in_progress", members=2, percent=66)
    assert found["proofs"] == []
    (reopened,) = checklist_events.wait_for("EntryReopened", aggregate)
    assert reopened["payload"]["reason"] == (
        f"vendors.ContractCancelled of Contract {contracts[1]}: the printer cannot meet the date"
    )
    assert reopened["causation_id"] == event_id_for(contracts[1], 3)  # its cancellation

    # Fees collected (10.1.4: every order placed before the event paid) and fapiao handed
    # out on site against signature (15.3.4) are continuous work, until the last day of the
    # conference: before it, what proves them is progress only, and an order cancelled or a
    # fapiao reversed takes its member out again.
    fees = for_all_rules("registration.OrderPlaced", "registration.OrderPaid")
    assert fees == ["10.1.4", "15.3.2"]  # orders placed before the event; walk-ins on site
    handed = for_all_rules("registration.FapiaoIssued", "registration.FapiaoHandedOver")
    assert handed == ["15.3.4"]
    ongoing = ["10.1.4", "15.3.4"]
    for code in ongoing:
        found = entry(system, conference_id, code)
        assert found["opens_on"] and found["due_on"] == "2027-05-14", code  # the last day
    order, fapiao = str(uuid.uuid4()), str(uuid.uuid4())
    registration.emit("OrderPlaced", order, **order_of(attendees[0]))
    wait_entry(system, conference_id, "10.1.4", status="in_progress", members=1, percent=0)
    assert entry(system, conference_id, "15.3.2")["status"] == "open"  # placed online
    registration.emit("OrderPaid", order, total_minor=180_000, currency="CNY", free=False)
    wait_entry(system, conference_id, "10.1.4", status="in_progress", members=1, percent=100)
    registration.emit("FapiaoIssued", fapiao, **fapiao_of(order, attendees[0]))
    wait_entry(system, conference_id, "15.3.4", status="in_progress", members=1, percent=0)
    handed_over = {
        "fapiao_number": FAPIAO_NUMBER,
        "how": "onsite",
        "signed_for": True,
        "handed_on": "2027-05-20",
    }
    registration.emit("FapiaoHandedOver", fapiao, **handed_over)
    wait_entry(system, conference_id, "15.3.4", status="in_progress", members=1, percent=100)

    registration.emit(
        "OrderCancelled", order, cancelled_by="attendee", reason="visa refused", was_paid=True
    )
    registration.emit("FapiaoReversed", fapiao, **reversal_of(order))

    for code in ongoing:
        found = wait_entry(system, conference_id, code, status="open", members=0, percent=0)
        assert found["proofs"] == []
    total = len(registration.log)
    wait_consumed(checklist, "registration", "processed", total)
    all_published(checklist)
    for code in ongoing:  # never verified, so nothing to re-open
        assert checklist_events.of("EntryReopened", str(entry_id(conference_id, code))) == []
        assert checklist_events.of("EntryVerified", str(entry_id(conference_id, code))) == []
    assert consumed(checklist, "registration", "duplicate") == 1
    assert consumed(checklist, "registration", "dead_lettered") == 0


# -- 3. for-all rules -------------------------------------------------------------------
def test_for_all_rule_needs_every_confirmed_speaker_and_follows_withdrawals(system):
    system.start("checklist")
    conference_id = open_plan(system)
    checklist_events = Captured(system.amqp_uri)
    speakers = ForgedUpstream(system.amqp_uri, "speakers", conference_id)
    (slides,) = [
        c
        for c in for_all_rules("speakers.SpeakerConfirmed", "speakers.SlidesApproved")
        if "speakers.SpeakerWithdrawn" in template().entry(c).rule.removed_by
        and template().entry(c).rule.to_dict().get("require_where") == {"checks": "plays"}
    ]
    # Read from conference.yaml: every confirmed speaker who speaks must have slides that
    # were approved as playing.
    assert slides == "9.3.2"
    assert template().entry(slides).rule.to_dict()["where"] == {"speaks": True}
    aggregate = str(entry_id(conference_id, slides))
    ada, bo, chen, dai, vip = (str(uuid.uuid4()) for _ in range(5))
    plays = {"checks": ["plays", "fonts"]}

    speakers.emit("SpeakerConfirmed", ada, role="keynote", speaks=True)
    speakers.emit("SpeakerConfirmed", bo, role="speaker", speaks=True)
    speakers.emit("SpeakerConfirmed", vip, role="vip", speaks=False)  # no slides to ask for
    wait_entry(system, conference_id, slides, status="in_progress", members=2, percent=0)
    speakers.emit("SlidesApproved", ada, version=1, **plays)
    speakers.emit("SlidesApproved", bo, version=1, checks=["maps"])  # not played yet
    wait_consumed(system["checklist"], "speakers", "processed", 5)
    found = entry(system, conference_id, slides)
    assert (found["status"], found["members"], found["progress"]["percent"]) == (
        "in_progress",
        2,
        50,
    )

    speakers.emit("SlidesApproved", bo, version=2, **plays)

    verified = wait_entry(system, conference_id, slides, status="verified", percent=100)
    (proof,) = verified["proofs"]
    assert (proof["kind"], proof["rule"], proof["members"], proof["done"]) == (
        "rule",
        "for_all",
        2,
        2,
    )
    assert proof["last"]["event_type"] == "SlidesApproved"
    assert proof["last"]["aggregate_id"] == bo

    confirmed = speakers.emit("SpeakerConfirmed", chen, role="speaker", speaks=True)  # no slides

    found = wait_entry(system, conference_id, slides, status="in_progress", members=3, percent=66)
    assert found["proofs"] == []
    (reopened,) = checklist_events.wait_for("EntryReopened", aggregate)
    assert reopened["payload"]["reason"] == f"speakers.SpeakerConfirmed of Speaker {chen}"
    assert reopened["causation_id"] == confirmed["event_id"]

    withdrawn = speakers.emit("SpeakerWithdrawn", chen, role="speaker", reason="illness")

    verified = wait_entry(system, conference_id, slides, status="verified", members=2, percent=100)
    (proof,) = verified["proofs"]
    assert proof["event_id"] == f"rule:{withdrawn['event_id']}"
    assert (proof["members"], proof["done"]) == (2, 2)

    # Slides approved before the confirmation count once the speaker confirms.
    speakers.emit("SlidesApproved", dai, version=1, **plays)
    speakers.emit("SpeakerConfirmed", dai, role="moderator", speaks=True)
    speakers.emit("SlidesApproved", dai, version=2, **plays)  # approved twice: done once
    wait_consumed(system["checklist"], "speakers", "processed", len(speakers.log))
    all_published(system["checklist"])  # before counting what it published
    found = entry(system, conference_id, slides)
    assert (found["status"], found["members"], found["progress"]["percent"]) == (
        "verified",
        3,
        100,
    )
    assert [p["event_id"] for p in found["proofs"]] == [f"rule:{withdrawn['event_id']}"]
    assert len(checklist_events.of("EntryVerified", aggregate)) == 2
    assert len(checklist_events.of("EntryReopened", aggregate)) == 1


# -- 4. out of order and duplicated -----------------------------------------------------
def vendor_history(system, conference_id):
    """A venue, catering, AV and interpreting contract signed; the catering one cancelled."""
    vendor_id = add_vendor(system, conference_id, "Qiantang Events Group")
    contracts = {
        category: draft_contract(system, conference_id, vendor_id, category=category)
        for category in ("venue", "catering", "av", "interpreting")
    }
    for contract_id in contracts.values():
        ok(sign(system, contract_id))
    ok(cancel(system, contracts["catering"], "menu tasting failed"))
    return 1 + 2 * len(contracts) + 1  # added, drafted and signed each, one cancelled


def vendor_rule_state(system, conference_id):
    codes = listening_to("vendors")
    assert codes == VENDOR_RULES
    return [summary(entry(system, conference_id, code)) for code in codes]


def drain_until(uri, queue, count):
    """The bodies of the next `count` messages of a capture queue, waiting for them."""
    found = []

    def enough():
        found.extend(body for body, _ in amqp.drain(uri, queue))
        return len(found) >= count

    wait_until(enough)
    return found


def test_out_of_order_and_duplicated_vendor_events_end_in_the_in_order_state(system):
    system.start("checklist", "vendors", extra_env=QUIET)
    checklist = system["checklist"]
    in_order = open_plan(system)
    shuffled = open_plan(system, name="Asia Pharma Forum 2027 (Chengdu)", city="Chengdu")
    count = vendor_history(system, in_order)
    wait_consumed(checklist, "vendors", "processed", count)
    expected = vendor_rule_state(system, in_order)
    copies = amqp.capture(system.amqp_uri, "vendors", "test.vendors-copies")

    amqp.unbind(system.amqp_uri, "checklist.vendors-events", "vendors")
    assert vendor_history(system, shuffled) == count  # published, never delivered
    held = drain_until(system.amqp_uri, copies.name, count)
    amqp.bind(system.amqp_uri, "checklist.vendors-events", "vendors")
    assert [b["notification_id"] for b in held] == list(range(count + 1, 2 * count + 1))
    assert {b["conference_id"] for b in held} == {shuffled}
    assert consumed(checklist, "vendors", "processed") == count
    assert all(s[1] == "open" for s in vendor_rule_state(system, shuffled))

    newest, *older = reversed(held)
    amqp.publish(system.amqp_uri, "vendors", newest)  # reveals the gap: the rest from the log
    wait_consumed(checklist, "vendors", "processed", 2 * count)  # gap-filled ones included
    assert consumed(checklist, "vendors", "gap_filled") == count - 1
    for body in older:  # then every one of them arrives, newest first
        amqp.publish(system.amqp_uri, "vendors", body)
    wait_consumed(checklist, "vendors", "duplicate", count - 1)

    assert vendor_rule_state(system, shuffled) == expected

    for body in held:  # and all of them once more
        amqp.publish(system.amqp_uri, "vendors", body)
    wait_consumed(checklist, "vendors", "duplicate", 2 * count - 1)

    assert vendor_rule_state(system, shuffled) == expected
    assert consumed(checklist, "vendors", "processed") == 2 * count
    assert consumed(checklist, "vendors", "gap_filled") == count - 1
    assert consumed(checklist, "vendors", "caught_up") == 0  # QUIET: nothing after the start
    # The in-order state itself, as the YAML's rules say it must be after one vendor added (a
    # venue), a venue, catering, AV and interpreting contract drafted and signed for the
    # conference and the catering one cancelled: (status, percent, members, target, proofs).
    signed = ("verified", 100, 0, None, ["ContractSigned"])
    awaited = ("in_progress", 0, 3, None, [])  # every contract signed, less the cancelled
    one_awaited = ("in_progress", 0, 1, None, [])  # that contract's delivery accepted
    moved = {
        "1.3.1": ("in_progress", 50, 1, 2, []),  # 1 venue added of 2
        "1.3.5": signed,  # venue
        "12.1.3": signed,  # av
        "16.2.1": signed,  # interpreting
        "8.3.2": awaited,  # every draft (less the cancelled) reviewed: none yet
        # catering, AV and interpreting (not the venue) made 3 of 3, then the catering
        # contract was cancelled: 2 of 3, re-opened
        "8.3.3": ("in_progress", 66, 2, 3, []),
        # none settled, approved within budget, filed, delivered, checked for its bank
        # details, paid, invoiced or reviewed
        **dict.fromkeys(EVERY_SIGNED_CONTRACT, awaited),
        "17.1.5": one_awaited,  # venue
        "17.2.4": one_awaited,  # av
        "16.2.2": one_awaited,  # interpreting
    }
    state = {code: tuple(rest) for code, *rest in expected}
    found = {code: (s, p["percent"], m, t, ps) for code, (s, p, m, t, ps) in state.items()}
    open_as_planned = {code: ("open", 0, 0, found[code][3], []) for code in VENDOR_RULES}
    assert found == {**open_as_planned, **moved}  # nothing else moved
    not_started = {"state": "not_started", "percent": 0, "note": None}
    done = {"state": "done", "percent": 100, "note": None}  # shown so when verified
    for code in VENDOR_RULES:
        if state[code][0] == "verified":
            assert state[code][1] == done, code
        elif state[code][0] == "open":  # the catering ones (19.1.1, 19.1.6) re-opened too
            assert state[code][1] == not_started, code
        else:  # started by its rule: the progress says so too
            assert state[code][1]["state"] == "in_progress", code
    assert state["19.1.1"] == state["19.1.6"] == ("open", not_started, 0, None, [])
    # 8.2.1 counts vendors for services other than the venue; 4.1.6 is the themed evening's
    # caterer: neither moved
    assert state["8.2.1"] == ("open", not_started, 0, 3, [])
    assert state["4.1.6"] == ("open", not_started, 0, None, [])


# -- 10. rebuild from zero --------------------------------------------------------------
def plan(system, conference_id):
    return ok(system["checklist"].get(f"/conferences/{conference_id}/plan"))


def unversioned(plan_answer):
    """The plan without each entry's version: how many events brought an entry where it
    stands depends on how the logs were paged when taken (a page's changes to a count are
    one event), not what it holds."""
    entries = [{k: v for k, v in e.items() if k != "version"} for e in plan_answer["entries"]]
    return {**plan_answer, "entries": entries}


def test_checklist_rebuilt_from_zero_reaches_the_same_plan(system):
    attendance = 4
    system.start("vendors", "checklist")
    checklist = system["checklist"]
    conference_id = open_plan(system, expected_attendance=attendance)
    registration = ForgedUpstream(system.amqp_uri, "registration", conference_id)
    count = vendor_history(system, conference_id)
    attendees = [str(uuid.uuid4()) for _ in range(attendance)]
    fee = {"amount_minor": 180_000, "currency": "CNY"}
    for attendee in attendees:
        registration.emit("AttendeeRegistered", attendee, category="delegate")
    registration.emit("RegistrationCancelled", attendees[0], reason="changed jobs")
    registration.emit("RegistrationPaid", attendees[1], **fee)
    registration.emit("InvoiceIssued", attendees[1], invoice_number="INV-1", **fee)
    registration.emit("RegistrationPaid", attendees[2], **fee)
    registration.emit("RefundIssued", attendees[2], **fee)
    registration.emit("RegistrationOpened", channel="online")
    wait_consumed(checklist, "vendors", "processed", count)
    wait_consumed(checklist, "registration", "processed", len(registration.log))
    live = plan(system, conference_id)
    assert {e["status"] for e in live["entries"]} == {"open", "in_progress", "verified"}
    for service in ("vendors", "registration"):  # both upstreams left proofs behind
        assert any(e["proofs"] for e in live["entries"] if e["code"] in listening_to(service))

    # vendors follows checklist: it has taken the whole old log before that log is wiped
    # (else its messages beyond the fresh log's end would be judged forged, and rightly)
    vendors, stores = system["vendors"], OpenStores(system)
    try:
        events = len(stores.app("checklist").select_notifications(1, 100_000))
    finally:
        stores.close()
    wait_consumed(vendors, "checklist", "processed", events)  # each event applied
    checklist.stop()
    wipe_checklist_store(system)
    replay_open_conference(system, conference_id, expected_attendance=attendance)
    checklist.start()  # vendors' log is read from position 1
    registration.republish_all()  # forged events are in no log: the same ones, in order

    wait_consumed(checklist, "vendors", "caught_up", count)
    wait_consumed(checklist, "registration", "processed", len(registration.log))
    assert unversioned(plan(system, conference_id)) == unversioned(live)
