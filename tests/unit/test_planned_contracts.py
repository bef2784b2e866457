"""The planned contracts of registration, budget and speakers, and the planned events of
vendors: valid payloads load, bad ones are refused naming the field, the payloads published
before still load, and every planned event says what happened."""

import uuid

import pytest
from marshmallow import ValidationError

from services.budget.events import CATALOG as BUDGET
from services.common import fapiao
from services.common.registry import load
from services.registration.events import CATALOG as REGISTRATION
from services.registration.events import CATEGORIES, PAYMENT_METHODS
from services.speakers.events import CATALOG as SPEAKERS
from services.speakers.events import ROLES
from services.vendors.events import CATALOG as VENDORS

SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
TAX_ID = "91350100M000100Y43"  # a well-formed unified social credit code
FAPIAO_NO = "25332000000012345678"  # 20 digits: a 数电票


def ids(n=1):
    return [str(uuid.uuid4()) for _ in range(n)]


def fapiao_amounts(**overrides):
    # 1 060.00 yuan at 6%: 1 000.00 net, 60.00 tax
    return {
        "net_minor": 100_000,
        "tax_rate_bp": 600,
        "tax_minor": 6_000,
        "gross_minor": 106_000,
        "currency": "CNY",
        **overrides,
    }


SAMPLES = {
    (REGISTRATION, "FeeScheduleSet"): lambda: {
        "categories": [
            {
                "category": "delegate",
                "ticket_type": "full-early",
                "label": "早鸟全程",
                "price_minor": 180_000,
                "currency": "CNY",
                "tax_rate_bp": 600,
                "early_until": "2027-03-31",
                "quota": 300,
            },
            {
                "category": "student",
                "ticket_type": "student",
                "label": "学生",
                "price_minor": 60_000,
                "currency": "CNY",
                "tax_rate_bp": 600,
                "requires_approval": True,
            },
        ]
    },
    (REGISTRATION, "OrderPlaced"): lambda: {
        "buyer_kind": "organisation",
        "buyer_organisation": "杭州某某科技有限公司",
        "channel": "online",
        "positions": [
            {
                "attendee_id": ids()[0],
                "category": "delegate",
                "ticket_type": "full-early",
                "price_minor": 180_000,
            },
            {
                "attendee_id": ids()[0],
                "category": "delegate",
                "ticket_type": "full-early",
                "price_minor": 180_000,
                "voucher_id": ids()[0],
            },
        ],
        "total_minor": 360_000,
        "currency": "CNY",
        "requires_approval": False,
        "expires_at": "2027-03-10T16:00:00+00:00",
    },
    (REGISTRATION, "PaymentReceived"): lambda: {
        "payment_id": ids()[0],
        "method": "wechat_pay",
        "amount_minor": 360_000,
        "currency": "CNY",
        "fee_minor": 2_160,
        "provider_reference": "4200001234202703031234567890",
        "received_on": "2027-03-03",
    },
    (REGISTRATION, "AttendeeRegistered"): lambda: {
        "category": "delegate",
        "order_id": ids()[0],
        "ticket_type": "full-early",
        "seniority": "manager",
        "country": "CN",
        "consents": ["personal_information", "photography"],
    },
    (REGISTRATION, "FapiaoRequested"): lambda: {
        "order_id": ids()[0],
        "fapiao_type": "vat_special",
        "buyer_kind": "organisation",
        "buyer_name": "杭州某某科技有限公司",
        "buyer_tax_id": TAX_ID,
        "buyer_address_phone": "杭州市西湖区文三路1号 0571-12345678",
        "buyer_bank_account": "招商银行杭州分行 571900000000001",
        "item": "conference_fee",
        "delivery": "email",
        "gross_minor": 106_000,
        "tax_rate_bp": 600,
        "currency": "CNY",
    },
    (REGISTRATION, "FapiaoIssued"): lambda: {
        "order_id": ids()[0],
        "attendee_ids": ids(2),
        "fapiao_number": FAPIAO_NO,
        "fapiao_type": "vat_special",
        "medium": "digital",
        "buyer_name": "杭州某某科技有限公司",
        "buyer_tax_id": TAX_ID,
        "item": "conference_fee",
        **fapiao_amounts(),
        "issued_on": "2027-03-04",
        "delivery": "email",
    },
    (REGISTRATION, "FapiaoReversed"): lambda: {
        "order_id": ids()[0],
        "fapiao_number": FAPIAO_NO,
        "red_fapiao_number": "25332000000012349999",
        "reason": "refund",
        "partial": False,
        **fapiao_amounts(),
        "reversed_on": "2027-04-01",
    },
    (REGISTRATION, "AttendeeCheckedIn"): lambda: {
        "checkin_list": "main-hall-day1",
        "day": "2027-05-10",
        "method": "qr_code",
        "pre_registered": True,
        "category": "delegate",
    },
    (REGISTRATION, "VoucherIssued"): lambda: {
        "purpose": "sponsor",
        "price_mode": "free",
        "value": 0,
        "max_usages": 10,
        "sponsorship_id": ids()[0],
    },
    (REGISTRATION, "RegistrationTargetsSet"): lambda: {
        "targets": [
            {"by": "2027-02-28", "registered": 150},
            {"by": "2027-03-31", "registered": 300},
            {"by": "2027-04-30", "registered": 450},
        ],
        "warn_below_percent": 80,
        "categories": ["delegate", "student"],
    },
    (REGISTRATION, "RegistrationBelowTarget"): lambda: {
        "target_by": "2027-03-31",
        "target": 300,
        "registered": 210,
    },
    (REGISTRATION, "OrderReconciled"): lambda: {
        # one of two positions cancelled: 1 800.00 kept, 1 800.00 refunded
        "due_minor": 180_000,
        "paid_minor": 360_000,
        "refunded_minor": 180_000,
        "outstanding_minor": 0,
        "currency": "CNY",
        "fapiao_open": 0,
    },
    (REGISTRATION, "AttendanceFiguresCompiled"): lambda: {
        "figures": [
            {"day": "2027-05-10", "category": "delegate", "checked_in": 412},
            {"day": "2027-05-10", "category": "speaker", "checked_in": 24},
            {"day": "2027-05-11", "category": "delegate", "checked_in": 365},
        ],
        "registered": 480,
        "attended": 436,
        "final": True,
    },
    (BUDGET, "CostsEstimated"): lambda: {
        "scope": "conference",
        "behaviour": "variable",
        "headcount": 500,
        "lines": [
            {"line": "catering", "amount_minor": 15_000_000, "per_head_minor": 30_000},
            {"line": "printing", "amount_minor": 2_500_000, "per_head_minor": 5_000},
            {"line": "transport", "amount_minor": 3_000_000},
        ],
        "total_minor": 20_500_000,
        "currency": "CNY",
    },
    (BUDGET, "PartnerJoined"): lambda: {"partner": "某某省医学会", "role": "co_organiser"},
    (BUDGET, "PartnerWithdrawn"): lambda: {"reason": "改为仅署名支持"},
    (BUDGET, "ContributionAgreed"): lambda: {
        "partner": "某某省医学会",
        "partner_id": ids()[0],
        "form": "cash",
        "share_bp": 2500,
        "amount_minor": 10_000_000,
        "currency": "CNY",
    },
    (BUDGET, "PartnerContributionInKindReceived"): lambda: {
        "partner": "某某大学",
        "partner_id": ids()[0],
        "kind": "venue",
        "description": "报告厅两天",
        "value_minor": 8_000_000,
        "currency": "CNY",
        "received_on": "2027-05-10",
        "proof_ref": "venue-handover-0510",
    },
    (BUDGET, "SponsorshipPlanApproved"): lambda: {
        "target_minor": 50_000_000,
        "currency": "CNY",
        "packages": [
            {"level": "gold", "price_minor": 20_000_000, "slots": 3, "benefits": ["logo"]}
        ],
        "in_kind_items": [
            {"kind": "media", "description": "行业媒体专题报道", "value_minor": 5_000_000},
            {"kind": "staff", "description": "会务志愿者二十名", "value_minor": 1_000_000},
        ],
    },
    (BUDGET, "VendorBankDetailsVerified"): lambda: {
        "vendor_id": ids()[0],
        "contract_id": ids()[0],
        "method": "phone_callback",
    },
    (BUDGET, "VolunteerAllowancePaid"): lambda: {
        "attendee_id": ids()[0],
        "days": 3,
        "amount_minor": 45_000,
        "currency": "CNY",
        "method": "cash",
        "signed_for": True,
    },
    (BUDGET, "BudgetApproved"): lambda: {
        "version": 1,
        "approved_by": "理事会",
        "scope": "conference",
        "ceiling_minor": 50_000_000,
        "currency": "CNY",
        "lines": [
            {"line": "venue", "behaviour": "fixed", "planned_minor": 12_000_000, "income": False},
            {
                "line": "catering",
                "behaviour": "variable",
                "planned_minor": 9_000_000,
                "income": False,
            },
            {
                "line": "registration",
                "behaviour": "variable",
                "planned_minor": 60_000_000,
                "income": True,
            },
        ],
    },
    (BUDGET, "SponsorSigned"): lambda: {
        "level": "gold",
        "amount_minor": 30_000_000,
        "currency": "CNY",
        "form": "mixed",
        "cash_minor": 20_000_000,
        "in_kind": [
            {"kind": "media", "description": "行业媒体专题报道", "value_minor": 10_000_000}
        ],
        "instalments": [
            {"due_on": "2027-02-01", "amount_minor": 10_000_000},
            {"due_on": "2027-04-01", "amount_minor": 10_000_000},
        ],
        "benefits": ["logo", "booth", "passes"],
    },
    (BUDGET, "SponsorInvoiceIssued"): lambda: {
        "fapiao_number": FAPIAO_NO,
        "fapiao_type": "vat_special",
        "medium": "digital",
        "buyer_name": "某某集团股份有限公司",
        "buyer_tax_id": TAX_ID,
        **fapiao_amounts(),
        "instalment": 1,
        "issued_on": "2027-02-03",
    },
    (BUDGET, "VendorInvoiceReceived"): lambda: {
        "category": "venue",
        "vendor_id": ids()[0],
        "contract_id": ids()[0],
        "amount_minor": 109_000,
        "currency": "CNY",
        "fapiao_number": FAPIAO_NO,
        "fapiao_type": "vat_special",
        "medium": "digital",
        "seller_tax_id": TAX_ID,
        "net_minor": 100_000,
        "tax_rate_bp": 900,
        "tax_minor": 9_000,
        "verified": True,
    },
    (BUDGET, "VendorPaid"): lambda: {
        "category": "venue",
        "vendor_id": ids()[0],
        "contract_id": ids()[0],
        "amount_minor": 3_600_000,
        "currency": "CNY",
        "kind": "deposit",
        "method": "bank_transfer",
        "paid_on": "2027-01-15",
    },
    (BUDGET, "PaymentChannelSettled"): lambda: {
        "method": "wechat_pay",
        "gross_minor": 1_000_000,
        "fees_minor": 6_000,
        "net_minor": 994_000,
        "currency": "CNY",
        "period_from": "2027-03-01",
        "period_to": "2027-03-31",
        "unmatched": 0,
        "final": True,
    },
    (BUDGET, "SettlementCompleted"): lambda: {
        "amount_minor": 1_500_000,
        "currency": "CNY",
        "income_minor": 61_500_000,
        "expense_minor": 60_000_000,
        "result": "surplus",
    },
    (SPEAKERS, "SpeakerConfirmed"): lambda: {
        "role": "keynote",
        "session_id": ids()[0],
        "speaks": True,
        "needs_travel": True,
        "needs_hotel": True,
        "international": False,
        "honorarium_due": True,
    },
    (SPEAKERS, "HonorariumPaid"): lambda: {
        # 5 000 yuan: taxable 4 000 (less 20%), 20% withheld = 800
        "amount_minor": 420_000,
        "currency": "CNY",
        "gross_minor": 500_000,
        "iit_withheld_minor": 80_000,
        "agreed_as": "gross",
        "payee_id_type": "resident_id_card",
        "tax_residence": "resident",
        "method": "bank_transfer",
        "paid_on": "2027-05-11",
        "receipt_signed": True,
    },
    (SPEAKERS, "SubmissionDecided"): lambda: {
        "decision": "accepted",
        "track": "智能制造",
        "format": "talk",
        "session_id": ids()[0],
    },
    (SPEAKERS, "AvailabilityRecorded"): lambda: {
        "slots": [
            {"starts_at": "2027-05-10T01:00:00+00:00", "ends_at": "2027-05-10T04:00:00+00:00"}
        ]
    },
    (SPEAKERS, "SlidesApproved"): lambda: {
        "version": 2,
        "checks": ["plays", "political_content", "maps", "advertising"],
    },
    (SPEAKERS, "HotelBooked"): lambda: {
        "hotel": "西湖国宾馆",
        "check_in_on": "2027-05-09",
        "check_out_on": "2027-05-11",
        "paid_by": "organiser",
    },
    (SPEAKERS, "TransferArranged"): lambda: {
        "kind": "arrival",
        "greeter": "senior_staff",
        "vehicle": "business_van",
        "driver_assigned": True,
    },
    (SPEAKERS, "CandidateSetAside"): lambda: {
        "role": "speaker",
        "reserve": True,
        "reason": "同一主题已有两位演讲人",
    },
    (SPEAKERS, "AccommodationRequested"): lambda: {
        "check_in_on": "2027-05-09",
        "check_out_on": "2027-05-11",
        "room_type": "double",
        "paid_by": "organiser",
        "accessible": False,
    },
    (SPEAKERS, "MaterialsSent"): lambda: {
        "kind": "photos",
        "contents": ["photos", "slides", "news"],
    },
    (VENDORS, "RequirementsRecorded"): lambda: {
        "category": "interpreting",
        "scope": "conference",
        "confirmed_by": "项目负责人",
        "sha256": SHA256,
    },
    (VENDORS, "SiteInspected"): lambda: {
        "vendor_id": ids()[0],
        "category": "av",
        "purpose": "technical_survey",
    },
    (VENDORS, "SpecificationApproved"): lambda: {
        "vendor_id": ids()[0],
        "contract_id": ids()[0],
        "category": "decoration",
        "scope": "conference",
        "backdrop": "led",
        "stage_width_mm": 18_000,
        "stage_depth_mm": 6_000,
        "stage_height_mm": 600,
        "sha256": SHA256,
    },
    (VENDORS, "PartAccepted"): lambda: {
        "contract_id": ids()[0],
        "vendor_id": ids()[0],
        "category": "interpreting",
        "scope": "conference",
        "part": "booths",
    },
}


