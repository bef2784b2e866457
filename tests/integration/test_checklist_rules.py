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

# Read from conference.yaml: every entry of the academic plan whose rule listens to vendors.
VENDOR_RULES = [
    "1.3.1", "1.3.3", "1.3.4", "1.3.5", "4.1.6", "4.1.7", "8.2.1", "8.2.2", "8.2.4", "8.2.6",
    "8.3.3", "8.4.1", "11.3.2", "12.1.3", "12.3.5", "13.1.5", "13.2.2", "16.2.1", "16.2.2",
    "17.1.5", "17.2.3", "17.2.4", "17.4.4", "17.5.1", "17.5.4", "19.1.1", "19.1.6", "20.1.2",
    "21.1.3", "23.4.6", "23.5.1",
]  # fmt: skip
# What a ContractSigned adds to, besides the single-event entry of its category:
# 8.3.3 (count, at least main_vendors signed: 3 by default), 8.4.1 and 23.5.1 (for all
# signed contracts).
EVERY_SIGNED_CONTRACT = {"8.3.3": "add", "8.4.1": "add", "23.5.1": "add"}


def count_rules(event, compensated_by):
    return rule_codes(
        lambda e: (
            e.rule.kind == "count"
            and e.rule.event == event
            and compensated_by in e.rule.compensated_by
        )
    )


def for_all_rules(event, require):
    return rule_codes(
        lambda e: e.rule.kind == "for_all" and e.rule.event == event and e.rule.require == require
    )


def target_of(code, expected_attendance):
    """The entry's target in a conference opened with the default settings."""
    figures = {"expected_attendance": expected_attendance}
    return template().entry(code).rule.target.resolve(figures, template().setting_values({}))


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
    interpreting = single_rule("vendors.ContractSigned", category="interpreting")
    catering = single_rule("vendors.ContractSigned", category="catering")
    venue = single_rule("vendors.ContractSigned", category="venue")
    (three_signed,) = count_rules("vendors.ContractSigned", "vendors.ContractCancelled")
    assert interpreting == ["16.2.1"]
    assert catering == ["4.1.6", "19.1.1"]  # a menu entry and the catering contract
    assert venue == ["1.3.5"]
    assert three_signed == "8.3.3"
    assert concerned("vendors.ContractSigned", {"category": "venue"}) == {
        "1.3.5": "add",
        **EVERY_SIGNED_CONTRACT,
    }
    vendor_id = add_vendor(system, conference_id, "Hangzhou Language & Banquet")

    interpreter = signed_contract(system, conference_id, vendor_id, "interpreting")

    # The whole plan once checklist has applied vendors' 3 events (added, drafted, signed):
    # only the entries the YAML's rules name have moved.
    assert stored(system["vendors"]) == 3
    wait_consumed(system["checklist"], "vendors", "processed", 3)
    assert codes_with(system, conference_id, "verified") == ["16.2.1"]
    # 1.3.1 counts venues added (1 of 2), 8.2.1 vendors added (1 of 3); the other three
    # count signed contracts
    in_progress = ["1.3.1", "8.2.1", "8.3.3", "8.4.1", "23.5.1"]
    assert codes_with(system, conference_id, "in_progress") == in_progress
    for code in interpreting:
        (proof,) = wait_entry(system, conference_id, code, status="verified")["proofs"]
        assert proof["service"] == "vendors"
        assert proof["event_type"] == "ContractSigned"
        assert proof["aggregate_id"] == interpreter
        assert proof["actor"] == "li"
    touched = concerned(
        "vendors.ContractSigned", {"category": "interpreting", "vendor_id": vendor_id}
    )
    assert touched == {"16.2.1": "add", **EVERY_SIGNED_CONTRACT}
    for code, role in touched.items():  # every other rule that counts a signed contract
        found = entry(system, conference_id, code)
        rule = template().entry(code).rule
        if rule.kind == "event":
            assert found["status"] == "verified", code
            continue
        percent = 100 // found["target"] if rule.kind == "count" else 0  # for-all: none done
        assert (found["status"], found["members"], role) == ("in_progress", 1, "add"), code
        assert found["progress"]["percent"] == percent, code
    for code in catering + venue:
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
    for code in venue:
        assert entry(system, conference_id, code)["status"] == "open"


