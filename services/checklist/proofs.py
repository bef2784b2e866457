"""Named proofs: what an entry says proves it, and whether evidence given by hand is one.
Pure: no I/O.

A template names each proof of an entry (`{proof: signed_venue_contract, kind: document,
zh: ..., en: ...}`). A small or older plan may give only a kind of record (`document`);
such a proof is named by its kind. Evidence recorded by hand says which named proof it is.
A record that is none of them is accepted only with a reason, and the entry is flagged
until that proof is withdrawn, so a reader sees the plan was closed on something else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.common.errors import InvalidCommand

OFF_LIST = "unnamed_proof"
"""The flag of an entry verified by hand with a record that is not one of its proofs."""


def named_proofs(verification: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The entry's proofs as {proof, kind, zh?, en?}; a bare kind is named by its kind."""
    named = []
    for item in (verification or {}).get("evidence") or []:
        if isinstance(item, str):
            named.append({"proof": item, "kind": item})
        else:
            named.append(dict(item))
    return named


def proof_text(proof: Mapping[str, Any], zh: bool = False) -> str:
    """A proof as a reader sees it: its name in the language asked, else its kind."""
    return proof.get("zh" if zh else "en") or proof.get("en") or proof["kind"]


def match_evidence(
    verification: Mapping[str, Any] | None,
    records: Sequence[Mapping[str, Any]],
    reason: str | None,
    code: str,
) -> tuple[list[dict[str, Any]], bool]:
    """Each record with the named proof it is (`proof`, its `kind`), and whether any is
    not one of them (then `reason` is required). Refuses what cannot be matched."""
    named = {p["proof"]: p for p in named_proofs(verification)}
    by_kind_only = all(p["proof"] == p["kind"] for p in named.values())
    matched, off_list = [], False
    for index, record in enumerate(records):
        record = dict(record)
        key, kind = record.get("proof"), record.get("kind")
        where = f"evidence[{index}]"
        if key is not None:
            if key not in named:
                raise InvalidCommand(
                    f"entry {code} names no proof {key!r}; its proofs are: {_listing(named)}. "
                    "For another record, leave out `proof` and give a reason",
                    field=f"{where}.proof",
                )
            if kind is not None and kind != named[key]["kind"]:
                raise InvalidCommand(
                    f"proof {key!r} of entry {code} is a {named[key]['kind']}, not a {kind}",
                    field=f"{where}.kind",
                )
            record["kind"] = named[key]["kind"]
        elif kind is None:
            raise InvalidCommand("say which named proof this is, or its kind", field=where)
        elif by_kind_only and kind in named:
            record["proof"] = kind  # a plan that names kinds only: the kind is the proof
        else:
            off_list = True
        matched.append(record)
    if off_list and not (reason and reason.strip()):
        raise InvalidCommand(
            f"a record that is not one of the proofs entry {code} names is accepted only "
            f"with a reason; its proofs are: {_listing(named)}",
            field="reason",
        )
    return matched, off_list


def flags(proofs: Sequence[Mapping[str, Any]]) -> list[str]:
    """Flags of an entry from the proofs that verify it now."""
    return [OFF_LIST] if any(p.get("off_list") for p in proofs) else []


def _listing(named: Mapping[str, Mapping[str, Any]]) -> str:
    return "; ".join(f"{key} ({proof_text(p)})" for key, p in named.items()) or "none"
