"""The contract of speakers: the events it publishes on `speakers.events` (routing key =
event type) and the vocabulary they use. Imports no domain: a subscriber may import it
alone.

Speakers does not emit them yet (all are planned): their contracts are fixed here so that
checklist rules and outside subscribers can rely on them. The aggregate of the speaker's
events is the speaker (or VIP), so that a for-all rule pairs SpeakerConfirmed with
SlidesReceived of the same person; the call for papers and each submission are their own.
"""

from services.common.catalog import EventCatalog

from . import lineup, on_stage, papers, payment_and_thanks, travel
from .vocabulary import *  # noqa: F403 - the vocabulary is part of the contract

TYPES = {
    **papers.TYPES,
    **lineup.TYPES,
    **travel.TYPES,
    **on_stage.TYPES,
    **payment_and_thanks.TYPES,
}

CATALOG = EventCatalog("speakers", TYPES)
