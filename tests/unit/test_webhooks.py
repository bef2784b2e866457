"""Requests a payment provider signs instead of holding a token: the HMAC-SHA256 over the
timestamp and the raw body, checked in constant time and within five minutes; the edge
that refuses anything else before reading the body; the secrets from the environment,
never shown."""

from __future__ import annotations

import json

import pytest
from marshmallow import Schema, fields
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services import policy
from services.common import openapi, registry
from services.common.config import Settings
from services.common.errors import NotFound
from services.common.service import service_class
from services.common.webhooks import (
    BadSignature,
    WebhookSecrets,
    sign,
    signed,
    verify,
)

SECRET = "whsec_" + "k" * 40
NOW = 1_804_300_800
BODY = b'{"reference": "HWFACVV1MD", "amount_minor": 280000}'


def test_a_body_signed_now_with_the_secret_is_accepted():
    signature = sign(SECRET, str(NOW), BODY)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    verify(SECRET, str(NOW), signature, BODY, now=NOW + 299)
    verify(SECRET, str(NOW), f" {signature} ", BODY, now=NOW - 299)  # a space is no change


@pytest.mark.parametrize(
    "timestamp, signature, body, why",
    [
        (str(NOW), sign(SECRET, str(NOW), BODY), BODY + b" ", "does not match the body"),
        (str(NOW), sign(SECRET, str(NOW), BODY), BODY.replace(b"280000", b"1"), "does not match"),
        (str(NOW), sign("another" * 6, str(NOW), BODY), BODY, "does not match the body"),
        (str(NOW + 1), sign(SECRET, str(NOW), BODY), BODY, "does not match the body"),
        (str(NOW), "sha256=" + "0" * 64, BODY, "does not match the body"),
        (str(NOW), "签名", BODY, "does not match the body"),
        (None, sign(SECRET, str(NOW), BODY), BODY, "X-Huiwu-Timestamp header is missing"),
        (str(NOW), None, BODY, "X-Huiwu-Signature header is missing"),
        ("2027-03-02", "sha256=00", BODY, "must be the Unix time in seconds"),
    ],
    ids=[
        "body-changed",
        "amount-tampered",
        "other-secret",
        "timestamp-changed",
        "forged",
        "not-hex",
        "no-timestamp",
        "no-signature",
        "timestamp-not-unix",
    ],
)
def test_anything_but_the_signed_body_is_refused(timestamp, signature, body, why):
    with pytest.raises(BadSignature, match=why):
        verify(SECRET, timestamp, signature, body, now=NOW)


def test_a_signature_holds_five_minutes_either_way_so_a_replay_later_is_refused():
    signature = sign(SECRET, str(NOW), BODY)
    with pytest.raises(BadSignature, match="signed 301 s ago; a signature holds for 300 s"):
        verify(SECRET, str(NOW), signature, BODY, now=NOW + 301)
    with pytest.raises(BadSignature, match="signed 600 s ahead"):
        verify(SECRET, str(NOW), signature, BODY, now=NOW - 600)


def test_a_replayed_signature_on_another_body_is_refused():
    captured = sign(SECRET, str(NOW), BODY)
    other = BODY.replace(b"HWFACVV1MD", b"HW00000000")
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, str(NOW), captured, other, now=NOW)


def test_only_configured_providers_are_heard_and_their_secrets_never_shown():
    secrets = WebhookSecrets({"wechat_pay": SECRET}, clock=lambda: NOW)
    headers = {"X-Huiwu-Timestamp": str(NOW), "X-Huiwu-Signature": sign(SECRET, str(NOW), BODY)}
    secrets.check("wechat_pay", headers, BODY)
    with pytest.raises(NotFound, match="no payment provider 'alipay'"):
        secrets.check("alipay", headers, BODY)
    assert SECRET not in repr(secrets)


