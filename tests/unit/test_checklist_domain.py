"""Checklist's aggregates: entries verified by proofs, re-opened when proofs are withdrawn."""

import datetime as dt
import uuid

import pytest

from services.checklist import template as templates
from services.checklist.domain import Conference, Entry, Observation, entry_id
from services.checklist.rules import ADD, DONE, REMOVE
from services.checklist.schemas import ConferenceAnswer, EntryAnswer

CONFERENCE = "5c0d8f7e-2222-4d4d-8e8e-000000000002"
META = {"actor": "li", "correlation_id": "c", "causation_id": None, "conference_id": CONFERENCE}
# A single-event rule: each signed venue contract is a proof; its cancellation withdraws it.
VENUE_RULE = {
    "event": "vendors.ContractSigned",
    "where": {"category": "venue"},
    "compensated_by": ["vendors.ContractCancelled"],
}


def new_entry(code="1.3.5", rule=VENUE_RULE, evidence=("document",), target=None) -> Entry:
    entry = Entry(
        conference_id=CONFERENCE,
        code=code,
        title_zh="签订场地合同",
        title_en="Venue contract signed",
        owner_role="venue",
        due_on="2026-06-12",
        verification={"rule": rule, "evidence": list(evidence)},
        meta=META,
        target=target,
    )
    entry.collect_events()
    return entry


def verify(entry: Entry, proof: dict) -> None:
    """A matching event of the entry's rule arrived."""
    entry.observe(ADD, proof, "signed", META)


def withdraw_proofs_of(entry: Entry, aggregate_id: str, reason: str) -> None:
    """A compensating event of `aggregate_id` arrived."""
    entry.observe(REMOVE, proof(f"undo-{aggregate_id}", aggregate_id), reason, META)


def proof(event_id: str, aggregate_id: str) -> dict:
    return {
        "service": "vendors",
        "event_type": "ContractSigned",
        "event_id": event_id,
        "notification_id": 1,
        "aggregate_id": aggregate_id,
        "occurred_at": "2026-03-01T02:00:00+00:00",
        "actor": "li",
    }


def names(events) -> list[str]:
    return [type(e).__name__ for e in events]


def test_the_entry_id_is_deterministic_per_conference_and_code():
    assert entry_id(CONFERENCE, "1.3.5") == entry_id(CONFERENCE, "1.3.5")
    assert entry_id(CONFERENCE, "1.3.5") != entry_id(CONFERENCE, "1.3.6")
    assert entry_id(CONFERENCE, "1.3.5") != entry_id(str(uuid.uuid4()), "1.3.5")
    assert new_entry("1.3.5").id == entry_id(CONFERENCE, "1.3.5")


def test_a_new_entry_is_open():
    entry = new_entry()

    assert entry.status == "open"
    answer = EntryAnswer().dump(entry.state)
    assert answer["proofs"] == []
    assert answer["entry_id"] == str(entry_id(CONFERENCE, "1.3.5"))
    assert answer["status"] == "open"
    assert answer["progress"] == {"state": "not_started", "percent": 0, "note": None}


def test_verify_adds_a_proof_once():
    entry = new_entry()

    verify(entry, proof("e1", "contract-a"))
    verify(entry, proof("e1", "contract-a"))

    events = entry.collect_events()
    assert names(events) == ["EntryVerified"]
    assert events[0].proof["event_id"] == "e1"
    assert events[0].meta == META
    assert entry.status == "verified"
    assert [p["event_id"] for p in entry.proofs] == ["e1"]


def test_a_second_proof_is_kept_beside_the_first():
    entry = new_entry()
    verify(entry, proof("e1", "contract-a"))
    verify(entry, proof("e2", "contract-b"))

    assert names(entry.collect_events()) == ["EntryVerified", "EntryVerified"]
    assert [p["event_id"] for p in entry.proofs] == ["e1", "e2"]


def test_withdrawing_one_of_two_proofs_keeps_the_entry_verified():
    entry = new_entry()
    verify(entry, proof("e1", "contract-a"))
    verify(entry, proof("e2", "contract-b"))
    entry.collect_events()

    withdraw_proofs_of(entry, "contract-a", "cancelled")

    (withdrawn,) = entry.collect_events()
    assert type(withdrawn).__name__ == "EntryProofWithdrawn"
    assert withdrawn.withdrawn == ["e1"]
    assert withdrawn.reason == "cancelled"
    assert entry.status == "verified"
    assert [p["event_id"] for p in entry.proofs] == ["e2"]


