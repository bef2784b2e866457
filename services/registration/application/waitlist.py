"""Vouchers and the waiting list: a voucher's code is made here and never published; a
freed place is offered to the first one waiting by a voucher that holds it."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, about
from services.common.store import ChangedMeanwhile

from .. import commands as c
from ..domain import Quota, Voucher, WaitlistEntry, voucher_id
from ..domain import fees as fee_rules
from ..domain.currency import check_currency
from .base import RegistrationBase, check_consents, day, sha256

# Voucher codes: made by the service, 16 characters of 32 (80 bits), none confusable.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class WaitlistCases(RegistrationBase):
    def issue_voucher(
        self, conference_id: Any, cmd: c.IssueVoucher, ctx: CommandContext
    ) -> Voucher:
        """A voucher with a new code (shown once, in the answer; never published)."""
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        if cmd.currency is not None:
            check_currency(setup.currency, cmd.currency)
        if cmd.ticket_type and cmd.ticket_type not in fee_rules.ticket_types(setup.fees):
            raise InvalidCommand(f"unknown ticket type {cmd.ticket_type!r}", field="ticket_type")
        code = new_code()
        voucher = Voucher.issue(
            voucher_id(conference.conference_id, code),
            purpose=cmd.purpose,
            price_mode=cmd.price_mode,
            value=cmd.value,
            max_usages=cmd.max_usages,
            ticket_type=cmd.ticket_type,
            valid_until=day(cmd.valid_until),
            code=code,
            meta=ctx.meta(conference.conference_id),
        )
        self.save(voucher)
        return voucher

    def join_waitlist(self, cmd: c.JoinWaitlist, ctx: CommandContext) -> WaitlistEntry:
        """Wait for a ticket type whose quota is sold out (with places left, order one)."""
        conference = self._conference(cmd.conference_id)
        setup = self._setup(conference)
        with about("ticket_type"):
            line = setup.fee_for(cmd.ticket_type, self._today(conference))
        size = line.get("quota")
        if not size:
            raise Conflict(
                f"ticket type {cmd.ticket_type} has no quota: order it instead",
                field="ticket_type",
            )
        quota = self._quota(conference.conference_id, cmd.ticket_type)
        left = quota.left(size) if quota else size
        if left:
            raise Conflict(
                f"{left} places of ticket type {cmd.ticket_type} are left: order one instead",
                field="ticket_type",
            )
        check_consents(cmd.person, "person")
        entry = WaitlistEntry.join(
            uuid.uuid4(),
            ticket_type=cmd.ticket_type,
            category=line["category"],
            name=cmd.person.name,
            email=cmd.person.email.strip(),
            phone=cmd.person.phone,
            consents=list(cmd.person.consents),
            consent_version=cmd.person.consent.version,
            consent_sha256=sha256(cmd.person.consent.wording),
            meta=ctx.meta(conference.conference_id),
        )
        self.save(entry)
        return entry

    def offer_places(
        self, conference_id: str, ticket_type: str, entry_ids: list[str], ctx: CommandContext
    ) -> list[str]:
        """Offer the places free now to these entries, in their order, each by a voucher
        that holds its place for `offer_hours` (OFFER_HOURS unless the deployment sets
        HUIWU_WAITLIST_OFFER_HOURS); which were offered. Another command taking
        the quota meanwhile stops it: the next round goes on."""
        conference = self._conference(conference_id)
        line = fee_rules.ticket_types(self._setup(conference).fees).get(ticket_type, {})
        size = line.get("quota")
        meta = ctx.meta(conference_id)
        offered: list[str] = []
        for entry_id in entry_ids if size else []:
            quota = self._quota(conference_id, ticket_type) or Quota(
                ticket_type=ticket_type, meta=meta
            )
            if not quota.left(size):
                break
            entry = self.get(WaitlistEntry, entry_id, "waiting-list entry")
            if entry.status != "waiting":
                continue
            code = new_code()
            vid = voucher_id(conference_id, code)
            expires = self.clock() + dt.timedelta(hours=self.offer_hours)
            zone = ZoneInfo(conference.timezone)
            voucher = Voucher.issue(
                vid,
                purpose="waitlist",
                price_mode="subtract",
                value=0,
                max_usages=1,
                ticket_type=ticket_type,
                valid_until=expires.astimezone(zone).date().isoformat(),
                code=code,
                meta=meta,
            )
            quota.reserve(
                1, size, meta, voucher_id=str(vid), nearly_percent=self.quota_nearly_percent
            )
            entry.offer(str(vid), expires.astimezone(dt.UTC).isoformat(), meta)
            try:
                self.save(voucher, quota, entry)
            except ChangedMeanwhile:
                break
            offered.append(entry_id)
        return offered

    def lapse_offers(self, entry_ids: list[str], ctx: CommandContext) -> list[str]:
        """The offers past their time and not taken: their places go back to the quota."""
        now = self.clock()
        lapsed = []
        for entry_id in entry_ids:
            entry = self.get(WaitlistEntry, entry_id, "waiting-list entry")
            if entry.status != "offered" or entry.offer_expires_at is None:
                continue
            if dt.datetime.fromisoformat(entry.offer_expires_at) > now:
                continue
            voucher = self.get(Voucher, entry.voucher_id, "voucher")
            if voucher.usages:
                continue  # taken: the order holds the place now
            meta = ctx.meta(entry.conference_id)
            entry.lapse(meta)
            quota = self._quota(entry.conference_id, entry.ticket_type)
            changed: list[Any] = [entry]
            if quota is not None:
                quota.release(meta, voucher_id=str(voucher.id))
                changed.append(quota)
            try:
                self.save(*changed)
            except ChangedMeanwhile:
                continue
            lapsed.append(entry_id)
        return lapsed

    def waitlist_entry(self, entry_id: Any) -> dict[str, Any]:
        """The entry, with its offer's voucher code for staff to pass on (never published)."""
        entry = self.get(WaitlistEntry, entry_id, "waiting-list entry", "entry_id")
        code = None
        if entry.voucher_id:
            code = self.get(Voucher, entry.voucher_id, "voucher").code
        return {"entry": entry, "voucher_code": code}