def test_secrets_come_from_the_environment_long_enough_and_out_of_sight():
    settings = Settings.from_env(
        {
            "HUIWU_PAYMENT_WEBHOOK_SECRET_WECHAT_PAY": SECRET,
            "HUIWU_PAYMENT_WEBHOOK_SECRET_ALIPAY": "",
            "HUIWU_PAYMENT_WEBHOOK_TOLERANCE": "120",
        }
    )
    assert settings.payment_webhook_secrets == {"wechat_pay": SECRET}
    assert settings.payment_webhook_tolerance == 120
    assert SECRET not in repr(settings)
    with pytest.raises(ValueError, match="at least 32 characters") as refused:
        Settings.from_env({"HUIWU_PAYMENT_WEBHOOK_SECRET_ALIPAY": "short-secret"})
    assert "short-secret" not in str(refused.value)


class Body(Schema):
    reference = fields.String(required=True)


class Answer(Schema):
    reference = fields.String()


class Provider:
    """A service with one signed endpoint, as registration's."""

    secrets = WebhookSecrets({"wechat_pay": SECRET}, clock=lambda: NOW)
    calls: list = []

    @signed("Notify", Body, Answer, secrets="secrets")
    def notify(self, cmd, ctx, provider):
        self.calls.append((cmd, ctx.actor, provider))
        return {"reference": cmd["reference"]}


def post(body: bytes, headers: dict[str, str], provider: str = "wechat_pay", kind="json"):
    content_type = "application/json" if kind == "json" else "text/plain"
    environ = EnvironBuilder(
        method="POST", data=body, headers=headers, content_type=content_type
    ).get_environ()
    Provider.calls.clear()
    answer = Provider().notify(Request(environ), provider=provider)
    return answer.status_code, json.loads(answer.get_data())


def signed_headers(body: bytes) -> dict[str, str]:
    return {"X-Huiwu-Timestamp": str(NOW), "X-Huiwu-Signature": sign(SECRET, str(NOW), body)}


def test_the_edge_runs_the_handler_only_for_a_signed_body_and_a_token_opens_nothing():
    body = b'{"reference": "HWFACVV1MD"}'
    status, answer = post(body, signed_headers(body))
    assert (status, answer) == (200, {"reference": "HWFACVV1MD"})
    assert Provider.calls == [({"reference": "HWFACVV1MD"}, "provider:wechat_pay", "wechat_pay")]

    status, answer = post(body, {"Authorization": "Bearer hw_0123456789ab_" + "x" * 43})
    assert status == 401 and answer["error"] == "BadSignature" and Provider.calls == []
    status, answer = post(body, signed_headers(body), provider="alipay")
    assert status == 404 and "provider" in answer["errors"] and Provider.calls == []


def test_the_edge_refuses_a_signed_body_that_is_not_the_command_by_field():
    for body, kind, status, field in [
        (b'{"amount": 1}', "json", 400, "reference"),
        (b"[1]", "json", 400, "_body"),
        (b"reference=x", "text", 415, "_body"),
    ]:
        got, answer = post(body, signed_headers(body), kind=kind)
        assert (got, field in answer["errors"]) == (status, True), answer
        assert Provider.calls == []
    huge = b" " * (64 * 1024 + 1)
    assert post(huge, signed_headers(huge))[0] == 413


def test_the_webhook_is_described_as_signed_and_is_the_only_endpoint_without_a_token():
    assert {"ReceivePaymentNotification"} == policy.SIGNED
    source = registry.load()
    doc = openapi.describe(service_class(source.spec("registration"), source))
    operation = doc["paths"]["/payments/webhook/{provider}"]["post"]
    assert operation["security"] == [{"providerSignature": []}]
    scheme = doc["components"]["securitySchemes"]["providerSignature"]
    assert (scheme["in"], scheme["name"]) == ("header", "X-Huiwu-Signature")
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["X-Huiwu-Timestamp"]  # no Idempotency-Key: the transaction is the key
    unsigned = [
        (method, path)
        for path, methods in doc["paths"].items()
        for method, op in methods.items()
        if op.get("security", doc["security"]) != doc["security"]
    ]
    assert sorted(unsigned) == [
        ("get", "/health"),
        ("get", "/metrics"),
        ("post", "/payments/webhook/{provider}"),
    ]