def test_withdrawing_the_last_proof_reopens_the_entry():
    entry = new_entry()
    verify(entry, proof("e1", "contract-a"))
    verify(entry, proof("e2", "contract-b"))
    withdraw_proofs_of(entry, "contract-a", "cancelled")
    entry.collect_events()

    withdraw_proofs_of(entry, "contract-b", "cancelled too")

    (reopened,) = entry.collect_events()
    assert type(reopened).__name__ == "EntryReopened"
    assert reopened.withdrawn == ["e2"]
    assert entry.status == "open"
    assert entry.proofs == []


def test_withdrawing_all_proofs_of_one_aggregate_at_once_reopens():
    entry = new_entry()
    verify(entry, proof("e1", "contract-a"))
    verify(entry, proof("e2", "contract-a"))
    entry.collect_events()

    withdraw_proofs_of(entry, "contract-a", "cancelled")

    (reopened,) = entry.collect_events()
    assert type(reopened).__name__ == "EntryReopened"
    assert reopened.withdrawn == ["e1", "e2"]
    assert entry.status == "open"


def test_withdrawing_proofs_of_an_aggregate_that_gave_none_records_nothing():
    entry = new_entry()
    withdraw_proofs_of(entry, "contract-a", "cancelled")
    assert entry.collect_events() == []

    verify(entry, proof("e1", "contract-a"))
    entry.collect_events()
    withdraw_proofs_of(entry, "contract-z", "cancelled")

    assert entry.collect_events() == []
    assert entry.status == "verified"


def test_an_entry_can_be_verified_again_after_it_was_reopened():
    entry = new_entry()
    verify(entry, proof("e1", "contract-a"))
    withdraw_proofs_of(entry, "contract-a", "cancelled")
    verify(entry, proof("e3", "contract-c"))

    assert names(entry.collect_events()) == ["EntryVerified", "EntryReopened", "EntryVerified"]
    assert entry.status == "verified"


def due_on(starts_on: dt.date, ends_on: dt.date, milestone: str, offset_days: int) -> dt.date:
    """An entry's due date, as the plan template computes it from its milestone."""
    template = templates.parse(
        {
            "entries": [
                {
                    "code": "1.1.1",
                    "title_zh": "事项",
                    "title_en": "Entry",
                    "owner_role": "project_lead",
                    "due": {"milestone": milestone, "offset_days": offset_days},
                    "verification": {"evidence": ["document"]},
                }
            ]
        },
        "due.yaml",
    )
    return template.due_on("1.1.1", starts_on, ends_on)


@pytest.mark.parametrize(
    ("milestone", "offset", "expected"),
    [
        ("start", -120, dt.date(2026, 6, 12)),
        ("start", 0, dt.date(2026, 10, 10)),
        ("start", -1, dt.date(2026, 10, 9)),
        ("end", 0, dt.date(2026, 10, 12)),
        ("end", 7, dt.date(2026, 10, 19)),
        ("end", 30, dt.date(2026, 11, 11)),
    ],
)
def test_due_on_counts_days_from_the_start_or_the_end(milestone, offset, expected):
    assert due_on(dt.date(2026, 10, 10), dt.date(2026, 10, 12), milestone, offset) == expected


def test_due_on_crosses_a_leap_day():
    assert due_on(dt.date(2028, 3, 1), dt.date(2028, 3, 2), "start", -1) == dt.date(2028, 2, 29)


def test_conference_opened_carries_its_plan():
    conference_id = uuid.uuid4()
    conference = Conference(
        conference_id=conference_id,
        name="Annual Meeting",
        starts_on="2026-10-10",
        ends_on="2026-10-12",
        city="Hangzhou",
        expected_attendance=800,
        profile="academic",
        timezone="Asia/Shanghai",
        template="starter",
        entry_codes=["1.1.1", "1.3.5"],
        meta=META,
    )

    (opened,) = conference.collect_events()
    assert type(opened).__name__ == "ConferenceOpened"
    assert opened.originator_id == conference_id
    assert opened.entry_codes == ["1.1.1", "1.3.5"]
    answer = ConferenceAnswer().dump(conference)
    assert answer["entries"] == 2
    assert answer["conference_id"] == str(conference_id)
    assert answer["team"] == []


