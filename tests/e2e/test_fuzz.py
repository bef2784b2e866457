"""Property-based requests to every operation of every service, made from the OpenAPI
description each running service serves: valid input and invalid input (schemathesis),
with ids of things that exist as well as ids of nothing.

No answer may be a 5xx, and a refused request (4xx) may store nothing: the service's
notification log, read from its store, is as long after it as before.
"""

from __future__ import annotations

from collections import Counter

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    draft_contract,
    ok,
    open_conference,
)
from tests.support.stores import OpenStores
from tests.support.system import wait_settled, wait_until

EXAMPLES = 20  # per operation: a minute or two for all services on one store, on 2 cores
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same requests on every run
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),  # report the first failure as it was
    suppress_health_check=list(HealthCheck),
)


def known_ids(system) -> dict[str, str]:
    """Ids of things that exist, so that requests reach the domain: in the path, and in
    a body field of that name."""
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)
    checklist = system["checklist"]
    plan = ok(checklist.get(f"/conferences/{conference_id}/plan"))
    member = {"name": "Li Na", "roles": ["venue"], "actor": "wang"}
    member = ok(checklist.post(f"/conferences/{conference_id}/team", member), 201)
    return {
        "conference_id": conference_id,
        "vendor_id": vendor_id,
        "contract_id": contract_id,
        "code": plan["entries"][0]["code"],
        "member_id": member["member_id"],
    }


def settle(system, stores: OpenStores) -> None:
    """Wait until every follower has consumed every upstream's log: from then on, a
    service's log grows only by the requests sent to it (what budget records from
    vendors' events, checklist follows in turn: all of it applied)."""
    wait_settled(system)
    for name in system.services:
        for upstream in system[name].upstreams:
            wait_until(
                lambda n=name, u=upstream: (
                    stores.tracking_position(n, u) >= stores.log_length(u)
                    or (stores.tracking_position(n, u), stores.log_length(u))
                ),
                timeout=60,
            )


def commanded_since(stores: OpenStores, service: str, position: int) -> int:
    """Events stored past `position` by a command: not those a policy recorded meanwhile
    from an upstream event (each names that event as its cause). A conference opened in
    checklist has budget open its ledger, which checklist's plan follows in turn."""
    app = stores.app(service)
    return sum(
        1
        for n in app.select_notifications(position + 1, 10_000)
        if not (getattr(app.to_domain_event(n), "meta", None) or {}).get("causation_id")
    )


def with_known_ids(case, ids: dict[str, str]):
    if isinstance(case.body, dict):
        case.body.update({key: ids[key] for key in case.body.keys() & ids.keys()})
    return case


# Path parameters as any text a URL can carry (control characters too): the description
# rules some of it out, and the service must refuse it, not fail on it.
ANY_PATH_TEXT = st.one_of(
    st.sampled_from(["\x00", "1.3.5\x00", "\x7f", "%", "..", " ", "\u202e", "x" * 2000]),
    st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1),
)


def strategy(operation, ids: dict[str, str]):
    """Valid and invalid requests; valid ones also with the ids of things that exist, or
    with any text in the path."""
    names = {p.name for p in operation.path_parameters}
    takes_input = bool(names or operation.query or operation.body)
    choices = [operation.as_strategy(GenerationMode.POSITIVE)]
    if names <= ids.keys() and takes_input:
        known = {name: ids[name] for name in names}
        positive = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known)
        choices.append(positive.map(lambda case: with_known_ids(case, ids)))
        choices.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=known))
    if names:
        any_path = st.fixed_dictionaries({name: ANY_PATH_TEXT for name in names})
        choices.append(
            any_path.flatmap(
                lambda path: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path)
            )
        )
    if takes_input:
        choices.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(*choices)


def fuzz_operation(service, operation, ids, stores: OpenStores, answered: Counter) -> None:
    @SETTINGS
    @given(case=strategy(operation, ids))
    def request(case):
        before = stores.log_length(service.name)
        response = case.call(base_url=service.url, headers=service.headers, timeout=30)
        answered[service.name, case.method, response.status_code // 100] += 1
        said = f"{case.as_curl_command()}\n-> {response.status_code} {response.content[:500]!r}"
        assert response.status_code < 500, said
        if response.status_code >= 400:
            stored = commanded_since(stores, service.name, before)
            assert stored == 0, f"a refused request stored {stored} event(s):\n{said}"

    request()


def test_no_request_gets_a_5xx_and_a_refused_one_stores_nothing(system):
    system.start(*system.registry.names)
    stores = OpenStores(system)
    try:
        ids = known_ids(system)
        failures: list[str] = []
        answered: Counter = Counter()
        for name in system.registry.names:
            service = system[name]
            described = service.get("/openapi.json")
            assert described.status == 200, described
            schema = schemathesis.openapi.from_dict(described.json)
            settle(system, stores)
            for result in schema.get_all_operations():
                operation = result.ok()
                try:
                    fuzz_operation(service, operation, ids, stores, answered)
                except Exception as exc:  # noqa: BLE001 - every operation is tried, all told
                    failures.append(f"{name} {operation.label}: {type(exc).__name__}: {exc}")
        assert not failures, "\n\n".join(failures)
        # Both checks had something to check: commands were taken and commands refused.
        for name in ("checklist", "vendors", "reporting"):
            assert answered[name, "POST", 2] and answered[name, "POST", 4], answered
    finally:
        stores.close()
