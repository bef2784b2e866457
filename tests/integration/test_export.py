"""Export for auditors: the trail filtered and streamed as JSON Lines and CSV, each event
with its chain links, checked offline by the documented script; a changed line is named."""

from __future__ import annotations

import json
import urllib.parse

from examples import verify_export
from tests.support.slice import ok, signed_venue_contract, wait_for_status
from tests.support.system import wait_until


def test_an_export_checks_offline_and_a_changed_line_is_named(system, tmp_path, capsys):
    system.start("checklist", "vendors", "reporting")
    reporting = system["reporting"]
    conference_id, contract_id = signed_venue_contract(system)
    wait_for_status(system, conference_id, "1.3.5", "verified")

    def stored():
        return sum(
            int(system[name].metric("huiwu_events_stored", service=name))
            for name in ("checklist", "vendors")
        )

    def trail():
        return ok(reporting.get("/audit?limit=10000"))["events"]

    held = wait_until(lambda: (t := trail()) and len(t) == stored() and t)  # all copied
    auditor = {"as_": None, "token": system.token("audrey", "auditor")}

    def export(**query):
        answer = reporting.get(f"/audit/export?{urllib.parse.urlencode(query)}", **auditor)
        assert answer.status == 200, answer
        return answer

    everything = export()
    assert everything.content_type.startswith("application/x-ndjson")
    lines = everything.raw.decode().splitlines()
    events = [json.loads(line) for line in lines]
    exported = {(e["service"], e["notification_id"]) for e in events}
    assert exported >= {(e["service"], e["notification_id"]) for e in held}  # and any since
    assert len(exported) == len(events)
    assert [(e["service"], e["notification_id"]) for e in events] == sorted(
        (e["service"], e["notification_id"]) for e in events
    )
    whole = tmp_path / "audit-trail.jsonl"
    whole.write_bytes(everything.raw)
    assert verify_export.main(str(whole)) == 0
    table = tmp_path / "audit-trail.csv"
    table.write_bytes(export(format="csv").raw)
    assert verify_export.main(str(table)) == 0
    assert f"{len(lines)} events checked, 0 wrong" in capsys.readouterr().out

    vendors = [e for e in events if e["service"] == "vendors"]
    drafted, signed = vendors[1], vendors[2]
    one = [
        json.loads(x)
        for x in export(service="vendors", event_type="ContractSigned").raw.splitlines()
    ]
    assert [e["event_id"] for e in one] == [signed["event_id"]]
    assert one[0]["previous_link"] == drafted["chain_link"]  # checkable on its own
    window = export(
        service="vendors", **{"from": drafted["occurred_at"], "to": signed["occurred_at"]}
    )
    assert [json.loads(x)["event_id"] for x in window.raw.splitlines()] == [drafted["event_id"]]

    changed = [
        json.dumps({**e, "actor": "mallory"}) if e["event_id"] == signed["event_id"] else line
        for e, line in zip(events, lines, strict=True)
    ]
    whole.write_text("\n".join(changed) + "\n")
    assert verify_export.main(str(whole)) == 1
    assert "vendors #3: its fields do not give its link (changed)" in capsys.readouterr().out

    assert reporting.get("/audit/export?format=xml", **auditor).status == 400
    assert reporting.get("/audit/export?from=yesterday", **auditor).status == 400
    organizer = system.token("li", "organizer", conference_id)
    assert reporting.get("/audit/export", as_=None, token=organizer).status == 403
