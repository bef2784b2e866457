"""Cost lines per speaker on the in-memory store: a variable sheet prices a line at
`per_speaker_minor` times the `speaker_count` it expects, shown in the sheet and in the
budget; an amount that is not that product, or a count missing, is refused naming the
field by the schema, by the event's contract and by the use case, and stores nothing; a
sheet stored before the count existed replays unchanged."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import StoredEvent
from marshmallow import ValidationError

from services.budget import commands as c
from services.budget import schemas as s
from services.budget.domain import CostSheet
from services.common.errors import InvalidCommand
from tests.unit.budget_support import (
    CATALOGS,
    ORGANIZER,
    Upstream,
    budget_app,
    deliver,
    line,
    views,
)

SPEAKERS = [
    {"line": "speakers", "amount_minor": 4_000_000, "per_speaker_minor": 100_000},
    {"line": "accommodation", "amount_minor": 2_400_000, "per_speaker_minor": 60_000},
]
CATERING = {"line": "catering", "amount_minor": 25_000_000, "per_head_minor": 50_000}


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def conference_id(app):
    conference_id = str(uuid.uuid4())
    deliver(app, Upstream(conference_id).conference_opened())
    return conference_id


def estimate(lines, speaker_count=40, behaviour="variable", headcount=500):
    return c.EstimateCosts(
        behaviour=behaviour,
        lines=tuple(lines),
        currency="CNY",
        headcount=headcount,
        speaker_count=speaker_count,
    )


def payload(**changes):
    body = {
        "scope": "conference",
        "behaviour": "variable",
        "headcount": 500,
        "speaker_count": 40,
        "lines": [CATERING, *SPEAKERS],
        "total_minor": 31_400_000,
        "currency": "CNY",
    }
    return {**body, **changes}


def test_a_sheet_prices_lines_per_speaker_beside_lines_per_head(app, conference_id):
    sheet = app.estimate_costs(conference_id, estimate([CATERING, *SPEAKERS]), ORGANIZER)

    answer = s.CostSheetAnswer().dump(sheet)
    assert answer["speaker_count"] == 40 and answer["headcount"] == 500
    assert answer["total_minor"] == 31_400_000
    assert [x.get("per_speaker_minor") for x in answer["lines"]] == [None, 100_000, 60_000]
    stored = [n for n in app.select_notifications(1, 100) if "CostsEstimated" in n.topic]
    published = app.mapper.transcoder.decode(stored[-1].state)
    CATALOGS["budget"].validate_outgoing("CostsEstimated", payload())
    assert published["speaker_count"] == 40


def test_an_amount_not_per_speaker_times_the_count_is_refused_and_stores_nothing(
    app, conference_id
):
    before = app.max_notification_id()
    wrong = {**SPEAKERS[0], "amount_minor": 4_000_001}
    with pytest.raises(InvalidCommand) as refused:
        app.estimate_costs(conference_id, estimate([wrong]), ORGANIZER)
    assert refused.value.field == "lines.0.amount_minor"
    assert "per_speaker_minor times speaker_count = 4000000" in refused.value.message
    with pytest.raises(InvalidCommand) as refused:
        app.estimate_costs(conference_id, estimate(SPEAKERS, speaker_count=None), ORGANIZER)
    assert refused.value.field == "speaker_count"
    with pytest.raises(InvalidCommand) as refused:
        app.estimate_costs(conference_id, estimate(SPEAKERS, behaviour="fixed"), ORGANIZER)
    assert refused.value.field == "lines" and "per speaker" in refused.value.message
    assert app.max_notification_id() == before


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"lines": [{**SPEAKERS[0], "amount_minor": 1}], "total_minor": 1},
         "lines", "per_speaker_minor times speaker_count = 4000000"),
        ({"speaker_count": None}, "speaker_count", "required to price costs per speaker"),
        ({"speaker_count": 0}, "speaker_count", ""),
        ({"behaviour": "fixed", "headcount": None, "lines": SPEAKERS, "total_minor": 6_400_000},
         "lines", "a fixed cost has no price per speaker"),
        ({"lines": [{**CATERING, "per_speaker_minor": 625_000}], "total_minor": 25_000_000},
         "lines", "per head or per speaker"),
    ],
)  # fmt: skip
def test_the_schema_and_the_contract_refuse_it_naming_the_field(changes, field, says):
    body = {k: v for k, v in payload(**changes).items() if v is not None}
    command = {k: v for k, v in body.items() if k != "total_minor"}
    with pytest.raises(ValidationError) as refused:
        s.EstimateCostsSchema().load(command)
    assert field in refused.value.messages and says in str(refused.value.messages)
    with pytest.raises(ValidationError) as refused:
        CATALOGS["budget"].validate_outgoing("CostsEstimated", body)
    assert field in refused.value.messages and says in str(refused.value.messages)


def test_a_sheet_stored_before_speaker_counts_replays_unchanged(app, conference_id):
    sheet = app.estimate_costs(conference_id, estimate([CATERING], None), ORGANIZER)
    [stored] = app.recorder.select_events(sheet.id)
    state = app.mapper.transcoder.decode(stored.state)
    assert "speaker_count" not in state  # no speakers: stored as before the field existed
    old = StoredEvent(
        stored.originator_id,
        stored.originator_version,
        stored.topic,
        app.mapper.transcoder.encode(state),
    )

    replayed = app.mapper.to_domain_event(old).mutate(None)

    assert isinstance(replayed, CostSheet)
    assert replayed.speaker_count is None and replayed.headcount == 500
    assert replayed.lines == [CATERING] and replayed.total_minor == 25_000_000
    old_payload = payload(lines=[CATERING], total_minor=25_000_000)
    del old_payload["speaker_count"]
    CATALOGS["budget"].validate_outgoing("CostsEstimated", old_payload)


def test_the_budget_shows_its_lines_priced_per_speaker(app, conference_id):
    per_speaker = line(
        "speakers",
        4_000_000,
        behaviour="variable",
        unit_minor=100_000,
        quantity=40,
        per="speaker",
    )
    app.set_budget(
        conference_id,
        c.SetBudget(lines=(line("venue", 30_000_000), per_speaker), currency="CNY"),
        ORGANIZER,
    )
    app.approve_budget(conference_id, c.ApproveBudget(approvers=("Chen Jing",)), ORGANIZER)

    shown = views(app).budget(conference_id)

    assert shown["per_speaker"] == [
        {
            "line": "speakers",
            "item": None,
            "income": False,
            "unit_minor": 100_000,
            "planned_quantity": 40,
            "planned_minor": 4_000_000,
        }
    ]