@pytest.mark.parametrize(
    ("catalog", "event_type"), list(SAMPLES), ids=[f"{c.service}.{e}" for c, e in SAMPLES]
)
def test_a_valid_sample_of_each_key_event_loads_strictly(catalog, event_type):
    catalog.validate_outgoing(event_type, SAMPLES[catalog, event_type]())


def refused(catalog, event_type, payload):
    with pytest.raises(ValidationError) as raised:
        catalog.validate_outgoing(event_type, payload)
    return raised.value.messages


def changed(catalog, event_type, **overrides):
    return {**SAMPLES[catalog, event_type](), **overrides}


@pytest.mark.parametrize(
    ("catalog", "event_type", "overrides", "field"),
    [
        # tax IDs: a forbidden letter, a wrong check character, lower case, too short
        (REGISTRATION, "FapiaoIssued", {"buyer_tax_id": "91350100M000100YI3"}, "buyer_tax_id"),
        (REGISTRATION, "FapiaoIssued", {"buyer_tax_id": "91350100M000100Y44"}, "buyer_tax_id"),
        (REGISTRATION, "FapiaoRequested", {"buyer_tax_id": TAX_ID.lower()}, "buyer_tax_id"),
        (BUDGET, "VendorInvoiceReceived", {"seller_tax_id": TAX_ID[:17]}, "seller_tax_id"),
        (REGISTRATION, "FapiaoIssued", {"fapiao_type": "vat_deluxe"}, "fapiao_type"),
        (REGISTRATION, "FapiaoIssued", {"medium": "fax"}, "medium"),
        (REGISTRATION, "FapiaoIssued", {"net_minor": -1}, "net_minor"),
        (REGISTRATION, "FapiaoIssued", {"tax_rate_bp": 1700}, "tax_rate_bp"),
        (REGISTRATION, "FapiaoIssued", {"tax_rate_bp": 6}, "tax_rate_bp"),  # percent, not bp
        (REGISTRATION, "FapiaoIssued", {"gross_minor": 106_001}, "gross_minor"),
        (REGISTRATION, "FapiaoIssued", {"currency": "USD"}, "currency"),
        (REGISTRATION, "FapiaoIssued", {"fapiao_number": "INV-1"}, "fapiao_number"),
        (REGISTRATION, "FapiaoIssued", {"fapiao_code": "3300231130"}, "fapiao_code"),
        (REGISTRATION, "FapiaoIssued", {"buyer_tax_id": None}, "buyer_tax_id"),
        (REGISTRATION, "FapiaoReversed", {"red_fapiao_number": FAPIAO_NO}, "red_fapiao_number"),
        (BUDGET, "VendorInvoiceReceived", {"amount_minor": 110_000}, "amount_minor"),
        (BUDGET, "SponsorInvoiceIssued", {"tax_rate_bp": 0}, "tax_minor"),
        (REGISTRATION, "OrderPlaced", {"total_minor": 350_000}, "total_minor"),
        (REGISTRATION, "OrderPlaced", {"channel": "fax"}, "channel"),
        (REGISTRATION, "OrderPlaced", {"buyer_organisation": None}, "buyer_organisation"),
        (REGISTRATION, "OrderPlaced", {"expires_at": "2027-03-10T16:00:00"}, "expires_at"),
        (REGISTRATION, "PaymentReceived", {"method": "bitcoin"}, "method"),
        (REGISTRATION, "PaymentReceived", {"amount_minor": 3600.5}, "amount_minor"),
        (REGISTRATION, "AttendeeRegistered", {"category": "groupie"}, "category"),
        (REGISTRATION, "AttendeeRegistered", {"country": "China"}, "country"),
        (REGISTRATION, "AttendeeRegistered", {"consents": ["marketing", "marketing"]}, "consents"),
        (REGISTRATION, "AttendeeCheckedIn", {"pre_registered": "yes"}, "pre_registered"),
        (REGISTRATION, "AttendeeCheckedIn", {"pre_registered": 1}, "pre_registered"),
        (REGISTRATION, "VoucherIssued", {"price_mode": "percent", "value": 120}, "value"),
        (REGISTRATION, "VoucherIssued", {"value": 500}, "value"),  # a free voucher with a value
        (BUDGET, "BudgetApproved", {"ceiling_minor": 20_000_000}, "lines"),
        (BUDGET, "SponsorSigned", {"amount_minor": 25_000_000}, "amount_minor"),
        (
            BUDGET,
            "SponsorSigned",
            {"cash_minor": 15_000_000, "amount_minor": 25_000_000},
            "instalments",
        ),
        (BUDGET, "SponsorSigned", {"form": "cash"}, "in_kind"),
        (BUDGET, "VendorPaid", {"kind": "bribe"}, "kind"),
        (BUDGET, "VendorPaid", {"amount_minor": -100}, "amount_minor"),
        (BUDGET, "PaymentChannelSettled", {"net_minor": 1_000_000}, "net_minor"),
        (BUDGET, "PaymentChannelSettled", {"period_to": "2027-02-28"}, "period_to"),
        (BUDGET, "PaymentChannelSettled", {"final": 1}, "final"),
        (BUDGET, "SettlementCompleted", {"result": "deficit"}, "result"),
        (BUDGET, "CostsEstimated", {"total_minor": 20_000_000}, "total_minor"),
        (BUDGET, "CostsEstimated", {"headcount": None}, "headcount"),
        (BUDGET, "CostsEstimated", {"headcount": 400}, "lines"),
        (BUDGET, "CostsEstimated", {"behaviour": "fixed", "headcount": None}, "lines"),
        (BUDGET, "CostsEstimated", {"behaviour": "semi"}, "behaviour"),
        (BUDGET, "PartnerJoined", {"role": "sponsor"}, "role"),
        (BUDGET, "ContributionAgreed", {"partner_id": "partner-1"}, "partner_id"),
        (BUDGET, "PartnerContributionInKindReceived", {"value_minor": 0}, "value_minor"),
        (BUDGET, "PartnerContributionInKindReceived", {"proof_ref": None}, "proof_ref"),
        (BUDGET, "PartnerContributionInKindReceived", {"received_on": None}, "received_on"),
        (BUDGET, "PartnerContributionInKindReceived", {"kind": "cash"}, "kind"),
        (BUDGET, "VendorBankDetailsVerified", {"contract_id": "c-1"}, "contract_id"),
        (BUDGET, "VolunteerAllowancePaid", {"signed_for": None}, "signed_for"),
        (BUDGET, "VolunteerAllowancePaid", {"days": 0}, "days"),
        (REGISTRATION, "RegistrationTargetsSet", {"warn_below_percent": 120}, "warn_below_percent"),
        (REGISTRATION, "RegistrationTargetsSet", {"targets": []}, "targets"),
        (
            REGISTRATION,
            "RegistrationTargetsSet",
            {"targets": [{"by": "2027-03-31", "registered": 300}] * 2},
            "targets",
        ),
        (REGISTRATION, "OrderReconciled", {"outstanding_minor": 180_000}, "outstanding_minor"),
        (REGISTRATION, "OrderReconciled", {"refunded_minor": 400_000}, "refunded_minor"),
        (REGISTRATION, "AttendanceFiguresCompiled", {"attended": 500}, "attended"),
        (REGISTRATION, "AttendanceFiguresCompiled", {"final": None}, "final"),
        (
            REGISTRATION,
            "AttendanceFiguresCompiled",
            {"figures": [{"day": "2027-05-10", "category": "delegate", "checked_in": 1}] * 2},
            "figures",
        ),
        (BUDGET, "SettlementCompleted", {"amount_minor": 1}, "amount_minor"),
        (SPEAKERS, "SpeakerConfirmed", {"role": "rockstar"}, "role"),
        (SPEAKERS, "SpeakerConfirmed", {"needs_hotel": "no"}, "needs_hotel"),
        (SPEAKERS, "HonorariumPaid", {"amount_minor": 500_000}, "amount_minor"),
        (SPEAKERS, "HonorariumPaid", {"iit_withheld_minor": 600_000}, "iit_withheld_minor"),
        (SPEAKERS, "HonorariumPaid", {"iit_withheld_minor": None}, "iit_withheld_minor"),
        (SPEAKERS, "HonorariumPaid", {"payee_id_type": None}, "payee_id_type"),
        (SPEAKERS, "HonorariumPaid", {"payee_id_type": "library_card"}, "payee_id_type"),
        (SPEAKERS, "SubmissionDecided", {"decision": "maybe"}, "decision"),
        (SPEAKERS, "SlidesApproved", {"checks": ["vibes"]}, "checks"),
        (SPEAKERS, "HotelBooked", {"check_out_on": "2027-05-08"}, "check_out_on"),
        (SPEAKERS, "HotelBooked", {"hotel": ""}, "hotel"),
        (SPEAKERS, "TransferArranged", {"kind": "sideways"}, "kind"),
        (SPEAKERS, "TransferArranged", {"vehicle": "rickshaw"}, "vehicle"),
        (SPEAKERS, "TransferArranged", {"driver_assigned": "yes"}, "driver_assigned"),
        (SPEAKERS, "AccommodationRequested", {"check_out_on": "2027-05-08"}, "check_out_on"),
        (SPEAKERS, "AccommodationRequested", {"room_type": "dorm"}, "room_type"),
        (SPEAKERS, "MaterialsSent", {"contents": ["slides", "news"]}, "contents"),
        (SPEAKERS, "MaterialsSent", {"contents": ["photos", "photos"]}, "contents"),
        (VENDORS, "RequirementsRecorded", {"sha256": SHA256.upper()}, "sha256"),
        (VENDORS, "RequirementsRecorded", {"confirmed_by": " "}, "confirmed_by"),
        (VENDORS, "SiteInspected", {"purpose": "sightseeing"}, "purpose"),
        (VENDORS, "SpecificationApproved", {"backdrop": "curtain"}, "backdrop"),
        (VENDORS, "SpecificationApproved", {"stage_width_mm": 0}, "stage_width_mm"),
        (VENDORS, "SpecificationApproved", {"stage_height_mm": 200_000}, "stage_height_mm"),
        (VENDORS, "PartAccepted", {"part": "roof"}, "part"),
    ],
)
def test_a_bad_payload_is_refused_naming_the_field(catalog, event_type, overrides, field):
    payload = changed(catalog, event_type, **overrides)
    for name in [k for k, v in overrides.items() if v is None]:
        del payload[name]  # None here means: leave the field out

    assert list(refused(catalog, event_type, payload)) == [field]


