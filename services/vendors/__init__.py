"""Vendors: needs, vendors and venues, site inspections, quotes, selection, contracts,
delivery acceptance and vendor follow-up (source sections 1.3, 8, 12, 16.2, 17, 19, 20.1,
20.3, 23.5). Today: vendors and contracts, drafted (each for a scope: the conference, its
themed event, a tour or the staff), signed and cancelled.
"""
