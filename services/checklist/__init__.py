"""Checklist: the conference project (dates, profile, team) and its plan of entries, each
with an owner, a due date, progress and a way to be verified; automatic verification by
other services' events; evidence; overdue tracking (source: all sections, 1, 3, 21).
"""
