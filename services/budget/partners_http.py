"""HTTP entrypoints of partners and their contributions, mixed into budget's Service."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command, query
from services.policy import Target

from . import partners_schemas as s

AT = "/partners/<string:partner_id>"


class PartnerEndpoints:
    @http("POST", "/conferences/<string:conference_id>/partners")
    @command("JoinPartner", s.JoinPartnerSchema, status=201)
    def join_partner(self, cmd, ctx, conference_id):
        """{"partner": "浙江省医学会", "role": "co_organiser"}"""
        return self.budget.join_partner(conference_id, cmd, ctx)

    @http("POST", f"{AT}/contribution")
    @command("AgreeContribution", s.AgreeContributionSchema, scope="partner_scope")
    def agree_contribution(self, cmd, ctx, partner_id):
        """{"form": "cash", "amount_minor": 10000000, "currency": "CNY", "share_bp": 2500}"""
        return self.budget.agree_contribution(partner_id, cmd, ctx)

    @http("POST", f"{AT}/receipts")
    @command("ReceiveContribution", s.ReceiveContributionSchema, scope="partner_scope")
    def receive_contribution(self, cmd, ctx, partner_id):
        """{"amount_minor": 5000000, "currency": "CNY", "received_on": "2027-03-01",
        "source": "grant"}"""
        return self.budget.receive_contribution(partner_id, cmd, ctx)

    @http("POST", f"{AT}/in-kind")
    @command("ReceiveContributionInKind", s.ReceiveContributionInKindSchema, scope="partner_scope")
    def receive_contribution_in_kind(self, cmd, ctx, partner_id):
        """{"kind": "venue", "description": "Lecture hall, 2 days", "value_minor": 8000000,
        "currency": "CNY", "received_on": "2027-05-10", "proof_ref": "venue-handover-0510"}"""
        return self.budget.receive_contribution_in_kind(partner_id, cmd, ctx)

    @http("POST", f"{AT}/withdraw")
    @command("WithdrawPartner", s.WithdrawPartnerSchema, scope="partner_scope")
    def withdraw_partner(self, cmd, ctx, partner_id):
        """{"reason": "merged into the host society"}"""
        return self.budget.withdraw_partner(partner_id, cmd, ctx)

    @http("GET", AT)
    @query("GetPartner", scope="partner_scope")
    def get_partner(self, partner_id):
        return self.budget.partner_view(partner_id)

    def partner_scope(self, partner_id, **_):
        """The conference a partner belongs to, for the policy."""
        return Target(self.budget.partner(partner_id).conference_id)
