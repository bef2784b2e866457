"""Reporting: the read side across all services. Today the audit trail: every event of
every service (when, who, service, event type, aggregate, payload), consumed live and
rebuildable from zero by replaying the notification logs (source 6.4, 22.3, 23.4, 24).
"""