def test_budget_events_verify_single_and_for_all_entries_and_a_cancellation_reopens(
    sqlite_system,
):
    system = sqlite_system
    system.start("checklist")  # budget's events are forged
    conference_id = open_plan(system)
    checklist_events = Captured(system.amqp_uri)
    budget = ForgedUpstream(system.amqp_uri, "budget", conference_id)
    approved = single_rule("budget.BudgetApproved")
    sponsor = single_rule("budget.SponsorSigned")
    paid_in_full = for_all_rules("budget.SponsorSigned", "budget.SponsorshipPaid")
    assert approved == ["2.2.1", "2.3.1"]
    assert sponsor == ["7.2.4"]
    assert paid_in_full == ["7.2.5", "23.3.2"]
    sponsorship = str(uuid.uuid4())

    approval = budget.emit("BudgetApproved", version=1, approved_by="board")
    signed = budget.emit("SponsorSigned", sponsorship, level="gold", **SIGNED)

    wait_consumed(system["checklist"], "budget", "processed", 2)
    assert codes_with(system, conference_id, "verified") == ["2.2.1", "2.3.1", "7.2.4"]
    assert codes_with(system, conference_id, "in_progress") == ["7.2.5", "23.3.2"]

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
    for code in paid_in_full:
        wait_entry(system, conference_id, code, status="in_progress", members=1, percent=0)

    budget.emit("SponsorSigned", level="silver", conference_id=str(uuid.uuid4()), **SIGNED)
    budget.emit("SponsorshipPaid", sponsorship, **SIGNED)

    for code in paid_in_full:
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

    for code in sponsor + paid_in_full:
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
    wait_consumed(system["checklist"], "budget", "processed", 5)
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
    paid_in_full = for_all_rules("budget.SponsorSigned", "budget.SponsorshipPaid")
    assert (sponsor, paid_in_full) == ("7.2.4", ["7.2.5", "23.3.2"])
    sponsorship = str(uuid.uuid4())
    budget.emit("SponsorSigned", sponsorship, level="partner", **SIGNED)
    wait_entry(system, conference_id, sponsor, status="verified")
    reason = {"reason": "the partner sponsors in kind; no contract", "actor": "wang"}
    for code in [sponsor, *paid_in_full]:
        ok(checklist.post(f"/conferences/{conference_id}/entries/{code}/waive", reason))
    budget.emit("SponsorshipPaid", sponsorship, **SIGNED)  # the for-all rule holds, waived
    wait_consumed(checklist, "budget", "processed", 2)

    budget.emit("SponsorshipCancelled", sponsorship, reason="sponsor withdrew")

    wait_consumed(checklist, "budget", "processed", 3)
    for code in [sponsor, *paid_in_full]:
        found = entry(system, conference_id, code)
        assert (found["status"], found["proofs"], found["members"]) == ("waived", [], 0), code
        assert found["waived"] == {"reason": reason["reason"], "by": "wang"}


