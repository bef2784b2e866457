"""Budget: the budget plan and its versions, revenue and cost lines, the sponsorship
pipeline, the ledger of income and expense with invoices, warnings and settlement
(source sections 2, 7, 21.9, 23.3, 24.1).

Today: budgets drafted, approved and revised, cost estimates, the ledger kept from
registration's payments and refunds and vendors' contracts, vendor payments, and overrun
warnings (docs/budget.md).
"""
