"""The sponsorship pipeline's HTTP entrypoints, mixed into budget's Service: each loads
its command, calls the application, answers with the sponsorship or the packages."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command, query
from services.policy import Target

from . import sponsorship_schemas as s

AT = "/sponsorships/<string:sponsorship_id>"


class SponsorshipEndpoints:
    @http("POST", "/conferences/<string:conference_id>/sponsorship/packages")
    @command("AddSponsorPackage", s.AddPackageSchema, status=201)
    def add_sponsor_package(self, cmd, ctx, conference_id):
        """{"name": "Gold", "level": "gold", "price_minor": 20000000, "slots": 3,
        "benefits": ["logo", "booth", "passes"]}"""
        return self.budget.add_package(conference_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/sponsorship/packages")
    @query("ListSponsorPackages")
    def list_sponsor_packages(self, conference_id):
        return self.budget.packages(conference_id)

    @http("POST", "/conferences/<string:conference_id>/sponsorship/prospectus")
    @command("PublishProspectus", s.PublishProspectusSchema, status=201)
    def publish_prospectus(self, cmd, ctx, conference_id):
        """{"languages": ["zh", "en"]} (a translation checked besides Chinese)"""
        return self.budget.publish_prospectus(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/sponsors")
    @command("AddSponsorProspect", s.AddProspectSchema, status=201)
    def add_sponsor_prospect(self, cmd, ctx, conference_id):
        """{"sponsor": "杭州某某科技有限公司", "level": "gold"}"""
        return self.budget.add_prospect(conference_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/sponsors")
    @query("ListSponsors")
    def list_sponsors(self, conference_id):
        return self.budget.sponsors(conference_id)

    @http("GET", AT)
    @query("GetSponsorship", scope="sponsorship_scope")
    def get_sponsorship(self, sponsorship_id):
        return self.budget.sponsorship(sponsorship_id).view()

    @http("POST", f"{AT}/advance")
    @command("AdvanceSponsorship", s.AdvanceSponsorshipSchema, scope="sponsorship_scope")
    def advance_sponsorship(self, cmd, ctx, sponsorship_id):
        """{"to": "contacted", "channel": "email"} or {"to": "negotiating", "level": "gold"}"""
        return self.budget.advance_sponsorship(sponsorship_id, cmd, ctx)

    @http("POST", f"{AT}/sign")
    @command("SignSponsor", s.SignSponsorSchema, scope="sponsorship_scope")
    def sign_sponsor(self, cmd, ctx, sponsorship_id):
        """{"package": "Gold", "signed_on": "2027-02-01", "form": "cash", "instalments": [
        {"due_on": "2027-03-01", "amount_minor": 10000000}, ...]}"""
        return self.budget.sign_sponsor(sponsorship_id, cmd, ctx)

    @http("POST", f"{AT}/invoices")
    @command("IssueSponsorInvoice", s.IssueSponsorInvoiceSchema, scope="sponsorship_scope")
    def issue_sponsor_invoice(self, cmd, ctx, sponsorship_id):
        """{"fapiao_number": "25332000000012345678", "fapiao_type": "vat_ordinary",
        "medium": "digital", "issued_on": "2027-02-10", "gross_minor": 10000000}"""
        return self.budget.invoice_sponsor(sponsorship_id, cmd, ctx)

    @http("POST", f"{AT}/invoices/<string:fapiao_number>/reverse")
    @command("ReverseSponsorInvoice", s.ReverseSponsorInvoiceSchema, scope="sponsorship_scope")
    def reverse_sponsor_invoice(self, cmd, ctx, sponsorship_id, fapiao_number):
        """{"red_fapiao_number": "25332000000087654321", "reason": "error",
        "reversed_on": "2027-02-12"} (all it holds, or "gross_minor" of it)"""
        return self.budget.reverse_sponsor_invoice(sponsorship_id, fapiao_number, cmd, ctx)

    @http("POST", f"{AT}/payments")
    @command("RecordSponsorPayment", s.RecordSponsorPaymentSchema, scope="sponsorship_scope")
    def record_sponsor_payment(self, cmd, ctx, sponsorship_id):
        """{"amount_minor": 10000000, "currency": "CNY", "received_on": "2027-03-01"} or
        {"received_on": "2027-05-10", "in_kind": {"kind": "goods", "description": "500
        tote bags", "value_minor": 3000000}}"""
        return self.budget.pay_sponsor(sponsorship_id, cmd, ctx)

    @http("POST", f"{AT}/benefits")
    @command("DeliverSponsorBenefit", s.DeliverBenefitSchema, scope="sponsorship_scope")
    def deliver_sponsor_benefit(self, cmd, ctx, sponsorship_id):
        """{"benefit": "logo", "proof_ref": "site-footer-2027-04-01.png"}"""
        return self.budget.deliver_benefit(sponsorship_id, cmd, ctx)

    @http("POST", f"{AT}/thanks")
    @command("ThankSponsor", s.ThankSponsorSchema, scope="sponsorship_scope")
    def thank_sponsor(self, cmd, ctx, sponsorship_id):
        """{"channel": "letter"}"""
        return self.budget.thank_sponsor(sponsorship_id, cmd, ctx)

    @http("POST", f"{AT}/cancel")
    @command("CancelSponsorship", s.CancelSponsorshipSchema, scope="sponsorship_scope")
    def cancel_sponsorship(self, cmd, ctx, sponsorship_id):
        """{"reason": "budget cut at the sponsor"}"""
        return self.budget.cancel_sponsorship(sponsorship_id, cmd, ctx)

    @http("POST", f"{AT}/refund")
    @command("RefundSponsor", s.RefundSponsorSchema, scope="sponsorship_scope")
    def refund_sponsor(self, cmd, ctx, sponsorship_id):
        """{"amount_minor": 12000000, "currency": "CNY", "refunded_on": "2027-04-02",
        "method": "bank_transfer"} (all the cash a cancelled sponsor paid)"""
        return self.budget.refund_sponsor(sponsorship_id, cmd, ctx)

    def sponsorship_scope(self, sponsorship_id, **_):
        """The conference a sponsorship belongs to, for the policy."""
        return Target(self.budget.sponsorship(sponsorship_id).conference_id)
