"""HTTP entrypoint of vendors' fapiao, mixed into budget's Service."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command

from . import vendor_fapiao_schemas as s


class VendorFapiaoEndpoints:
    @http("POST", "/contracts/<string:contract_id>/fapiao")
    @command("ReceiveVendorFapiao", s.ReceiveVendorFapiaoSchema, scope="contract_scope")
    def receive_vendor_fapiao(self, cmd, ctx, contract_id):
        """{"vendor_id": "...", "fapiao_number": "25332000000012345678",
        "amount_minor": 12000000, "tax_rate_bp": 600, "fapiao_type": "vat_special"}"""
        return self.budget.receive_vendor_fapiao(contract_id, cmd, ctx)
