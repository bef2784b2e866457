"""Check-in codes, the QR on a badge: the attendee's id and an HMAC of the conference, the
attendee and the badge's generation (how many times the place was given to another
person), keyed by the conference's secret. Unguessable without the key, verifiable with
it, and no personal data in it: a code of another conference, a forged one, or one of a
badge voided by a substitution does not verify.

A code reads as 56 characters of digits and capital letters (QR alphanumeric mode): the
attendee's id in hex, then 120 bits of the HMAC-SHA256 in base32."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid

KEY_BYTES = 32
TAG_BYTES = 15  # 120 bits: 24 base32 characters, no padding
CODE = re.compile(r"^(?P<attendee>[0-9A-F]{32})(?P<tag>[A-Z2-7]{24})$")


class NotACode(ValueError):
    """The text is not shaped as a check-in code at all."""


def make_code(key: bytes, conference_id: str, attendee_id: str, generation: int) -> str:
    attendee = uuid.UUID(str(attendee_id))
    return attendee.hex.upper() + _tag(key, conference_id, attendee, generation)


def attendee_of(code: str) -> uuid.UUID:
    """The attendee a code names (before it is verified); NotACode if it is no code."""
    found = CODE.match(code.strip().upper())
    if found is None:
        raise NotACode("is not a check-in code: 56 letters and digits, as on the badge")
    return uuid.UUID(hex=found["attendee"])


def verifies(key: bytes, conference_id: str, code: str, generation: int) -> bool:
    """Whether `code` is the current code of the attendee it names, at this conference."""
    try:
        attendee = attendee_of(code)
    except NotACode:
        return False
    expected = _tag(key, conference_id, attendee, generation)
    return hmac.compare_digest(expected, code.strip().upper()[32:])


def _tag(key: bytes, conference_id: str, attendee: uuid.UUID, generation: int) -> str:
    message = f"checkin/v1/{conference_id}/{attendee}/{generation}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:TAG_BYTES]
    return base64.b32encode(digest).decode("ascii")
