"""The policy table: every endpoint of every service is in it, and each role may do
exactly what the table below says (written out apart from the code, on purpose)."""

import importlib

import pytest

from services import policy
from services.checklist.events import OWNER_ROLES
from services.common import registry
from services.common.tokens import Principal
from services.policy import ROLES, VENDOR_ROLES, Target

READERS = set(ROLES)
ORGANIZERS = {"admin", "organizer"}
# who may read people's names, emails and phones (registration's orders and attendees)
PERSONAL_DATA = ORGANIZERS | {"auditor", "registration", "finance"}
EXPECTED = {
    "EventCatalog": READERS,
    "OpenApi": READERS,
    "CountDeadLetters": {"admin", "auditor", "service"},
    "ReplayDeadLetters": {"admin"},
    "GetAggregateAsOf": {"admin", "auditor"},
    "OpenConference": ORGANIZERS,
    "GetConference": READERS,
    "GetSettings": READERS,
    "ChangeSettings": ORGANIZERS,
    "AddTeamMember": ORGANIZERS,
    "GetPlan": READERS,
    "GetEntry": READERS,
    "GetPlanAsOf": READERS,
    "GetEntryAsOf": READERS,
    "ExportPlanXlsx": READERS,
    "ExportPlanCsv": READERS,
    "ImportPlan": ORGANIZERS,
    "AssignOwner": ORGANIZERS,
    "ChangeDueDate": ORGANIZERS,
    "RecordProgress": ORGANIZERS | set(OWNER_ROLES),
    "VerifyEntry": ORGANIZERS | set(OWNER_ROLES),
    "WaiveEntry": ORGANIZERS,
    "ReopenEntry": ORGANIZERS,
    "CheckOverdue": ORGANIZERS | {"service"},
    "AddVendor": ORGANIZERS | set(VENDOR_ROLES),
    "GetVendor": READERS,
    "DraftContract": ORGANIZERS | set(VENDOR_ROLES),
    "GetContract": READERS,
    "SignContract": ORGANIZERS | set(VENDOR_ROLES),
    "CancelContract": ORGANIZERS | set(VENDOR_ROLES),
    "SetFeeSchedule": ORGANIZERS | {"registration", "finance"},
    "OpenRegistration": ORGANIZERS | {"registration"},
    "CloseRegistration": ORGANIZERS | {"registration"},
    "SetRegistrationTargets": ORGANIZERS | {"registration"},
    "CheckRegistrationTarget": ORGANIZERS | {"registration", "service"},
    "SetRefundPolicy": ORGANIZERS | {"registration", "finance"},
    "GetRegistrationSetup": READERS,
    "PlaceOrder": ORGANIZERS | {"registration"},
    "ImportAttendees": ORGANIZERS | {"registration"},
    "GetOrder": PERSONAL_DATA,
    "ApproveOrder": ORGANIZERS | {"registration"},
    "DenyOrder": ORGANIZERS | {"registration"},
    "RecordPayment": ORGANIZERS | {"registration", "finance"},
    "ImportBankStatement": ORGANIZERS | {"registration", "finance"},
    "RequestRefund": ORGANIZERS | {"registration", "finance"},
    "CompleteRefund": ORGANIZERS | {"finance"},
    "ReconcileOrder": ORGANIZERS | {"finance"},
    "ReconcileOrders": ORGANIZERS | {"finance"},
    "TestPaymentChannel": ORGANIZERS | {"registration", "finance"},
    "CancelOrder": ORGANIZERS | {"registration", "finance"},
    "ExpireOrders": {"admin", "service"},
    "GetAttendee": PERSONAL_DATA,
    "SubstituteAttendee": ORGANIZERS | {"registration"},
    "IssueVoucher": ORGANIZERS | {"registration"},
    "JoinWaitlist": ORGANIZERS | {"registration"},
    "GetWaitlistEntry": PERSONAL_DATA,
    "RequestFapiao": ORGANIZERS | {"registration", "finance"},
    "ListOrderFapiao": PERSONAL_DATA,
    "ListFapiao": PERSONAL_DATA,
    "GetFapiao": PERSONAL_DATA,
    "IssueFapiao": ORGANIZERS | {"finance"},
    "HandOverFapiao": ORGANIZERS | {"registration", "finance"},
    "WithdrawFapiao": ORGANIZERS | {"registration", "finance"},
    "ReverseFapiao": ORGANIZERS | {"finance"},
    "PublishSurvey": ORGANIZERS | {"registration"},
    "GetSurvey": READERS,
    "RecordSurveyResponse": ORGANIZERS | {"registration"},
    "RecordMailing": ORGANIZERS | {"registration", "media"},
    "RecordInquiry": ORGANIZERS | {"registration"},
    "AnswerInquiry": ORGANIZERS | {"registration"},
    "GetInquiry": PERSONAL_DATA,
    "RecordComplaint": ORGANIZERS | {"registration"},
    "ResolveComplaint": ORGANIZERS | {"registration"},
    "GetComplaint": PERSONAL_DATA,
    "GetFollowUp": READERS,
    "GetCheckinCode": ORGANIZERS | {"registration", "onsite"},
    "CheckIn": ORGANIZERS | {"registration", "onsite"},
    "UploadCheckIns": ORGANIZERS | {"registration", "onsite"},
    "CollectKit": ORGANIZERS | {"registration", "onsite"},
    "PrintBadges": ORGANIZERS | {"registration", "onsite"},
    "CompileAttendance": ORGANIZERS | {"registration"},
    "RotateCheckinKey": ORGANIZERS,
    "SetBudget": ORGANIZERS | {"finance"},
    "ApproveBudget": ORGANIZERS | {"finance"},
    "SetBudgetAlert": ORGANIZERS | {"finance"},
    "EstimateCosts": ORGANIZERS | {"finance"},
    "RecordExpense": ORGANIZERS | {"finance"},
    "RecordIncome": ORGANIZERS | {"finance"},
    "PayVendor": ORGANIZERS | {"finance"},
    "ReceiveVendorFapiao": ORGANIZERS | {"finance"},
    "JoinPartner": ORGANIZERS | {"finance"},
    "AgreeContribution": ORGANIZERS | {"finance"},
    "ReceiveContribution": ORGANIZERS | {"finance"},
    "ReceiveContributionInKind": ORGANIZERS | {"finance"},
    "WithdrawPartner": ORGANIZERS | {"finance"},
    "CompleteSettlement": ORGANIZERS | {"finance"},
    "GetSettlement": READERS,
    "ExportSettlementXlsx": READERS,
    "GetBudget": READERS,
    "GetBudgetHistory": READERS,
    "GetLedger": READERS,
    "ListLedgerEntries": READERS,
    "ExportLedgerCsv": READERS,
    "GetContractAccount": READERS,
    "AddSponsorPackage": ORGANIZERS | {"sponsorship", "finance"},
    "PublishProspectus": ORGANIZERS | {"sponsorship", "finance"},
    "AddSponsorProspect": ORGANIZERS | {"sponsorship", "finance"},
    "AdvanceSponsorship": ORGANIZERS | {"sponsorship", "finance"},
    "SignSponsor": ORGANIZERS | {"sponsorship", "finance"},
    "IssueSponsorInvoice": ORGANIZERS | {"finance"},
    "ReverseSponsorInvoice": ORGANIZERS | {"finance"},
    "RecordSponsorPayment": ORGANIZERS | {"finance"},
    "DeliverSponsorBenefit": ORGANIZERS | {"sponsorship", "finance"},
    "ThankSponsor": ORGANIZERS | {"sponsorship", "finance"},
    "CancelSponsorship": ORGANIZERS | {"sponsorship", "finance"},
    "RefundSponsor": ORGANIZERS | {"finance"},
    "ListSponsorPackages": READERS,
    "ListSponsors": READERS,
    "GetSponsorship": READERS,
    "PayHonorarium": ORGANIZERS | {"finance"},
    "IssueCashAdvance": ORGANIZERS | {"finance"},
    "ReconcileCashAdvance": ORGANIZERS | {"finance"},
    "GetCashAdvance": READERS,
    "GetPartner": READERS,
    "SetRevenueTarget": ORGANIZERS | {"finance"},
    "CheckRevenue": ORGANIZERS | {"finance", "service"},
    "GetRevenue": READERS,
    "ShowAudit": READERS,
    "TraceAudit": {"admin", "auditor"},
    "ExportAudit": {"admin", "auditor"},
    "RebuildAudit": {"admin", "auditor"},
    "InterruptAuditRebuild": {"admin", "auditor"},
    "ShowAuditRebuild": {"admin", "auditor", "service"},
}
CONFERENCE = "c0nference"