def test_a_bad_part_is_refused_naming_its_place():
    order = changed(REGISTRATION, "OrderPlaced")
    order["positions"][1]["category"] = "groupie"
    slots = {
        "slots": [
            {"starts_at": "2027-05-10T04:00:00+00:00", "ends_at": "2027-05-10T01:00:00+00:00"}
        ]
    }
    fees = changed(REGISTRATION, "FeeScheduleSet")
    fees["categories"][0]["tax_rate_bp"] = 1600

    assert refused(REGISTRATION, "OrderPlaced", order) == {
        "positions": {1: {"category": ["Must be one of: " + ", ".join(CATEGORIES) + "."]}}
    }
    assert list(refused(SPEAKERS, "AvailabilityRecorded", slots)["slots"][0]) == ["ends_at"]
    assert list(refused(REGISTRATION, "FeeScheduleSet", fees)["categories"][0]) == ["tax_rate_bp"]


def test_an_order_names_each_attendee_once():
    order = changed(REGISTRATION, "OrderPlaced")
    order["positions"][1]["attendee_id"] = order["positions"][0]["attendee_id"]

    assert list(refused(REGISTRATION, "OrderPlaced", order)) == ["positions"]


def test_parts_are_strict_outgoing_and_lenient_incoming_like_the_payload():
    order = changed(REGISTRATION, "OrderPlaced")
    order["positions"][0]["seat"] = "A12"  # a field of a newer version

    assert refused(REGISTRATION, "OrderPlaced", order)["positions"][0] == {
        "seat": ["Unknown field."]
    }
    loaded = REGISTRATION.load_incoming("OrderPlaced", order)
    assert "seat" not in loaded["positions"][0]
    assert loaded["positions"][0]["price_minor"] == 180_000


