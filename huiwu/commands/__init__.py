"""What each `huiwu` command does: build the request, call the service, show the answer.

Every command takes the shared Context and the parsed arguments and returns an exit code.
"""

from .audit import audit_rebuild, audit_show
from .context import DEFAULT_TIMEZONE, Context, UsageError, today_in
from .plan import (
    Reference,
    checklist_export,
    checklist_import,
    checklist_overdue,
    checklist_show,
    entry_assign,
    entry_due,
    entry_progress,
    entry_reopen,
    entry_show,
    entry_verify,
    entry_waive,
    team_add,
    team_show,
)
from .running import status, up
from .slice import (
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
    "Reference",
    "UsageError",
    "audit_rebuild",
    "audit_show",
    "checklist_export",
    "checklist_import",
    "checklist_overdue",
    "checklist_show",
    "conference_open",
    "conference_show",
    "contract_cancel",
    "contract_draft",
    "contract_show",
    "contract_sign",
    "entry_assign",
    "entry_due",
    "entry_progress",
    "entry_reopen",
    "entry_show",
    "entry_verify",
    "entry_waive",
    "status",
    "team_add",
    "team_show",
    "today_in",
    "up",
    "vendor_add",
    "vendor_show",
]
