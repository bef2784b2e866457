"""The benchmarks still run: bench.backbone, bench.attendee_import, bench.checklist,
bench.plan_read and bench.audit_rebuild end to end at a tiny size, so they cannot rot.

The figures of so small a run mean nothing; what is checked is that the benchmark
completes, accounts for every event the services stored, and reports sane numbers.
"""

from __future__ import annotations

import json
import math

import pytest

from bench import attendee_import, audit_rebuild, backbone, checklist, plan_read

EVENTS = 4


@pytest.mark.timeout(240)
def test_backbone_runs_at_a_tiny_size_on_sqlite(tmp_path, capsys):
    output = tmp_path / "backbone.json"
    argv = [
        "--store", "sqlite",
        "--events", str(EVENTS),
        "--samples", "2",
        "--conferences", "1",
        "--clients", "2",
        "--rounds", "1",
        "--batch", "2",
        "--output", str(output),
        "--workdir", str(tmp_path),
    ]  # fmt: skip

    assert backbone.main(argv) == 0

    printed = capsys.readouterr().out
    assert "throughput, sign -> consumed by all (events/s)" in printed
    assert "latency sign -> 1.3.5 verified, p50 (ms)" in printed
    result = json.loads(output.read_text())
    huiwu, baseline = result["huiwu"], result["baseline"]

    # Throughput, and its ratios to the baselines of the same run.
    throughput = huiwu["throughput"]
    for phase in ("draft", "sign"):
        assert throughput[phase]["commands"] == EVENTS
        assert throughput[phase]["events_per_second"] > 0
    assert set(result["ratios"]) == {
        "throughput_vs_amqp_confirm_each",
        "throughput_vs_amqp_confirm_per_batch",
        "throughput_vs_sqlite_writes",
        "latency_p50_vs_amqp_p50",
        "latency_p99_vs_amqp_p99",
    }
    for name, value in result["ratios"].items():
        assert math.isfinite(value) and value > 0, name
    assert baseline["amqp"]["confirm_each"]["messages_per_second"] > 0
    assert baseline["amqp"]["confirm_per_batch"]["messages_per_second"] > 0
    assert baseline["sqlite"]["writes_per_second"] > 0

    # Every event stored in a phase was applied by every consumer that follows its service.
    for phase in ("draft", "sign"):
        figures = throughput[phase]
        stored = figures["events_stored"]
        assert stored.get("vendors", 0) >= EVENTS  # a ContractDrafted / ContractSigned each
        by_flow = figures["deliveries_by_flow"]
        assert {"checklist<-vendors", "reporting<-vendors", "reporting<-checklist"} <= set(by_flow)
        for flow, applied in by_flow.items():
            assert applied == stored.get(flow.split("<-")[1], 0), (phase, flow, figures)
        assert figures["deliveries_processed"] == figures["deliveries_expected"] > 0
    assert throughput["sign"]["events_stored"].get("checklist", 0) >= 1  # 1.3.5, at least

    # The audit trail holds exactly what vendors and checklist stored, and nothing failed.
    stored = huiwu["events_stored"]
    assert huiwu["audit_trail_by_service"] == {s: stored[s] for s in ("checklist", "vendors")}
    assert huiwu["audit_trail_events"] == stored["checklist"] + stored["vendors"]
    for flow, outcomes in huiwu["consumer_outcomes"].items():
        assert outcomes.get("dead_lettered", 0) == outcomes.get("malformed", 0) == 0, flow

    # Latency, split into its legs.
    latency = huiwu["latency"]
    assert latency["samples"] == 2
    assert latency["sign_to_verified_seen"]["p50_ms"] > 0
    for leg, figures in latency["legs"].items():
        assert figures["samples"] == 2 and math.isfinite(figures["p50_ms"]), leg
    assert latency["legs"]["command_sent_to_EntryVerified_created"]["p50_ms"] > 0

    # The run cleaned up after itself: only the JSON is left in tmp_path.
    assert [p.name for p in tmp_path.iterdir()] == [output.name]


