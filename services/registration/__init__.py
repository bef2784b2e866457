"""Registration: attendees, categories and fees, capacity and waitlist, payments, invoice
requests, cancellations and refunds, on-site check-in, badges, surveys and complaints
(source sections 10, 15, 18.1, 22, 23.1, 24.5).

For now the service starts, serves /health, /metrics and its (empty) notification log.
"""
