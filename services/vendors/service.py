"""The vendors service: vendors and contracts over HTTP, events on `vendors.events`."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command, query
from services.common.providers import Use
from services.common.service import HuiwuService
from services.policy import Target

from . import schemas as s


class Service(HuiwuService):
    name = "vendors"
    vendors = Use("vendors")

    @http("POST", "/vendors")
    @command("AddVendor", s.AddVendorSchema, s.VendorIdAnswer, status=201)
    def add_vendor(self, cmd, ctx):
        """{"conference_id": "...", "name": "Expo Hall Ltd", "categories": ["venue"]}"""
        return self.vendors.add_vendor(cmd, ctx)

    @http("GET", "/vendors/<string:vendor_id>")
    @query("GetVendor", answer=s.VendorAnswer, scope="vendor_scope")
    def get_vendor(self, vendor_id):
        return self.vendors.vendor(vendor_id)

    @http("POST", "/contracts")
    @command("DraftContract", s.DraftContractSchema, s.ContractIdAnswer, status=201)
    def draft_contract(self, cmd, ctx):
        """{"conference_id": "...", "vendor_id": "...", "category": "venue",
        "scope": "conference", "title": "Main hall", "amount_minor": 12000000,
        "currency": "CNY"}"""
        return self.vendors.draft_contract(cmd, ctx)

    @http("GET", "/contracts/<string:contract_id>")
    @query("GetContract", answer=s.ContractAnswer, scope="contract_scope")
    def get_contract(self, contract_id):
        return self.vendors.contract(contract_id)

    @http("POST", "/contracts/<string:contract_id>/sign")
    @command("SignContract", s.SignContractSchema, s.ContractAnswer, scope="contract_scope")
    def sign_contract(self, cmd, ctx, contract_id):
        """{"signed_on": "2026-03-01"}"""
        return self.vendors.sign_contract(contract_id, cmd, ctx)

    @http("POST", "/contracts/<string:contract_id>/cancel")
    @command("CancelContract", s.CancelContractSchema, s.ContractAnswer, scope="contract_scope")
    def cancel_contract(self, cmd, ctx, contract_id):
        """{"reason": "venue closed for renovation"}"""
        return self.vendors.cancel_contract(contract_id, cmd, ctx)

    def vendor_scope(self, vendor_id):
        """The conference a vendor belongs to, for the policy."""
        return Target(self.vendors.vendor(vendor_id).conference_id)

    def contract_scope(self, contract_id):
        """The conference a contract belongs to, for the policy."""
        return Target(self.vendors.contract(contract_id).conference_id)
