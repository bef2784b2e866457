"""Attendees: another person takes one's place under the conference's rules."""

from __future__ import annotations

from typing import Any

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, about

from .. import commands as c
from ..domain import Attendee, normalise_email
from ..domain import refunds as refund_rules
from ..domain.orders import PAID
from .base import RegistrationBase, check_consents, sha256


class AttendeeCases(RegistrationBase):
    def substitute_attendee(
        self, attendee_id: Any, cmd: c.SubstituteAttendee, ctx: CommandContext
    ) -> Attendee:
        def substitute() -> Attendee:
            attendee = self.attendee(attendee_id)
            order = self.order(attendee.order_id)
            conference = self._conference(attendee.conference_id)
            policy = self._policy(self._setup(conference), conference)
            today = self._today(conference)
            if not refund_rules.may_substitute(policy, today):
                raise Conflict(
                    f"substitutions ended on {policy['substitution_until']}",
                    field="attendee_id",
                )
            if not order.open and order.status != PAID:
                raise Conflict(f"the attendee's order is {order.status}", field="attendee_id")
            check_consents(cmd.person, "person")
            meta = ctx.meta(attendee.conference_id)
            old = self._get_claim(attendee.claim_id)
            if normalise_email(cmd.person.email) == normalise_email(attendee.email):
                raise InvalidCommand(
                    "is the attendee's own email: a substitute is another person",
                    field="person.email",
                )
            new = self._claim(conference, cmd.person.email, str(attendee.id), meta, "")
            with about("attendee_id"):
                attendee.substitute(
                    reason=cmd.reason,
                    consents=list(cmd.person.consents),
                    consent_version=cmd.person.consent.version,
                    consent_sha256=sha256(cmd.person.consent.wording),
                    name=cmd.person.name,
                    email=cmd.person.email.strip(),
                    phone=cmd.person.phone,
                    claim_id=str(new.id),
                    meta=meta,
                )
            saved: list[Any] = [attendee, new]
            if old is not None:
                old.release(str(attendee.id), meta)
                saved.append(old)
            self.save(*saved)
            return attendee

        return self._retrying(substitute)
