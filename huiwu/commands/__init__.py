"""What each `huiwu` command does: build the request, call the service, show the answer.

Every command takes the shared Context and the parsed arguments and returns an exit code.
"""

from . import follow_up, payments, registration
from .audit import (
    audit_as_of,
    audit_export,
    audit_rebuild,
    audit_show,
    audit_trace,
    audit_verify,
)
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
    conference_set,
    conference_settings,
    conference_show,
    contract_cancel,
    contract_draft,
    contract_show,
    contract_sign,
    vendor_add,
    vendor_show,
)
from .tokens import expiry, token_create, token_list, token_revoke

__all__ = [
    "follow_up",
    "payments",
    "registration",
    "expiry",
    "token_create",
    "token_list",
    "token_revoke",
    "DEFAULT_TIMEZONE",
    "Context",
    "Reference",
    "UsageError",
    "audit_as_of",
    "audit_export",
    "audit_rebuild",
    "audit_show",
    "audit_trace",
    "audit_verify",
    "checklist_export",
    "checklist_import",
    "checklist_overdue",
    "checklist_show",
    "conference_open",
    "conference_set",
    "conference_settings",
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
