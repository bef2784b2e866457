"""Every event of a history written by the services' own code is described the same
straight from its stored JSON as by the mapper (the chain, verify and the rebuild from the
stores use the first way; the relay and the log RPC the second)."""

from __future__ import annotations

from bench.history import generate
from services.common.chained_store import notification
from services.common.config import Settings
from services.common.envelope import build_envelope
from services.reporting.fill_from_stores import _Reader
from services.reporting.verification import describer_of, open_store


def test_each_stored_event_of_a_history_is_described_alike_both_ways(tmp_path):
    settings = Settings.from_env({"HUIWU_DATA_DIR": str(tmp_path)})
    written = generate(settings, 700)

    for service, count in written.items():
        fields = describer_of(settings, service)
        db = open_store(settings, service)
        try:
            rows = _Reader(db, service).page(1, count)
        finally:
            db.close()
        assert len(rows) == count
        for row in rows:
            stored = notification(*row[:5])
            by_mapper = build_envelope(
                fields.mapper, service, settings.registry.catalog(service), stored
            )
            assert fields.row(*row[:5]) == by_mapper.to_dict()
            assert fields(stored) == by_mapper.to_dict()
