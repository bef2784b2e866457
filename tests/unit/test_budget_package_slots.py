"""A package's last slot on the in-memory store: two signings that read the package at
the same moment cannot both take it (the second is retried and finds it sold out), a
signing that lost a race to a slot still left is retried and signs, a cancellation gives
its slot back, and slots signed before they were kept per package still count."""

from __future__ import annotations

import uuid

import pytest

from services.budget import sponsorship_commands as c
from services.budget.package_slots import PackageSlots, SoldOut, slots_id
from services.common.envelope import split_qualname
from tests.unit.budget_support import ORGANIZER, Upstream, budget_app, deliver, event_types
from tests.unit.test_budget_sponsorship import DAY, GOLD, negotiating


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def conference_id(app):
    conference_id = str(uuid.uuid4())
    deliver(app, Upstream(conference_id).conference_opened())
    app.add_package(conference_id, GOLD, ORGANIZER)  # 2 slots
    return conference_id


def sign(app, sid):
    return app.sign_sponsor(sid, c.SignSponsor("Gold", DAY), ORGANIZER)


def racing(app, rival: str):
    """The next save is preceded by the rival's signing, saved first: both read the
    package before either saved."""
    save = app.save
    raced = []

    def save_after_rival(*objs, **kwargs):
        if not raced:
            raced.append(rival)
            app.save = save  # the rival's own save, and the retry's, go straight through
            sign(app, rival)
            app.save = save_after_rival
        return save(*objs, **kwargs)

    app.save = save_after_rival
    return raced


def test_two_signings_of_the_last_slot_at_once_sign_one(app, conference_id):
    first, second, third = (negotiating(app, conference_id, f"S{i}") for i in range(3))
    sign(app, first)
    racing(app, second)
    with pytest.raises(SoldOut, match="sold out: 2 of 2 signed") as refused:
        sign(app, third)
    assert refused.value.field == "package"
    states = {s["sponsorship_id"]: s["state"] for s in app.sponsors(conference_id)["sponsorships"]}
    assert (states[second], states[third]) == ("signed", "negotiating")
    assert app.repository.get(slots_id(conference_id, "Gold")).taken == 2
    assert event_types(app).count("SponsorSigned") == 2
    slot_events = [
        split_qualname(app.to_domain_event(n))
        for n in app.select_notifications(1, 1000)
        if "PackageSlot" in n.topic
    ]  # published as the one aggregate they are: a first signing's and a later one's
    assert slot_events == [("PackageSlots", "PackageSlotTaken")] * 2


def test_a_signing_that_lost_a_race_to_a_slot_still_left_signs_on_retry(app, conference_id):
    first, second = (negotiating(app, conference_id, f"S{i}") for i in range(2))
    raced = racing(app, first)
    assert sign(app, second)["state"] == "signed" and raced == [first]
    [gold] = app.packages(conference_id)["packages"]
    assert (gold["signed"], gold["left"]) == (2, 0)
    assert app.repository.get(slots_id(conference_id, "Gold")).taken == 2


def test_a_cancellation_gives_its_slot_back(app, conference_id):
    first, second, third = (negotiating(app, conference_id, f"S{i}") for i in range(3))
    sign(app, first)
    sign(app, second)
    app.cancel_sponsorship(first, c.CancelSponsorship("went with a rival"), ORGANIZER)
    assert app.repository.get(slots_id(conference_id, "Gold")).taken == 1
    assert "PackageSlotReleased" in event_types(app)
    assert sign(app, third)["state"] == "signed"


def test_slots_signed_before_they_were_kept_count_when_first_kept():
    made = PackageSlots.first("conf", "Gold", str(uuid.uuid4()), slots=3, signed=2, meta={})
    assert made.taken == 3
    with pytest.raises(SoldOut):
        made.take(str(uuid.uuid4()), 3, {})
    with pytest.raises(SoldOut):
        PackageSlots.first("conf", "Gold", str(uuid.uuid4()), slots=2, signed=2, meta={})
