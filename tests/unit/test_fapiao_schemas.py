"""A fapiao request at the edge: the buyer's tax ID checked by GB 32100's form and check
character, a 专票's details required, each refusal naming its field."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.registration.fapiao_schemas import (
    IssueFapiaoSchema,
    ListFapiaoSchema,
    RequestFapiaoSchema,
)

TAX_ID = "91350100M000100Y43"
SPECIAL = {
    "fapiao_type": "vat_special",
    "buyer_name": "福州某某科技有限公司",
    "buyer_tax_id": TAX_ID,
    "buyer_address": "福州市鼓楼区五四路1号",
    "buyer_phone": "0591-12345678",
    "buyer_bank": "招商银行福州分行",
    "buyer_account": "591900000000001",
}


def refusal(schema, body) -> dict:
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    return refused.value.messages


def test_a_special_request_loads_with_defaults():
    cmd = RequestFapiaoSchema().load(SPECIAL)
    assert (cmd.buyer_tax_id, cmd.item, cmd.delivery, cmd.amount_minor) == (
        TAX_ID,
        "conference_fee",
        "email",
        None,
    )


@pytest.mark.parametrize(
    ("tax_id", "why"),
    [
        ("91350100M000100Y4", "18 digits"),  # 17 characters
        ("91350100M000100Y433", "18 digits"),  # 19
        ("91350100M000100YI3", "without I, O, Z, S or V"),  # I is not a code character
        ("91350100m000100y43", "capital"),
        ("913501A0M000100Y43", "digits in places 3 to 8"),
        ("91350100M000100Y44", "does not check"),  # check character off by one
    ],
)
def test_a_malformed_tax_id_is_refused_naming_the_field(tax_id, why):
    messages = refusal(RequestFapiaoSchema, {**SPECIAL, "buyer_tax_id": tax_id})
    assert list(messages) == ["buyer_tax_id"]
    assert why in messages["buyer_tax_id"][0]


@pytest.mark.parametrize(
    "missing",
    ["buyer_tax_id", "buyer_address", "buyer_phone", "buyer_bank", "buyer_account"],
)
def test_a_special_fapiao_needs_every_detail(missing):
    body = {k: v for k, v in SPECIAL.items() if k != missing}
    messages = refusal(RequestFapiaoSchema, body)
    assert "vat_special" in messages[missing][0]


def test_an_ordinary_fapiao_needs_only_a_name():
    cmd = RequestFapiaoSchema().load({"fapiao_type": "vat_ordinary", "buyer_name": "王磊"})
    assert cmd.buyer_tax_id is None and cmd.buyer_kind is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_minor": 0}, "amount_minor"),
        ({"amount_minor": 1.5}, "amount_minor"),
        ({"tax_rate_bp": 6}, "tax_rate_bp"),
        ({"fapiao_type": "vat_deluxe"}, "fapiao_type"),
        ({"delivery": "pigeon"}, "delivery"),
        ({"buyer_account": "abc"}, "buyer_account"),
        ({"buyer_name": ""}, "buyer_name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_fields_are_named(body, field):
    assert field in refusal(RequestFapiaoSchema, {**SPECIAL, **body})


def test_issue_and_list_fields_are_checked():
    good = {"fapiao_number": "25312000000012345678", "medium": "digital", "issued_on": "2027-03-05"}
    assert IssueFapiaoSchema().load(good).fapiao_number == good["fapiao_number"]
    assert "fapiao_number" in refusal(IssueFapiaoSchema, {**good, "fapiao_number": "INV-1"})
    assert "fapiao_code" in refusal(IssueFapiaoSchema, {**good, "fapiao_code": "123"})
    assert "state" in refusal(ListFapiaoSchema, {"state": "lost"})
