"""Named proofs: an entry says what proves it, and verifying it by hand says which proof it
is; any other record needs a reason and flags the entry until it is withdrawn."""

import pytest

from services.checklist import template as templates
from services.checklist.exchange import flags_text, verification_text
from services.checklist.proofs import OFF_LIST, match_evidence, named_proofs
from services.checklist.schemas import EntryAnswer, VerifyByHandSchema
from services.common.errors import InvalidCommand
from tests.unit.checklist_plans import template_entry
from tests.unit.test_checklist_domain import META, new_entry

CONTRACT = {
    "proof": "signed_venue_contract",
    "kind": "document",
    "zh": "双方签署的场地合同",
    "en": "the venue contract signed by both parties",
}
MINUTES = {
    "proof": "venue_decision_minutes",
    "kind": "meeting_minutes",
    "zh": "确定场地的会议纪要",
    "en": "minutes of the meeting that chose the venue",
}
NAMED = {"rule": None, "evidence": [CONTRACT, MINUTES]}
LINK = {"url": "https://files.example.org/contract.pdf"}


def verified_by_hand(evidence, reason=None):
    entry = new_entry(rule=None, evidence=(CONTRACT, MINUTES))
    entry.verify_with_evidence(evidence, "wang", "2026-03-01T02:00:00+00:00", META, reason)
    return entry


def test_a_record_says_which_named_proof_it_is_and_takes_its_kind():
    entry = verified_by_hand([{"proof": "signed_venue_contract", "reference": LINK}])

    (proof,) = entry.proofs
    assert proof["evidence"] == [
        {"proof": "signed_venue_contract", "kind": "document", "reference": LINK}
    ]
    assert "off_list" not in proof and "reason" not in proof
    assert EntryAnswer().dump(entry.state)["flags"] == []


def test_a_proof_the_entry_does_not_name_is_refused_with_the_names_it_does():
    with pytest.raises(InvalidCommand) as refused:
        verified_by_hand([{"proof": "signed_contract", "reference": LINK}])

    assert refused.value.field == "evidence[0].proof"
    assert "signed_venue_contract (the venue contract signed by both parties)" in str(refused.value)


def test_a_named_proof_of_another_kind_is_refused():
    with pytest.raises(InvalidCommand) as refused:
        verified_by_hand([{"proof": "signed_venue_contract", "kind": "photo", "reference": LINK}])

    assert refused.value.field == "evidence[0].kind"
    assert "is a document, not a photo" in str(refused.value)


def test_another_record_needs_a_reason_and_nothing_is_recorded_without_one():
    entry = new_entry(rule=None, evidence=(CONTRACT, MINUTES))
    for reason in (None, "  "):
        with pytest.raises(InvalidCommand) as refused:
            entry.verify_with_evidence(
                [{"kind": "email_confirmation", "reference": LINK}], "wang", "t", META, reason
            )
        assert refused.value.field == "reason"
        assert "signed_venue_contract" in str(refused.value)
    assert entry.status == "open" and entry.collect_events() == []


def test_another_record_with_a_reason_verifies_and_flags_the_entry_until_reopened():
    reason = "the venue signed by email; the paper contract follows after the holiday"
    entry = verified_by_hand([{"kind": "email_confirmation", "reference": LINK}], reason)

    (proof,) = entry.proofs
    assert (proof["off_list"], proof["reason"]) == (True, reason)
    assert entry.status == "verified"
    assert EntryAnswer().dump(entry.state)["flags"] == [OFF_LIST]
    assert flags_text(entry.proofs) == f"unnamed proof: {reason}"
    assert flags_text(entry.proofs, "zh") == f"非指定凭证: {reason}"

    entry.reopen("the paper contract arrived", META)
    entry.verify_with_evidence(
        [{"proof": "signed_venue_contract", "reference": LINK}], "wang", "t2", META
    )
    assert EntryAnswer().dump(entry.state)["flags"] == []
    assert flags_text(entry.proofs) is None


def test_one_named_and_one_other_record_still_needs_the_reason():
    evidence = [
        {"proof": "venue_decision_minutes", "reference": LINK},
        {"kind": "photo", "reference": {"note": "photo of the signing, in the shared drive"}},
    ]
    with pytest.raises(InvalidCommand):
        verified_by_hand(evidence)
    entry = verified_by_hand(evidence, "the contract is with legal; the signing was filmed")
    assert entry.proofs[0]["off_list"] is True
    assert [r.get("proof") for r in entry.proofs[0]["evidence"]] == [
        "venue_decision_minutes",
        None,
    ]


def test_a_plan_that_names_kinds_only_takes_the_kind_as_the_proof():
    records, off_list = match_evidence(
        {"evidence": ["document", "photo"]}, [{"kind": "photo", "reference": LINK}], None, "1.1.1"
    )
    assert (records[0]["proof"], off_list) == ("photo", False)
    records, off_list = match_evidence(
        {"evidence": ["document"]}, [{"kind": "photo", "reference": LINK}], "a photo", "1.1.1"
    )
    assert off_list is True and "proof" not in records[0]


def test_a_rule_entry_verified_by_hand_needs_a_reason_unless_it_names_proofs():
    entry = new_entry(evidence=())  # a rule, and no proofs named for a person
    with pytest.raises(InvalidCommand) as refused:
        entry.verify_with_evidence([{"kind": "document", "reference": LINK}], "wang", "t", META)
    assert refused.value.field == "reason" and "its proofs are: none" in str(refused.value)


def test_the_command_says_which_proof_or_which_kind():
    schema = VerifyByHandSchema()
    loaded = schema.load({"evidence": [{"proof": "signed_venue_contract", "reference": LINK}]})
    assert loaded.evidence[0].proof == "signed_venue_contract" and loaded.reason is None
    with pytest.raises(Exception) as refused:
        schema.load({"evidence": [{"reference": LINK}]})
    assert "named proofs" in str(refused.value)
    with pytest.raises(Exception) as refused:
        schema.load({"evidence": [{"proof": "Signed Contract", "reference": LINK}]})
    assert "snake_case" in str(refused.value)


def test_the_template_names_proofs_in_both_languages_once_each():
    named = template_entry(verification={"evidence": [CONTRACT, MINUTES]})
    loaded = templates.parse({"entries": [named]}, "t.yaml").entries[0]
    assert named_proofs(loaded.verification()) == [CONTRACT, MINUTES]

    for bad, why in (
        ([CONTRACT, CONTRACT], "its own name"),
        ([{**CONTRACT, "en": ""}], "en"),
        ([{**CONTRACT, "kind": "fax"}], "kind"),
        ([{**CONTRACT, "proof": "Signed contract"}], "snake_case"),
        ([{**CONTRACT, "where": "drawer"}], "where"),
        (["fax"], "a kind is one of"),
    ):
        raw = {"entries": [template_entry(verification={"evidence": bad})]}
        with pytest.raises(templates.TemplateError, match=why):
            templates.parse(raw, "t.yaml")


def test_the_plan_export_lists_the_named_proofs_in_the_language_asked():
    assert verification_text(NAMED, None) == (
        "evidence: the venue contract signed by both parties; "
        "minutes of the meeting that chose the venue"
    )
    assert verification_text(NAMED, None, "zh") == "凭证: 双方签署的场地合同; 确定场地的会议纪要"