def endpoint_names() -> set[str]:
    names = set()
    for spec in registry.load():
        module = importlib.import_module(f"{spec.package}.service")
        for attribute in dir(module.Service):
            name = getattr(getattr(module.Service, attribute), "huiwu_command", None)
            if name is not None:
                names.add(name)
    return names


def principal(role: str, conference_id: str | None = CONFERENCE, name: str = "li") -> Principal:
    if role in ("admin", "service"):
        conference_id = None
    return Principal("0123456789ab", name, role, conference_id)


def test_every_endpoint_is_in_the_table_and_the_table_names_no_other():
    assert endpoint_names() - {"OpenApi"} - policy.SIGNED <= set(policy.POLICY)
    assert not policy.SIGNED & set(policy.POLICY)  # no token opens a signed endpoint
    assert set(policy.POLICY) == set(EXPECTED)


def test_an_endpoint_missing_from_the_table_is_for_admins_only():
    assert policy.role_refusal(principal("admin"), "Unlisted") is None
    assert "Unlisted needs the role admin" in policy.role_refusal(
        principal("organizer"), "Unlisted"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_give_exactly_what_the_table_says(name, role):
    refusal = policy.role_refusal(principal(role), name)

    if role in EXPECTED[name]:
        assert refusal is None
    else:
        assert refusal is not None
        assert name in refusal and role in refusal  # says which command and which token


@pytest.mark.parametrize("name", sorted(n for n, r in policy.POLICY.items() if r.per_conference))
def test_a_token_of_one_conference_acts_only_on_it(name):
    role = "organizer" if "organizer" in EXPECTED[name] else "auditor"
    own = Target(CONFERENCE, owner_role=role, owner="li")
    other = Target("another", owner_role=role, owner="li")

    assert policy.target_refusal(principal(role), name, own) is None
    assert "is about another" in policy.target_refusal(principal(role), name, other)
    assert policy.target_refusal(principal("admin"), name, other) is None


def test_an_auditor_of_every_conference_reads_any_of_them():
    assert policy.target_refusal(principal("auditor", None), "GetPlan", Target("any")) is None


@pytest.mark.parametrize("name", ["RecordProgress", "VerifyEntry"])
def test_an_owner_role_acts_only_on_entries_of_its_role_or_that_it_owns(name):
    venue = principal("venue")

    assert policy.target_refusal(venue, name, Target(CONFERENCE, "venue", None)) is None
    assert policy.target_refusal(venue, name, Target(CONFERENCE, "finance", "li")) is None
    refusal = policy.target_refusal(venue, name, Target(CONFERENCE, "finance", "wang"))
    assert "role finance, owned by wang" in refusal
    # An organizer is not limited to entries.
    assert (
        policy.target_refusal(principal("organizer"), name, Target(CONFERENCE, "finance")) is None
    )


@pytest.mark.parametrize(
    ("role", "conference_id", "refused"),
    [
        ("admin", None, False),
        ("admin", CONFERENCE, True),
        ("service", CONFERENCE, True),
        ("organizer", None, True),
        ("organizer", CONFERENCE, False),
        ("venue", None, True),
        ("auditor", None, False),
        ("auditor", CONFERENCE, False),
        ("ceo", None, True),
    ],
)
def test_which_roles_are_given_a_conference(role, conference_id, refused):
    assert (policy.conference_rule_for(role, conference_id) is not None) is refused
