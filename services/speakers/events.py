"""Event types that speakers publishes on `speakers.events`.

Speakers does not emit them yet: their contracts are fixed here so checklist rules (and
outside subscribers) can rely on them. The aggregate of every event is the speaker (or
VIP), so a for-all rule can pair SpeakerConfirmed with SlidesReceived of the same person.
"""

from marshmallow import fields

from services.common.catalog import EventCatalog
from services.common.planned import amount, one_of, planned

ROLES = ("keynote", "speaker", "vip", "moderator")

TYPES = {
    "SpeakerInvited": planned(
        "SpeakerInvited", "A speaker or VIP was invited.", role=one_of(*ROLES)
    ),
    "SpeakerConfirmed": planned("SpeakerConfirmed", "The speaker confirmed.", role=one_of(*ROLES)),
    "SpeakerWithdrawn": planned(
        "SpeakerWithdrawn",
        "The speaker withdrew; undoes SpeakerConfirmed.",
        role=one_of(*ROLES),
        reason=fields.String(required=True),
    ),
    "ItineraryConfirmed": planned("ItineraryConfirmed", "The speaker's travel was confirmed."),
    "HotelBooked": planned(
        "HotelBooked", "The speaker's hotel was booked.", hotel=fields.String(required=True)
    ),
    "TransferArranged": planned(
        "TransferArranged", "A transfer was arranged.", kind=one_of("arrival", "departure")
    ),
    "SlidesReceived": planned("SlidesReceived", "The speaker's slides were received."),
    "AvNeedsRecorded": planned("AvNeedsRecorded", "The speaker's AV needs were recorded."),
    "HonorariumPaid": planned("HonorariumPaid", "The speaker's honorarium was paid.", **amount()),
    "GiftDelivered": planned("GiftDelivered", "A gift was delivered to the speaker."),
    "ThankYouSent": planned("ThankYouSent", "A thank-you letter was sent to the speaker."),
}

CATALOG = EventCatalog("speakers", TYPES)