def test_a_special_fapiao_needs_the_buyers_tax_id_an_ordinary_one_does_not():
    ordinary = changed(REGISTRATION, "FapiaoRequested", fapiao_type="vat_ordinary")
    del ordinary["buyer_tax_id"]
    special = changed(REGISTRATION, "FapiaoRequested")
    del special["buyer_tax_id"]

    REGISTRATION.validate_outgoing("FapiaoRequested", ordinary)
    assert refused(REGISTRATION, "FapiaoRequested", special) == {
        "buyer_tax_id": ["is required on a vat_special fapiao (增值税专用发票)"]
    }


def test_tax_id_messages_say_what_is_wrong():
    field = fapiao.tax_id()

    with pytest.raises(ValidationError, match="without I, O, Z, S or V"):
        field.deserialize("91350100M000100YO3")
    with pytest.raises(ValidationError, match="mistyped"):
        field.deserialize("91350100M000100Y42")
    assert field.deserialize(TAX_ID) == TAX_ID


# What was declared before these contracts, and the payloads tests and benchmarks publish:
# existing events only gained optional fields, so each still loads.
EARLIER_PAYLOADS = [
    (REGISTRATION, "RegistrationOpened", {"channel": "online"}),
    (REGISTRATION, "AttendeeRegistered", {"category": "delegate"}),
    (REGISTRATION, "RegistrationPaid", {"amount_minor": 180_000, "currency": "CNY"}),
    (REGISTRATION, "RefundIssued", {"amount_minor": 180_000, "currency": "CNY"}),
    (REGISTRATION, "RegistrationCancelled", {"reason": "visa refused"}),
    (
        REGISTRATION,
        "InvoiceIssued",
        {"invoice_number": "INV-2027-0001", "amount_minor": 180_000, "currency": "CNY"},
    ),
    (REGISTRATION, "AttendeeCheckedIn", {}),
    (REGISTRATION, "BadgesPrinted", {"count": 50}),
    (REGISTRATION, "SurveyPublished", {}),
    (REGISTRATION, "SurveyResponseReceived", {}),
    (REGISTRATION, "ComplaintResolved", {}),
    (BUDGET, "BudgetApproved", {"version": 1, "approved_by": "board"}),
    (BUDGET, "SponsorshipPlanApproved", {}),
    (BUDGET, "SponsorSigned", {"level": "gold", "amount_minor": 500_000, "currency": "CNY"}),
    (BUDGET, "SponsorshipPaid", {"amount_minor": 500_000, "currency": "CNY"}),
    (BUDGET, "SponsorshipCancelled", {"reason": "merged"}),
    (BUDGET, "IncomeRecorded", {"category": "registration", "amount_minor": 1, "currency": "CNY"}),
    (BUDGET, "ExpenseRecorded", {"category": "venue", "amount_minor": 1, "currency": "CNY"}),
    (
        BUDGET,
        "VendorPaid",
        {"category": "av", "vendor_id": "v-1", "amount_minor": 1, "currency": "CNY"},
    ),
    (
        BUDGET,
        "VendorInvoiceReceived",
        {"category": "av", "vendor_id": "v-1", "amount_minor": 1, "currency": "CNY"},
    ),
    (BUDGET, "SettlementCompleted", {"amount_minor": 0, "currency": "CNY"}),
    (BUDGET, "ContributionAgreed", {"partner": "某某学会", "form": "cash"}),
    (BUDGET, "VendorBankDetailsVerified", {"vendor_id": str(uuid.uuid4()), "method": "contract"}),
    (
        BUDGET,
        "PaymentChannelSettled",
        {
            "method": "alipay",
            "gross_minor": 100,
            "fees_minor": 1,
            "net_minor": 99,
            "currency": "CNY",
            "period_from": "2027-03-01",
            "period_to": "2027-03-01",
        },
    ),
    (SPEAKERS, "SpeakerInvited", {"role": "vip"}),
    (SPEAKERS, "SpeakerConfirmed", {"role": "speaker"}),
    (SPEAKERS, "SpeakerWithdrawn", {"role": "speaker", "reason": "illness"}),
    (SPEAKERS, "ItineraryConfirmed", {}),
    (SPEAKERS, "HotelBooked", {"hotel": "Lakeview"}),
    (SPEAKERS, "TransferArranged", {"kind": "departure"}),
    (SPEAKERS, "SlidesReceived", {}),
    (SPEAKERS, "AvNeedsRecorded", {}),
    (SPEAKERS, "HonorariumPaid", {"amount_minor": 300_000, "currency": "CNY"}),
    (SPEAKERS, "GiftDelivered", {}),
    (SPEAKERS, "ThankYouSent", {}),
    (SPEAKERS, "MaterialsSent", {"kind": "new_year_card"}),
    (VENDORS, "SiteInspected", {"vendor_id": "v-1", "category": "venue"}),
]


