"""The command receiving a vendor's fapiao, as the edge loads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReceiveVendorFapiao:
    """A vendor's fapiao against one of its contracts: gross (`amount_minor`, 价税合计) at
    a rate; net and tax as printed on it, or split from the gross when not given."""

    vendor_id: str
    fapiao_number: str
    amount_minor: int
    tax_rate_bp: int
    fapiao_type: str
    medium: str = "digital"
    net_minor: int | None = None
    tax_minor: int | None = None
    seller_tax_id: str | None = None
    verified: bool | None = None
