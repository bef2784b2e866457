"""Check an audit trail export offline: python verify_export.py audit-trail.jsonl

Needs nothing but Python. Each event carries `chain_link`, the link of its service's hash
chain at it, and `previous_link`, the link before it. The link is

    sha256(previous_link + "\\n" + digest)
    digest = sha256(b"huiwu-chain-v1\\n" + the event's fields below as JSON: keys sorted,
                    no spaces, UTF-8)

so an event changed after it was recorded no longer matches its link; and where two
events of one service follow each other in the export, the second's previous_link must
be the first's chain_link (an export without filters holds every event). Exit 0 when all
holds, 1 naming each event that does not. The same links are in each service's store:
`huiwu audit verify` checks those (docs/audit.md).
"""

import csv
import hashlib
import json
import sys

FIELDS = (
    "event_id", "event_type", "service", "notification_id", "aggregate_type",
    "aggregate_id", "aggregate_version", "conference_id", "occurred_at", "actor",
    "correlation_id", "causation_id", "schema_version", "payload", "on_behalf_of",
)  # fmt: skip
INTEGERS = ("notification_id", "aggregate_version", "schema_version")


def events(path):
    with open(path, encoding="utf-8", newline="") as file:
        if path.endswith(".csv"):
            for row in csv.DictReader(file):
                row = {k: (v if v != "" else None) for k, v in row.items()}
                row["payload"] = json.loads(row["payload"])
                for key in INTEGERS:
                    row[key] = int(row[key]) if row[key] is not None else None
                yield row
        else:
            for line in file:
                yield json.loads(line)


def link_of(event):
    fields = {name: event.get(name) for name in FIELDS}
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(b"huiwu-chain-v1\n" + text.encode()).hexdigest()
    return hashlib.sha256(f"{event['previous_link']}\n{digest}".encode()).hexdigest()


def main(path):
    checked, wrong, last = 0, [], {}
    for event in events(path):
        checked += 1
        where = f"{event['service']} #{event['notification_id']}"
        if link_of(event) != event["chain_link"]:
            wrong.append(f"{where}: its fields do not give its link (changed)")
        before = last.get(event["service"])
        if before is not None and before[1] == event["previous_link"]:
            pass  # follows the last exported event of its service
        elif before is not None and before[0] == event["notification_id"] - 1:
            wrong.append(f"{where}: previous_link is not the link of #{before[0]}")
        last[event["service"]] = (event["notification_id"], event["chain_link"])
    for line in wrong:
        print(line)
    print(f"{checked} events checked, {len(wrong)} wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
