"""Who may do what: the one policy table, by command and query name.

Roles: `admin` (everything), `organizer` of one conference (everything about it),
`auditor` (reads everything and may rebuild read models; changes no fact), `service`
(reads, and the timers' commands), and the template's owner roles (`venue`, `finance`,
...), each limited to its domain and, in the plan, to the entries it owns or that carry
its role. A token of one conference acts only on that conference. Every name an endpoint
uses must be here: an endpoint missing from the table is refused to all but admins.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.checklist.events import OWNER_ROLES
from services.common.tokens import ADMIN, AUDITOR, ORGANIZER, SERVICE, Principal

ROLES = (ADMIN, ORGANIZER, AUDITOR, SERVICE, *OWNER_ROLES)
# Owner roles whose work is choosing and contracting vendors.
VENDOR_ROLES = (
    "project_lead",
    "finance",
    "venue",
    "catering",
    "logistics",
    "interpretation",
    "design",
    "media",
    "onsite",
)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    changes: bool = True
    per_conference: bool = True  # a token of one conference acts only on it
    per_entry: bool = False  # owner roles act only on their entries


@dataclass(frozen=True)
class Target:
    """What a request is about, as far as the policy needs to know."""

    conference_id: str | None = None
    owner_role: str | None = None  # of a plan entry
    owner: str | None = None  # member id of the entry's owner


def _change(*roles: str, per_entry: bool = False) -> Rule:
    return Rule(frozenset((ADMIN, *roles)), per_entry=per_entry)


READ = Rule(frozenset(ROLES), changes=False)
READ_ANY = Rule(frozenset(ROLES), changes=False, per_conference=False)
# Reads that show people's names, emails and phones: only the roles whose work needs them.
PERSONAL_DATA = Rule(
    frozenset((ADMIN, ORGANIZER, AUDITOR, "registration", "finance")), changes=False
)

POLICY: dict[str, Rule] = {
    # every service
    "EventCatalog": READ_ANY,
    "OpenApi": READ_ANY,
    "CountDeadLetters": Rule(frozenset((ADMIN, AUDITOR, SERVICE)), False, False),
    "ReplayDeadLetters": Rule(frozenset((ADMIN,)), per_conference=False),
    "GetAggregateAsOf": Rule(frozenset((ADMIN, AUDITOR)), False, False),
    # checklist
    "OpenConference": _change(ORGANIZER),
    "GetConference": READ,
    "GetSettings": READ,
    "ChangeSettings": _change(ORGANIZER),
    "AddTeamMember": _change(ORGANIZER),
    "GetPlan": READ,
    "GetEntry": READ,
    "GetPlanAsOf": READ,
    "GetEntryAsOf": READ,
    "ExportPlanXlsx": READ,
    "ExportPlanCsv": READ,
    "ImportPlan": _change(ORGANIZER),
    "AssignOwner": _change(ORGANIZER),
    "ChangeDueDate": _change(ORGANIZER),
    "RecordProgress": _change(ORGANIZER, *OWNER_ROLES, per_entry=True),
    "VerifyEntry": _change(ORGANIZER, *OWNER_ROLES, per_entry=True),
    "WaiveEntry": _change(ORGANIZER),
    "ReopenEntry": _change(ORGANIZER),
    "CheckOverdue": _change(ORGANIZER, SERVICE),
    # vendors
    "AddVendor": _change(ORGANIZER, *VENDOR_ROLES),
    "GetVendor": READ,
    "DraftContract": _change(ORGANIZER, *VENDOR_ROLES),
    "GetContract": READ,
    "SignContract": _change(ORGANIZER, *VENDOR_ROLES),
    "CancelContract": _change(ORGANIZER, *VENDOR_ROLES),
    # registration: orders, payments and refunds by its team and finance; personal data
    # (an order's buyer, its attendees) read only by those who need it (PIPL)
    "SetFeeSchedule": _change(ORGANIZER, "registration", "finance"),
    "OpenRegistration": _change(ORGANIZER, "registration"),
    "CloseRegistration": _change(ORGANIZER, "registration"),
    "SetRegistrationTargets": _change(ORGANIZER, "registration"),
    "CheckRegistrationTarget": _change(ORGANIZER, "registration", SERVICE),
    "SetRefundPolicy": _change(ORGANIZER, "registration", "finance"),
    "GetRegistrationSetup": READ,
    "PlaceOrder": _change(ORGANIZER, "registration"),
    "ImportAttendees": _change(ORGANIZER, "registration"),
    "GetOrder": PERSONAL_DATA,
    "ApproveOrder": _change(ORGANIZER, "registration"),
    "DenyOrder": _change(ORGANIZER, "registration"),
    "RecordPayment": _change(ORGANIZER, "registration", "finance"),
    "ImportBankStatement": _change(ORGANIZER, "registration", "finance"),
    "RequestRefund": _change(ORGANIZER, "registration", "finance"),
    "CompleteRefund": _change(ORGANIZER, "finance"),
    "ReconcileOrder": _change(ORGANIZER, "finance"),
    "ReconcileOrders": _change(ORGANIZER, "finance"),
    "TestPaymentChannel": _change(ORGANIZER, "registration", "finance"),
    "CancelOrder": _change(ORGANIZER, "registration", "finance"),
    "ExpireOrders": Rule(frozenset((ADMIN, SERVICE)), per_conference=False),
    "GetAttendee": PERSONAL_DATA,
    "SubstituteAttendee": _change(ORGANIZER, "registration"),
    "IssueVoucher": _change(ORGANIZER, "registration"),
    "JoinWaitlist": _change(ORGANIZER, "registration"),
    "GetWaitlistEntry": PERSONAL_DATA,
    # fapiao: asked for by registration or finance, issued and reversed by finance
    "RequestFapiao": _change(ORGANIZER, "registration", "finance"),
    "ListOrderFapiao": PERSONAL_DATA,
    "ListFapiao": PERSONAL_DATA,
    "GetFapiao": PERSONAL_DATA,
    "IssueFapiao": _change(ORGANIZER, "finance"),
    "HandOverFapiao": _change(ORGANIZER, "registration", "finance"),
    "WithdrawFapiao": _change(ORGANIZER, "registration", "finance"),
    "ReverseFapiao": _change(ORGANIZER, "finance"),
    # registration's follow-up: surveys, mailings (media sends the newsletters), inquiries
    # and complaints; their wording and answers are read by those who handle them
    "PublishSurvey": _change(ORGANIZER, "registration"),
    "GetSurvey": READ,
    "RecordSurveyResponse": _change(ORGANIZER, "registration"),
    "RecordMailing": _change(ORGANIZER, "registration", "media"),
    "RecordInquiry": _change(ORGANIZER, "registration"),
    "AnswerInquiry": _change(ORGANIZER, "registration"),
    "GetInquiry": PERSONAL_DATA,
    "RecordComplaint": _change(ORGANIZER, "registration"),
    "ResolveComplaint": _change(ORGANIZER, "registration"),
    "GetComplaint": PERSONAL_DATA,
    "GetFollowUp": READ,
    # registration on site: the desks (onsite staff) scan, hand out kits and print badges
    "GetCheckinCode": Rule(frozenset((ADMIN, ORGANIZER, "registration", "onsite")), False),
    "RotateCheckinKey": _change(ORGANIZER),  # voids every badge printed: organizers only
    "CheckIn": _change(ORGANIZER, "registration", "onsite"),
    "UploadCheckIns": _change(ORGANIZER, "registration", "onsite"),
    "CollectKit": _change(ORGANIZER, "registration", "onsite"),
    "PrintBadges": _change(ORGANIZER, "registration", "onsite"),
    "CompileAttendance": _change(ORGANIZER, "registration"),
    # budget: organizers and finance change the budget and the ledger; all roles read them
    "SetBudget": _change(ORGANIZER, "finance"),
    "ApproveBudget": _change(ORGANIZER, "finance"),
    "SetBudgetAlert": _change(ORGANIZER, "finance"),
    "EstimateCosts": _change(ORGANIZER, "finance"),
    "RecordExpense": _change(ORGANIZER, "finance"),
    "RecordIncome": _change(ORGANIZER, "finance"),
    "PayVendor": _change(ORGANIZER, "finance"),
    "ReceiveVendorFapiao": _change(ORGANIZER, "finance"),
    "JoinPartner": _change(ORGANIZER, "finance"),
    "AgreeContribution": _change(ORGANIZER, "finance"),
    "ReceiveContribution": _change(ORGANIZER, "finance"),
    "ReceiveContributionInKind": _change(ORGANIZER, "finance"),
    "WithdrawPartner": _change(ORGANIZER, "finance"),
    "GetPartner": READ,
    "CompleteSettlement": _change(ORGANIZER, "finance"),
    "GetSettlement": READ,
    "ExportSettlementXlsx": READ,
    "GetBudget": READ,
    "GetBudgetHistory": READ,
    "GetLedger": READ,
    "ListLedgerEntries": READ,
    "ExportLedgerCsv": READ,
    "GetContractAccount": READ,
    # budget's sponsorship pipeline: the sponsorship team sells, finance invoices and collects
    "AddSponsorPackage": _change(ORGANIZER, "sponsorship", "finance"),
    "PublishProspectus": _change(ORGANIZER, "sponsorship", "finance"),
    "AddSponsorProspect": _change(ORGANIZER, "sponsorship", "finance"),
    "AdvanceSponsorship": _change(ORGANIZER, "sponsorship", "finance"),
    "SignSponsor": _change(ORGANIZER, "sponsorship", "finance"),
    "IssueSponsorInvoice": _change(ORGANIZER, "finance"),
    "ReverseSponsorInvoice": _change(ORGANIZER, "finance"),
    "RecordSponsorPayment": _change(ORGANIZER, "finance"),
    "DeliverSponsorBenefit": _change(ORGANIZER, "sponsorship", "finance"),
    "ThankSponsor": _change(ORGANIZER, "sponsorship", "finance"),
    "CancelSponsorship": _change(ORGANIZER, "sponsorship", "finance"),
    "RefundSponsor": _change(ORGANIZER, "finance"),
    "ListSponsorPackages": READ,
    "ListSponsors": READ,
    "GetSponsorship": READ,
    "PayHonorarium": _change(ORGANIZER, "finance"),
    "IssueCashAdvance": _change(ORGANIZER, "finance"),
    "ReconcileCashAdvance": _change(ORGANIZER, "finance"),
    "GetCashAdvance": READ,
    "SetRevenueTarget": _change(ORGANIZER, "finance"),
    "CheckRevenue": _change(ORGANIZER, "finance", SERVICE),
    "GetRevenue": READ,
    # reporting
    "ShowAudit": READ,
    "TraceAudit": Rule(frozenset((ADMIN, AUDITOR)), False, False),
    "ExportAudit": Rule(frozenset((ADMIN, AUDITOR)), False, False),
    "RebuildAudit": Rule(frozenset((ADMIN, AUDITOR)), per_conference=False),
    "InterruptAuditRebuild": Rule(frozenset((ADMIN, AUDITOR)), per_conference=False),
    "ShowAuditRebuild": Rule(frozenset((ADMIN, AUDITOR, SERVICE)), False, False),
}

# Endpoints no token opens: a payment provider proves who it is by signing each request
# with its secret (services/common/webhooks.py), so no role gives them.
SIGNED = frozenset({"ReceivePaymentNotification"})

# Roles a token must, may or must not be given a conference with.
NEEDS_CONFERENCE = frozenset((ORGANIZER, *OWNER_ROLES))
NO_CONFERENCE = frozenset((ADMIN, SERVICE))


def rule_for(name: str) -> Rule:
    return POLICY.get(name, Rule(frozenset((ADMIN,)), per_conference=False))


def role_refusal(principal: Principal, name: str) -> str | None:
    """Why this principal's role may never give `name`, or None."""
    rule = rule_for(name)
    if principal.role in rule.roles:
        return None
    allowed = ", ".join(sorted(rule.roles))
    return f"{name} needs the role {allowed}; the token is {principal.describe()}"


def target_refusal(principal: Principal, name: str, target: Target) -> str | None:
    """Why this principal may not give `name` about `target`, or None."""
    rule = rule_for(name)
    if principal.role == ADMIN:
        return None
    mine = principal.conference_id
    if rule.per_conference and mine is not None and target.conference_id != mine:
        about = target.conference_id or "no conference"
        return f"{name} is about {about}; the token is {principal.describe()}"
    theirs = target.owner_role == principal.role or target.owner == principal.name
    if rule.per_entry and principal.role in OWNER_ROLES and not theirs:
        return (
            f"{name} on an entry of role {target.owner_role or 'none'}, owned by "
            f"{target.owner or 'nobody'}; the token is {principal.describe()}"
        )
    return None


def conference_rule_for(role: str, conference_id: str | None) -> str | None:
    """Why a token of `role` cannot be made with (or without) a conference, or None."""
    if role not in ROLES:
        return f"unknown role {role!r}; roles are {', '.join(ROLES)}"
    if role in NEEDS_CONFERENCE and conference_id is None:
        return f"a {role} token is for one conference: give --conference"
    if role in NO_CONFERENCE and conference_id is not None:
        return f"a {role} token is for every conference: give no --conference"
    return None