@pytest.mark.parametrize(("catalog", "event_type", "payload"), EARLIER_PAYLOADS)
def test_payloads_of_the_earlier_contracts_still_load(catalog, event_type, payload):
    catalog.validate_outgoing(event_type, payload)


PLANNED_SERVICES = ("speakers",)
# What budget emits today; the rest of its contract is planned (sponsorship, settlement...).
BUDGET_EMITS = {
    "CostsEstimated", "BudgetDrafted", "BudgetDraftChanged", "BudgetApproved", "BudgetRevised",
    "BudgetAlertSet", "BudgetWarningRaised", "BudgetOverrunWarning", "BudgetOverrunCleared",
    "LedgerOpened", "IncomeRecorded", "IncomeReversed", "ExpenseRecorded", "CommitmentApproved",
    "CommitmentCancelled", "PayableDue", "VendorPaid", "SettlementCompleted",
    "SponsorshipPlanApproved", "SponsorProspectAdded", "SponsorContacted",
    "SponsorNegotiationStarted", "SponsorSigned", "SponsorInvoiceIssued", "SponsorshipPaid",
    "InKindReceived", "SponsorshipSettled", "SponsorBenefitDelivered", "SponsorThanked",
    "SponsorshipCancelled", "HonorariumBooked", "CashAdvanceIssued", "CashAdvanceReconciled",
    "RevenueTargetSet", "RevenueBehindTarget", "RevenueBackOnTarget", "ProspectusPublished",
    "VendorInvoiceReceived", "VendorSettled", "PackageSlotTaken", "PackageSlotReleased",
    "PartnerJoined", "PartnerWithdrawn", "ContributionAgreed", "PartnerContributionInKindReceived",
    "SponsorInvoiceReversed",
}  # fmt: skip