def _finite_positive(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


@pytest.mark.timeout(120)
def test_checklist_runs_at_a_tiny_size_on_sqlite(tmp_path, capsys):
    output = tmp_path / "checklist.json"
    argv = [
        "--store", "sqlite",
        "--conferences", "1",
        "--events", "20",
        "--reads", "1",
        "--rounds", "1",
        "--output", str(output),
        "--workdir", str(tmp_path),
    ]  # fmt: skip

    assert checklist.main(argv) == 0

    printed = capsys.readouterr().out
    assert "open full / one-rule" in printed
    result = json.loads(output.read_text())

    # Opening, projecting and reading plans, through the plan read model.
    entries = {"full": 389, "starter": 6, "one-rule": 1}
    for name, count in entries.items():
        opened, read = result["open"][name], result["plan_read"][name]
        assert opened["entries"] == read["entries"] == count, name
        for figures in (opened["open"], opened["project"], read["read"], read["entry_read"]):
            assert _finite_positive(figures["p50_ms"]), (name, figures)
    assert result["plan_read_after_streams"]["full"]["entries"] == 389
    assert result["statistics"]["entries"] == 389 * 3  # the warm-up plans and the measured one
    assert result["overdue"]["flagged"] > 0
    assert result["overdue"]["statistics_after"]["overdue"] == result["overdue"]["flagged"]

    # Rule matching: every stream went through the full application and its baseline.
    streams = result["matching"]["streams"]
    assert len(streams) == 7
    for name, stream in streams.items():
        assert stream["full"]["events"] == stream[stream["baseline"]]["events"] > 0, name
        assert stream["full"]["events_per_second"] > 0, name
    # 1.3.5, 17.1.5 and the nine for-all rules over every signed contract (conference.yaml)
    assert streams["venue contracts"]["full"]["entries_concerned_per_event"] == 11
    assert streams["venue contracts"]["one-rule"]["entries_concerned_per_event"] == 1
    assert streams["venue contracts"]["full"]["project"]["events"] > 0

    ratios = result["ratios"]
    for name in (
        "open_full_over_one_rule",
        "project_full_over_one_rule",
        "read_full_over_one_rule",
    ):
        assert _finite_positive(ratios[name]), name
    for group in ("matching_full_over_baseline", "matching_full_over_baseline_p50"):
        for name, value in ratios[group].items():
            assert _finite_positive(value), (group, name)
    for case, row in result["index"].items():
        assert _finite_positive(row["full_over_one_rule"]), case

    # The run cleaned up after itself: only the JSON is left in tmp_path.
    assert [p.name for p in tmp_path.iterdir()] == [output.name]


@pytest.mark.timeout(120)
def test_plan_read_runs_at_a_tiny_size_on_sqlite(tmp_path, capsys):
    output = tmp_path / "plan-read.json"
    argv = [
        "--store", "sqlite",
        "--reads", "20",
        "--warm-up", "2",
        "--samples", "2",
        "--opens", "1",
        "--output", str(output),
        "--workdir", str(tmp_path),
    ]  # fmt: skip

    assert plan_read.main(argv) == 0

    printed = capsys.readouterr().out
    assert "GET plan, full (389 entries) vs one-entry (1), p50" in printed
    result = json.loads(output.read_text())

    # The full plan answered its 389 entries, the one-entry plan 1.3.5 alone.
    reads = result["plan_read"]
    assert reads["full"]["entries"] == 389
    assert reads["one"]["entries"] == 1 and reads["one"]["codes"] == ["1.3.5"]
    assert reads["full"]["bytes"] > reads["one"]["bytes"]
    for name in ("full", "one"):
        figures = reads[name]["read"]
        assert figures["samples"] == 20
        assert 0 < figures["p50_ms"] <= figures["p90_ms"] <= figures["p99_ms"], name
    assert _finite_positive(reads["full_over_one_p50"])
    assert _finite_positive(reads["full_over_one_pairs"]["median"])

    # Opening: the first plan read after an open, and the write latency, with and without
    # a reader polling the full plan.
    assert result["open"]["entries"] == 389
    assert _finite_positive(result["open"]["first_plan_read"]["p50_ms"])
    drained = result["open"]["drain_after"]
    assert set(drained["relay_lag_when_consumers_done"]) == {"checklist", "vendors"}
    latency = result["latency"]
    for condition in ("polled", "idle"):
        seen = latency[condition]["sign_to_verified_seen"]
        assert seen["samples"] == 2 and _finite_positive(seen["p50_ms"]), condition
        assert _finite_positive(latency[condition]["sign_reply"]["p50_ms"]), condition
    assert latency["polled"]["poller"]["reads"] > 0

    assert set(result["ratios"]) == {
        "read_full_over_one_p50",
        "read_full_over_one_pairs_median",
        "first_read_after_open_over_full_read_p50",
        "latency_polled_over_idle_p50",
        "latency_polled_over_idle_p99",
    }
    for name, value in result["ratios"].items():
        assert _finite_positive(value), name
    assert set(result["targets"]) == {"full_over_one_p50", "full_p50_ms"}
    assert "service_problems" not in result, result.get("service_problems")

    # The run cleaned up after itself: only the JSON is left in tmp_path.
    assert [p.name for p in tmp_path.iterdir()] == [output.name]


@pytest.mark.timeout(240)
def test_audit_rebuild_runs_at_a_tiny_size_on_sqlite(tmp_path, capsys):
    output = tmp_path / "audit-rebuild.json"
    argv = ["--sizes", "500,900", "--output", str(output), "--workdir", str(tmp_path)]

    assert audit_rebuild.main(argv) == 0

    printed = capsys.readouterr().out
    assert "rebuild ev/s (ratio)" in printed
    result = json.loads(output.read_text())
    assert [run["size"] for run in result["runs"]] == [500, 900]
    for run in result["runs"]:
        written = run["history"]["events"]
        assert written >= run["size"]
        assert run["baseline"]["events"] == written  # every stored event read back
        # The rebuilt trail holds them all, read from the stores (every consumer started
        # at the logs' ends: nothing was added meanwhile); verify checked every one, and
        # every link of reporting's copy.
        events = run["rebuild"]["events"]
        assert events == written == sum(run["rebuild"]["from_stores"].values())
        assert run["rebuild"]["over_rpc"] == {}
        assert run["verify"]["events"] == run["verify"]["compared_with_reporting"] == events
        for value in (*run["ratios"].values(), run["rebuild"]["peak_memory_mib"]):
            assert math.isfinite(value) and value > 0
    assert result["runs"][1]["history"]["by_service"]["vendors"] > 0
    assert math.isfinite(result["memory_growth"]) and result["memory_growth"] > 0
    assert set(result["goals"]) == {
        "rebuild_vs_baseline",
        "verify_vs_baseline",
        "memory_growth",
    }


@pytest.mark.timeout(240)
def test_attendee_import_runs_at_a_tiny_size_on_sqlite(tmp_path, capsys):
    output = tmp_path / "attendee-import.json"
    argv = [
        "--attendees", "6",
        "--rounds", "1",
        "--batch", "2",
        "--output", str(output),
        "--workdir", str(tmp_path),
    ]  # fmt: skip

    assert attendee_import.main(argv) == 0

    assert "registration events, upload -> applied by all (/s)" in capsys.readouterr().out
    result = json.loads(output.read_text())
    huiwu = result["huiwu"]
    # every attendee's order and registration stored; half of them paid at import
    assert huiwu["paid"] == 3
    assert huiwu["ledger_income_minor"] == 3 * attendee_import.FEES[0]["price_minor"]
    assert huiwu["registration_events"] >= 6 * 4
    assert huiwu["events_stored"]["registration"] == huiwu["registration_events"]
    # every event was applied by every consumer that follows it, none lost or doubled
    assert huiwu["deliveries_processed"] == huiwu["deliveries_expected"] > 0
    for name, value in result["ratios"].items():
        assert math.isfinite(value) and value > 0, name
