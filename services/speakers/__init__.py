"""Speakers: speakers and VIPs, invitations, confirmations, itineraries, hotels, transfers,
slides and AV needs, honoraria, gifts, follow-up and substitutes
(source sections 1.7, 9, 20.2, 21.3, 23.2).

For now the service starts, serves /health, /metrics and its (empty) notification log.
"""
