"""Ids derived from what they stand for, so that the store itself refuses a second one:
the conference's set-up, a ticket type's quota, the claim of an email address, a
voucher (from its code)."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("5d0c3c52-7a4e-4f0b-9a3c-6a1f2b8e9d10")


def normalise_email(email: str) -> str:
    """The form in which two spellings of one address compare equal: `Li@X.cn ` is li@x.cn."""
    return email.strip().casefold()


def setup_id(conference_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"setup/{conference_id}")


def quota_id(conference_id: str, ticket_type: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"quota/{conference_id}/{ticket_type}")


def voucher_id(conference_id: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"voucher/{conference_id}/{normalise_code(code)}")


def normalise_code(code: str) -> str:
    return code.strip().upper()


def claim_id(conference_id: str, email: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"email/{conference_id}/{normalise_email(email)}")


def checkin_key_id(conference_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"checkin-key/{conference_id}")