def test_every_planned_event_says_what_happened():
    for catalog in load().catalogs():
        for name, event in catalog.describe()["events"].items():
            if event["planned"]:
                assert event["doc"].endswith("."), (catalog.service, name)


@pytest.mark.parametrize("service", PLANNED_SERVICES)
def test_services_not_built_yet_declare_only_planned_events(service):
    events = load().catalog(service).describe()["events"]

    assert len(events) >= 30
    assert all(event["planned"] for event in events.values())


def test_budget_declares_what_it_emits_apart_from_what_it_plans():
    events = load().catalog("budget").describe()["events"]

    assert {name for name, event in events.items() if not event["planned"]} == BUDGET_EMITS
    assert len(events) >= 30


def test_vocabularies_are_the_constants_rules_and_services_share():
    described = {name: event["fields"] for name, event in SPEAKERS.describe()["events"].items()}
    registration = REGISTRATION.describe()["events"]

    assert described["SpeakerConfirmed"]["role"]["one_of"] == list(ROLES)
    assert {"panelist", "session_chair", "mc"} <= set(ROLES)
    assert registration["PaymentReceived"]["fields"]["method"]["one_of"] == list(PAYMENT_METHODS)
    fee_line = registration["FeeScheduleSet"]["fields"]["categories"]["items"]["fields"]
    assert fee_line["tax_rate_bp"]["one_of"] == list(fapiao.TAX_RATES)
    assert fapiao.FAPIAO_TYPES == ("vat_special", "vat_ordinary")


def test_rule_conditions_name_values_of_the_vocabularies():
    """A rule filtering on a value its event can never carry would never hold."""
    from services.checklist import template as templates
    from services.checklist.rules import Compare

    catalogs = load().catalogs()

    def check(code, key, where):
        service, event_type = key.split(".")
        fields = catalogs[service].describe()["events"][event_type]["fields"]
        for name, condition in where:
            vocabulary = fields[name].get("one_of") or fields[name].get("items", {}).get("one_of")
            if vocabulary is None:
                continue
            if isinstance(condition, Compare):
                listed = condition.op in ("in", "all")
                values = condition.value if listed else (condition.value,)
            else:
                values = (condition,)
            assert set(values) <= set(vocabulary), (code, key, name, values)

    checked = 0
    for entry in templates.load("conference").entries:
        rule = entry.rule
        if rule is None:
            continue
        check(entry.code, rule.event, rule.where)
        checked += len(rule.where)
        if rule.kind == "for_all":
            check(entry.code, rule.require, rule.require_where)
    assert checked >= 30
