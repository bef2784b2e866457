"""Budget: the budget plan and its versions, revenue and cost lines, the sponsorship
pipeline, the ledger of income and expense with invoices, warnings and settlement
(source sections 2, 7, 21.9, 23.3, 24.1).

For now the service starts, serves /health, /metrics and its (empty) notification log.
"""
