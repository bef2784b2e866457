"""The hash chain over stored events (pure): links, and where and how a history breaks."""

import hashlib
import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common import chain
from services.common.chain import ChainCheck, compare_copies


def event(i, **changes):
    return {
        "event_id": str(uuid.UUID(int=i)),
        "event_type": "VendorAdded",
        "service": "vendors",
        "notification_id": i,
        "aggregate_type": "Vendor",
        "aggregate_id": str(uuid.UUID(int=1000 + i)),
        "aggregate_version": 1,
        "conference_id": "c",
        "occurred_at": f"2027-01-01T00:00:0{i % 10}+00:00",
        "actor": "li",
        "correlation_id": "r",
        "causation_id": None,
        "schema_version": 1,
        "payload": {"name": f"Hall {i}", "categories": ["venue"]},
        **changes,
    }


def records(n=5):
    return [event(i) for i in range(1, n + 1)]


def test_a_digest_is_of_the_envelope_as_canonical_json_and_documented_so():
    e = event(1, on_behalf_of="wang", chain_link="f" * 64)
    text = json.dumps(
        {k: e[k] for k in chain.FIELDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert chain.digest(e) == hashlib.sha256(b"huiwu-chain-v1\n" + text.encode()).hexdigest()
    assert chain.digest(e) == chain.digest({**e, "chain_link": None})  # not its own link
    assert chain.digest(event(1)) == chain.digest({**event(1), "on_behalf_of": None})


def test_a_link_covers_the_previous_link_and_the_whole_event():
    rs = records(2)
    (first, second) = chain.extend(chain.GENESIS, rs)
    assert first.link == chain.link(chain.GENESIS, chain.digest(rs[0]))
    assert second.link == hashlib.sha256(f"{first.link}\n{second.digest}".encode()).hexdigest()
    assert chain.digest({**rs[1], "actor": "mallory"}) != second.digest
    assert chain.digest({**rs[1], "notification_id": 3}) != second.digest  # its place too


def check(rs, links):
    checker = ChainCheck("vendors")
    checker.check(rs, links)
    return checker


def test_an_untouched_history_checks_page_by_page():
    rs = records(6)
    links = list(chain.extend(chain.GENESIS, rs))
    checker = ChainCheck("vendors")
    assert checker.check(rs[:3], links[:3]) is None
    assert checker.check(rs[3:], links[3:]) is None
    assert checker.checked == 6


def test_each_kind_of_edit_is_named_at_its_first_position():
    rs = records(5)
    links = list(chain.extend(chain.GENESIS, rs))
    changed = [*rs[:2], {**rs[2], "payload": {"name": "Hall X"}}, *rs[3:]]
    swapped = [rs[0], {**rs[2], "notification_id": 2}, {**rs[1], "notification_id": 3}, *rs[3:]]
    relinked = [*links[:2], chain.Link(3, links[2].digest, "f" * 64), *links[3:]]
    found = {
        "changed": check(changed, links).broken,
        "missing": check(rs[:1] + rs[2:], links).broken,
        "inserted": check([*rs, event(6)], links).broken,
        "reordered": check(swapped, links).broken,
        "relinked": check(rs, relinked).broken,
    }
    assert {k: (b.notification_id, b.kind) for k, b in found.items()} == {
        "changed": (3, "changed"),
        "missing": (2, "missing"),
        "inserted": (6, "inserted"),
        "reordered": (2, "reordered"),
        "relinked": (3, "changed"),
    }
    assert found["reordered"].describe() == (
        "vendors: #2 reordered: the event stored here was chained at #3"
    )


def test_a_chain_is_compared_with_a_copy_that_may_lag_behind():
    links = [(link.notification_id, link.link) for link in chain.extend(chain.GENESIS, records(4))]
    assert compare_copies("vendors", links, links[:3]) is None
    rewritten = [*links[:1], (2, "0" * 64), *links[2:]]
    broken = compare_copies("vendors", rewritten, links)
    assert (broken.notification_id, broken.kind) == (2, "changed")
    broken = compare_copies("vendors", links[:1] + links[2:], links)
    assert (broken.notification_id, broken.kind) == (2, "missing")


def json_canonical(record):
    """The definition: json's bytes, keys sorted, no spaces (examples/verify_export.py)."""
    fields = {name: record.get(name) for name in chain.FIELDS}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # past 64 bits too
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(payload=st.dictionaries(st.text(), _values, max_size=6), actor=st.text(min_size=1))
def test_the_canonical_bytes_are_json_s_whichever_encoder_wrote_them(payload, actor):
    record = event(1, payload=payload, actor=actor)
    assert chain.canonical(record) == json_canonical(record)


def test_floats_and_integers_past_64_bits_are_written_by_json():
    for payload in ({"ratio": 1e-05}, {"x": [{"y": 1e16}]}, {"big": 2**64}, {"neg": -(2**63) - 1}):
        record = event(1, payload=payload)
        assert chain.canonical(record) == json_canonical(record)
