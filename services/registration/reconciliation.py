"""Reconciling every order of a conference (23.1.3): the orders come from the read model
of payment references (each order placed, ended or not), the figures from the
application, order by order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.common.domain import CommandContext

from .application import RegistrationApplication
from .order_references import OrderReferences


class ConferenceReconciliation:
    def __init__(
        self,
        app: RegistrationApplication,
        references: OrderReferences,
        catch_up: Callable[[], Any] = lambda: None,
    ) -> None:
        self.app = app
        self.references = references
        # the read model's own catch-up: an order placed a moment ago is reconciled too
        self.catch_up = catch_up

    def reconcile(self, conference_id: str, ctx: CommandContext) -> dict[str, Any]:
        conference = self.app.conference(conference_id)
        self.catch_up()
        order_ids = self.references.of_conference(conference.conference_id)
        return self.app.reconcile_orders(conference.conference_id, order_ids, ctx)