def test_a_for_all_rule_pairs_a_required_event_of_another_aggregate_with_its_member():
    rule = {
        "for_all": "vendors.ContractSigned",
        "require": "budget.PaymentRecorded",
        "pair_by": "contract_id",
    }
    entry = new_entry("7.4.1", rule=rule, evidence=())
    entry.observe(ADD, proof("signed-a", "contract-a"), "signed", META)
    entry.observe(ADD, proof("signed-b", "contract-b"), "signed", META)
    entry.observe(DONE, proof("paid-a", "payment-1"), "paid", META, member="contract-a")
    assert entry.status != "verified"  # contract b is not paid
    entry.observe(DONE, proof("paid-c", "payment-2"), "paid", META, member="contract-c")
    assert entry.status != "verified"  # a payment of a contract this entry does not hold

    entry.observe(DONE, proof("paid-b", "payment-3"), "paid", META, member="contract-b")

    assert entry.status == "verified"
    assert sorted(entry.done) == ["contract-a", "contract-b", "contract-c"]
    assert sorted(entry.members) == ["contract-a", "contract-b"]


COUNT_RULE = {
    "count": "vendors.ContractSigned",
    "at_least": 2,
    "compensated_by": ["vendors.ContractCancelled"],
}


def seen(role, event_id, aggregate_id, reason="signed"):
    return Observation(role, proof(event_id, aggregate_id), reason, META)


def test_a_page_of_events_is_one_rule_event_and_the_entry_settles_as_the_rule_ends():
    entry = new_entry("4.1.1", rule=COUNT_RULE, evidence=(), target=2)
    entry.observe_all(
        [
            seen(ADD, "signed-a", "contract-a"),
            seen(ADD, "signed-b", "contract-b"),  # holds here
            seen(ADD, "signed-a-again", "contract-a"),  # a member already: nothing
            seen(REMOVE, "cancel-a", "contract-a", "cancelled"),  # no longer
            seen(ADD, "signed-c", "contract-c"),  # holds again, for good
            seen(REMOVE, "cancel-x", "contract-x", "cancelled"),  # not a member: nothing
        ]
    )

    changed, verified = entry.collect_events()
    assert names([changed, verified]) == ["RuleMembersChanged", "EntryVerified"]
    assert [(s["role"], s["aggregate_id"]) for s in changed.steps] == [
        (ADD, "contract-a"),
        (ADD, "contract-b"),
        (REMOVE, "contract-a"),
        (ADD, "contract-c"),
    ]
    assert sorted(entry.members) == ["contract-b", "contract-c"]
    # the proof names the event from which the rule holds to the end of the page
    assert verified.proof["event_id"] == "rule:signed-c"
    assert verified.proof["last"]["event_id"] == "signed-c"


def test_a_page_that_leaves_the_rule_broken_reopens_the_entry_with_the_cause():
    entry = new_entry("4.1.1", rule=COUNT_RULE, evidence=(), target=2)
    entry.observe_all([seen(ADD, "signed-a", "contract-a"), seen(ADD, "signed-b", "contract-b")])
    assert entry.status == "verified"
    entry.collect_events()

    entry.observe_all(
        [
            seen(REMOVE, "cancel-a", "contract-a", "contract a cancelled"),
            seen(ADD, "signed-c", "contract-c"),
            seen(REMOVE, "cancel-b", "contract-b", "contract b cancelled"),
        ]
    )

    changed, reopened = entry.collect_events()
    assert names([changed, reopened]) == ["RuleMembersChanged", "EntryReopened"]
    assert reopened.reason == "contract b cancelled"
    assert entry.status == "in_progress"


def test_a_page_of_one_change_is_a_rule_progressed_as_before():
    entry = new_entry("4.1.1", rule=COUNT_RULE, evidence=(), target=2)
    entry.observe_all([seen(ADD, "signed-a", "contract-a"), seen(ADD, "signed-a2", "contract-a")])

    (progressed,) = entry.collect_events()
    assert type(progressed).__name__ == "RuleProgressed"
    assert progressed.aggregate_id == "contract-a"
