"""Render the event catalogue that outside subscribers read: `python -m services.catalog_doc`.

It reads each service's contract (its `events.py`) through the registry. docs/events.md is
this output; a test keeps the two the same.
"""

from __future__ import annotations

import sys

from services.common.registry import load

ENVELOPE = """\
Every message is one JSON object (content type `application/json`, persistent), published
on the durable topic exchange `<service>.events` with the event type as routing key:

| field | meaning |
| --- | --- |
| `event_id` | UUID, stable for a stored event (the same after any rebuild) |
| `event_type` | e.g. `ContractSigned`; also the routing key |
| `service` | the publishing service |
| `notification_id` | position in that service's log, strictly increasing (see below) |
| `aggregate_type`, `aggregate_id`, `aggregate_version` | what changed; its version after |
| `conference_id` | the conference it belongs to |
| `occurred_at` | UTC, ISO 8601 with offset |
| `actor` | who gave the command: the holder of the token it was sent with |
| `on_behalf_of` | whom the actor acted for; only when they said so (optional) |
| `chain_link` | the service's hash chain at this event: sha256 hex (optional; docs/audit.md) |
| `correlation_id`, `causation_id` | the request it belongs to; the event that caused it (if any) |
| `schema_version` | version of the payload schema below |
| `payload` | the fields listed below |

In the tables below, a type followed by values takes only those values; `a[].b` is the
field `b` of each item of the list `a`, `a.b` the field `b` of the object `a`. Amounts
(`..._minor`) are integers in minor units (fen, cents) of the `currency` beside them, an
ISO 4217 code; a fapiao's are always CNY. Rates in basis points (`..._bp`): 600 = 6%.

Keep the highest `notification_id` you handled: a lower or equal one is a duplicate, a jump
is a gap to read from the service's log (RPC `<service>.notifications(start, limit)`).
Payloads only gain optional fields; a breaking change is a new event type or a new
`schema_version`. Read leniently: ignore fields you do not know.
"""


def render() -> str:
    lines = ["# Event catalogue", "", ENVELOPE]
    for catalog in load().catalogs():
        described = catalog.describe()
        lines += [f"## {catalog.service}", "", f"Exchange `{described['exchange']}`.", ""]
        if not described["events"]:
            lines += ["No events yet.", ""]
            continue
        for name, event in described["events"].items():
            planned = ", planned: not emitted yet" if event["planned"] else ""
            lines += [f"### {name} (schema version {event['schema_version']}{planned})", ""]
            if event["doc"]:
                lines += [event["doc"], ""]
            lines += ["| field | type | required |", "| --- | --- | --- |"]
            for field, info in _rows(event["fields"]):
                required = "yes" if info["required"] else "no"
                lines.append(f"| `{field}` | {_type(info)} | {required} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _rows(described: dict, prefix: str = ""):
    """Each field, then the fields of a part under it: `positions[].price_minor`."""
    for name, info in described.items():
        yield prefix + name, info
        part = info.get("items", info)
        if "fields" in part:
            below = f"{prefix}{name}[]." if "items" in info else f"{prefix}{name}."
            yield from _rows(part["fields"], below)


def _type(info: dict) -> str:
    text = info["type"]
    if "items" in info:
        text = f"List of {_type(info['items'])}"
    if info.get("nullable"):
        text += ", nullable"
    if "one_of" in info:
        text += ": " + ", ".join(f"`{value}`" for value in info["one_of"])
    return text


if __name__ == "__main__":
    sys.stdout.write(render())
