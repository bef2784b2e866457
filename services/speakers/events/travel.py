"""A speaker's travel and stay (aggregate: the speaker): itinerary, tickets, the room
asked for and the hotel, transfers each way, arrival at the venue."""

from marshmallow import ValidationError, validates_schema

from services.common.fields import day, text
from services.common.planned import PlannedEvent, flag, one_of

from .vocabulary import BOOKED_BY, DIRECTIONS, GREETERS, PAID_BY, ROOM_TYPES, TRAVEL_MODES, VEHICLES


def _not_before(first: str, then: str):
    def check(self, data, **kwargs):
        if first in data and then in data and data[then] < data[first]:
            raise ValidationError(f"must not be before {first}", then)

    return validates_schema(check)


class ItineraryConfirmed(PlannedEvent):
    """The speaker's travel dates and mode were agreed (9.1.1, 20.2.1)."""

    arrival_on = day()
    departure_on = day()
    mode = one_of(*TRAVEL_MODES, required=False)

    _dates = _not_before("arrival_on", "departure_on")


class TicketBooked(PlannedEvent):
    """A ticket was booked one way, by the guest or through the travel agency (9.1.2)."""

    direction = one_of(*DIRECTIONS)
    mode = one_of(*TRAVEL_MODES)
    booked_by = one_of(*BOOKED_BY)
    paid_by = one_of(*PAID_BY)


class AccommodationRequested(PlannedEvent):
    """The guest's accommodation wishes were taken and agreed with them (9.1.3): the
    nights (`check_in_on` to `check_out_on`), the `room_type`, who pays the room
    (`paid_by`) and whether it must be `accessible`; the room is then booked to them
    (HotelBooked, 9.1.4)."""

    check_in_on = day(required=True)
    check_out_on = day(required=True)
    room_type = one_of(*ROOM_TYPES)
    paid_by = one_of(*PAID_BY, required=False)
    accessible = flag()

    _dates = _not_before("check_in_on", "check_out_on")


class HotelBooked(PlannedEvent):
    """The speaker's room was booked (9.1.4), as they asked for it (AccommodationRequested,
    9.1.3); `paid_by` who pays the room (extras are the guest's, 9.3.1)."""

    hotel = text(200, required=True)
    check_in_on = day()
    check_out_on = day()
    paid_by = one_of(*PAID_BY, required=False)

    _dates = _not_before("check_in_on", "check_out_on")


class HotelCheckedIn(PlannedEvent):
    """The speaker checked in at the hotel, told what is paid and what is theirs: the card
    guarantee, extras (9.3.1)."""

    charges_explained = flag(required=True)


class TransferArranged(PlannedEvent):
    """A transfer was arranged, on arrival or on departure (9.1.5, 9.3.6), and who meets
    the guest: senior staff one to one for VIPs (20.2.5). Once a car is sent for it, the
    `vehicle` and whether its driver is assigned (`driver_assigned`, 20.2.4); the plate
    and the driver's name and phone stay in the service."""

    kind = one_of(*DIRECTIONS)
    greeter = one_of(*GREETERS, required=False)
    vehicle = one_of(*VEHICLES, required=False)
    driver_assigned = flag()


class SpeakerArrived(PlannedEvent):
    """The speaker or VIP signed in at the venue (15.3.3)."""

    arrived_on = day(required=True)


TYPES = {
    "ItineraryConfirmed": ItineraryConfirmed,
    "TicketBooked": TicketBooked,
    "AccommodationRequested": AccommodationRequested,
    "HotelBooked": HotelBooked,
    "HotelCheckedIn": HotelCheckedIn,
    "TransferArranged": TransferArranged,
    "SpeakerArrived": SpeakerArrived,
}
