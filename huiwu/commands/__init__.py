"""What each `huiwu` command does: build the request, call the service, show the answer.

Every command takes the shared Context and the parsed arguments and returns an exit code.
"""

from .audit import audit_rebuild, audit_show
from .context import DEFAULT_TIMEZONE, Context, UsageError, today_in
from .running import status, up
from .slice import (
    checklist_show,
    conference_open,
    conference_show,
    contract_cancel,
    contract_draft,
    contract_show,
    contract_sign,
    vendor_add,
    vendor_show,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "Context",
    "UsageError",
    "audit_rebuild",
    "audit_show",
    "checklist_show",
    "conference_open",
    "conference_show",
    "contract_cancel",
    "contract_draft",
    "contract_show",
    "contract_sign",
    "status",
    "today_in",
    "up",
    "vendor_add",
    "vendor_show",
]
