"""A page of an upstream's log taken in one transaction by a service that records events
in reaction (ProcessSink.apply_page): the same events as one by one, one tracking record,
and nothing at all when any part of the page fails."""

import threading
import uuid

import pytest
from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError

from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.checklist.domain import entry_id
from services.common.domain import CommandContext
from services.common.sinks import ProcessSink
from services.vendors.events import CATALOG as VENDORS
from tests.unit.checklist_plans import POPO, checklist, opening
from tests.unit.test_checklist_policy import cancelled, signed

FIRST, SECOND, THIRD = (str(uuid.UUID(int=n)) for n in (1, 2, 3))


def stream(conference_id):
    """Contracts signed and cancelled: entries verified, re-opened, verified again."""
    return [
        signed(conference_id, 1, contract=FIRST),
        signed(conference_id, 2, category="catering", contract=SECOND),
        cancelled(conference_id, 3, contract=FIRST),
        signed(conference_id, 4, contract=THIRD),
        cancelled(conference_id, 5, contract=SECOND),
    ]


def loaded(env):
    return env, VENDORS.load_incoming(env.event_type, env.payload)


def opened(template="conference"):
    app = checklist(template)
    conference = app.open_conference(opening(), CommandContext.new("li"))
    return app, str(conference.id)


def recorded(app, after):
    """The events recorded after notification `after`: type and entry, in order."""
    events = [app.mapper.to_domain_event(n) for n in app.select_notifications(after + 1, 10_000)]
    return [(type(e).__name__, e.originator_version) for e in events]


def statuses(app, conference_id):
    return {
        code: app.repository.get(entry_id(conference_id, code)).state.status
        for code in (e.code for e in app.template.entries)
    }


def entries_of(app, conference_id):
    """Each rule entry as it stands: status, members and those done."""
    states = {}
    for code in (e.code for e in app.template.entries if e.rule):
        entry = app.repository.get(entry_id(conference_id, code))
        states[code] = (entry.state.status, sorted(entry.members), sorted(set(entry.done)))
    return states


def test_a_page_ends_where_one_by_one_ends_in_fewer_events():
    single, single_conference = opened()
    paged, paged_conference = opened()
    single_start, paged_start = single.max_notification_id(), paged.max_notification_id()

    one_by_one = ProcessSink(single)
    for env in stream(single_conference):
        one_by_one.apply(*loaded(env))
    ProcessSink(paged).apply_page([loaded(env) for env in stream(paged_conference)])

    assert entries_of(paged, paged_conference) == entries_of(single, single_conference)
    assert statuses(paged, paged_conference) == statuses(single, single_conference)
    # the main vendors' count entry: one RuleMembersChanged for the page's five contracts
    assert len(recorded(paged, paged_start)) < len(recorded(single, single_start))
    assert ("RuleMembersChanged", 2) in recorded(paged, paged_start)
    assert ProcessSink(paged).position("vendors") == 5


def test_an_entry_changed_twice_in_a_page_is_changed_on_its_own_versions():
    app, conference_id = opened("starter")
    code = entry_id(conference_id, "1.3.5")
    before = app.repository.get(code).version

    ProcessSink(app).apply_page([loaded(env) for env in stream(conference_id)[:4]])

    # verified, re-opened, verified again: three versions in one transaction
    assert app.repository.get(code).version == before + 3
    assert app.repository.get(code).state.status == "verified"


class FailsOnFourth(ChecklistApplication):
    """A policy with a bug that shows on the page's fourth event, after the first three
    changed their entries."""

    def page_policy(self, domain_events, processing_event):
        super().page_policy(domain_events[:3], processing_event)
        assert processing_event.events, "the first three events changed entries"
        if len(domain_events) > 3:
            raise RuntimeError("policy bug")


def test_a_page_that_fails_anywhere_records_nothing():
    app = FailsOnFourth(env=POPO, template=templates.load("conference"))
    conference_id = str(app.open_conference(opening(), CommandContext.new("li")).id)
    start = app.max_notification_id()
    sink = ProcessSink(app)

    with pytest.raises(RuntimeError, match="policy bug"):
        sink.apply_page([loaded(env) for env in stream(conference_id)])

    assert app.max_notification_id() == start
    assert sink.position("vendors") == 0
    assert set(statuses(app, conference_id).values()) == {"open"}


def test_a_page_behind_the_position_is_refused_and_records_nothing():
    app, conference_id = opened()
    sink = ProcessSink(app)
    page = [loaded(env) for env in stream(conference_id)]
    sink.apply_page(page[:3])
    stored = app.max_notification_id()

    with pytest.raises(IntegrityError):
        sink.apply_page(page[:2])

    assert app.max_notification_id() == stored
    assert sink.position("vendors") == 3


def test_a_page_is_seen_only_by_the_thread_taking_it():
    app, conference_id = opened("starter")
    code = entry_id(conference_id, "1.3.5")
    stored = app.repository.get(code).version
    collected, read_meanwhile, seen_by_taker = threading.Event(), threading.Event(), []

    def take_a_page():
        processing_event = ProcessingEvent()
        with app.repository.page(processing_event):
            entry = app.repository.get(code)
            entry.waive("by the page", "li", {"conference_id": conference_id})
            processing_event.collect_events(entry)
            collected.set()
            read_meanwhile.wait(10)
            seen_by_taker.append(app.repository.get(code).version)

    taker = threading.Thread(target=take_a_page)
    taker.start()
    assert collected.wait(10)
    other_reader = app.repository.get(code).version
    read_meanwhile.set()
    taker.join(10)

    assert other_reader == stored  # what is stored, not the page that may yet fail
    assert seen_by_taker == [stored + 1]