# -- 2. count rules against a target ----------------------------------------------------
def test_count_rule_verifies_at_its_target_and_a_compensation_drops_it_again(system):
    attendance = 8  # target of 15.3.1: onsite_checkin_ratio (0.5 by default) of it, 4
    system.start("checklist")
    conference_id = open_plan(system, expected_attendance=attendance)
    checklist_events = Captured(system.amqp_uri)
    registration = ForgedUpstream(system.amqp_uri, "registration", conference_id)
    checklist = system["checklist"]
    checked_in = rule_codes(
        lambda e: e.rule.kind == "count" and e.rule.event == "registration.AttendeeCheckedIn"
    )
    assert checked_in == ["15.3.1"]
    assert template().entry("15.3.1").rule.target.setting == "onsite_checkin_ratio"
    targets = {code: target_of(code, attendance) for code in checked_in}
    assert targets == {"15.3.1": 4}
    assert {c: entry(system, conference_id, c)["target"] for c in checked_in} == targets
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
        registration.emit("AttendeeCheckedIn", attendee)
        expect(n)
        if n == 1:  # the same message again, and the same attendee again: no second count
            registration.republish(1)
            wait_consumed(checklist, "registration", "duplicate", 1)
            registration.emit("AttendeeCheckedIn", attendee)
            wait_consumed(checklist, "registration", "processed", 2)
            expect(1)

    code, target = next((c, t) for c, t in targets.items() if t == len(attendees))
    (proof,) = entry(system, conference_id, code)["proofs"]
    last = registration.log[-1]
    assert proof["kind"] == "rule" and proof["rule"] == "count"
    assert (proof["members"], proof["target"]) == (target, target)
    assert proof["event_id"] == f"rule:{last['event_id']}"
    assert proof["last"]["aggregate_id"] == attendees[-1]

    # Fees: paying attendees counted, a refund takes its attendee out of the count.
    (fees,) = count_rules("registration.RegistrationPaid", "registration.RefundIssued")
    assert fees == "10.1.4"
    assert entry(system, conference_id, fees)["target"] == 1
    invoiced = for_all_rules("registration.RegistrationPaid", "registration.InvoiceIssued")
    assert invoiced == ["15.3.4", "23.1.3"]
    fee = {"amount_minor": 180_000, "currency": "CNY"}
    registration.emit("RegistrationPaid", attendees[0], **fee)
    wait_entry(system, conference_id, fees, status="verified", members=1, percent=100)
    registration.emit("InvoiceIssued", attendees[0], invoice_number="INV-2027-0001", **fee)
    for code in invoiced:
        wait_entry(system, conference_id, code, status="verified", members=1, percent=100)

    refund = registration.emit("RefundIssued", attendees[0], **fee)

    for code in [fees, *invoiced]:
        found = wait_entry(system, conference_id, code, status="open", members=0, percent=0)
        assert found["proofs"] == []
        (reopened,) = checklist_events.wait_for("EntryReopened", str(entry_id(conference_id, code)))
        assert reopened["payload"]["reason"] == (
            f"registration.RefundIssued of Attendee {attendees[0]}"
        )
        assert reopened["causation_id"] == refund["event_id"]
    total = len(registration.log)
    wait_consumed(checklist, "registration", "processed", total)
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
        for c in for_all_rules("speakers.SpeakerConfirmed", "speakers.SlidesReceived")
        if "speakers.SpeakerWithdrawn" in template().entry(c).rule.removed_by
    ]
    assert slides == "9.3.2"
    aggregate = str(entry_id(conference_id, slides))
    ada, bo, chen, dai = (str(uuid.uuid4()) for _ in range(4))

    speakers.emit("SpeakerConfirmed", ada, role="keynote")
    speakers.emit("SpeakerConfirmed", bo, role="speaker")
    wait_entry(system, conference_id, slides, status="in_progress", members=2, percent=0)
    speakers.emit("SlidesReceived", ada)
    wait_entry(system, conference_id, slides, status="in_progress", members=2, percent=50)

    speakers.emit("SlidesReceived", bo)

    verified = wait_entry(system, conference_id, slides, status="verified", percent=100)
    (proof,) = verified["proofs"]
    assert (proof["kind"], proof["rule"], proof["members"], proof["done"]) == (
        "rule",
        "for_all",
        2,
        2,
    )
    assert proof["last"]["event_type"] == "SlidesReceived"
    assert proof["last"]["aggregate_id"] == bo

    confirmed = speakers.emit("SpeakerConfirmed", chen, role="speaker")  # no slides yet

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

    # Slides that come before the confirmation count once the speaker confirms.
    speakers.emit("SlidesReceived", dai)
    speakers.emit("SpeakerConfirmed", dai, role="moderator")
    speakers.emit("SlidesReceived", dai)  # sent twice: done once
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
    # The in-order state itself, as the YAML's rules say it must be after one vendor added,
    # a venue, catering, AV and interpreting contract signed and the catering one cancelled:
    # (status, percent, members, target, proofs).
    signed = ("verified", 100, 0, None, ["ContractSigned"])
    moved = {
        "1.3.5": signed,  # venue
        "12.1.3": signed,  # av
        "16.2.1": signed,  # interpreting
        "8.3.3": ("verified", 100, 3, 3, ["rule"]),  # 4 signed, 1 cancelled: 3 of 3
        "8.2.1": ("in_progress", 33, 1, 3, []),  # 1 vendor added of 3
        "1.3.1": ("in_progress", 50, 1, 2, []),  # 1 venue added of 2
        # every signed contract, none delivered (8.4.1) nor reviewed (23.5.1) yet
        "8.4.1": ("in_progress", 0, 3, None, []),
        "23.5.1": ("in_progress", 0, 3, None, []),
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
        elif state[code][0] == "open":  # the catering ones (4.1.6, 19.1.1) re-opened too
            assert state[code][1] == not_started, code
        else:  # started by its rule: the progress says so too
            assert state[code][1]["state"] == "in_progress", code
    assert state["4.1.6"] == state["19.1.1"] == ("open", not_started, 0, None, [])


# -- 10. rebuild from zero --------------------------------------------------------------
def plan(system, conference_id):
    return ok(system["checklist"].get(f"/conferences/{conference_id}/plan"))


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
    assert plan(system, conference_id) == live
