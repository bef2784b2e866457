"""Broker permissions from the registry: each service writes only its own exchange (and the
dead letters and RPC), reads only its own queues; the auditor only calls RPC."""

import re

from services.common.broker_access import (
    definitions,
    log_readers,
    password_hash,
    service_permissions,
)
from services.common.registry import load

REGISTRY = load()


def allowed(pattern, name):
    return re.fullmatch(pattern, name) is not None


def test_a_service_writes_only_its_own_exchange_the_dead_letters_and_rpc():
    vendors = service_permissions(REGISTRY, "vendors")

    assert vendors.user == "huiwu-vendors"
    for name in ("vendors.events", "vendors.doorbell", "huiwu.dead-letters", "nameko-rpc"):
        assert allowed(vendors.write, name)
    for name in (
        "checklist.events",
        "checklist.doorbell",
        "registration.events",
        "amq.default",
        "amq.topic",
    ):
        assert not allowed(vendors.write, name), name


def test_a_service_reads_its_own_queues_and_the_upstream_exchanges_it_binds_to():
    vendors = service_permissions(REGISTRY, "vendors")

    for name in (
        "vendors.checklist-events",
        "vendors.dead-letters",
        "rpc-vendors",
        "rpc.reply-huiwu-vendors-0f9e",
        "checklist.doorbell",
        "checklist.events",  # only to take a binding made before doorbells away
    ):
        assert allowed(vendors.read, name), name
    for name in (
        "checklist.vendors-events",
        "reporting.vendors-events",
        "checklist.dead-letters",
        "rpc-checklist",
        "rpc.reply-huiwu-checklist-0f9e",
        "budget.events",
        "budget.doorbell",
        "rpc.reply-huiwu-vendorsx",
    ):
        assert not allowed(vendors.read, name), name


def test_the_log_answers_its_followers_and_the_auditor_only():
    assert log_readers(REGISTRY, "vendors") == {
        "huiwu-checklist",
        "huiwu-budget",
        "huiwu-reporting",
        "huiwu-auditor",
    }
    assert log_readers(REGISTRY, "reporting") == {"huiwu-auditor"}


def test_definitions_hold_every_user_with_a_hash_of_its_password():
    document = definitions(REGISTRY, "/", lambda name: f"pw-{name}")

    users = {user["name"]: user for user in document["users"]}
    assert set(users) == {f"huiwu-{name}" for name in (*REGISTRY.names, "auditor")}
    assert all(user["tags"] == [] for user in users.values())  # none may impersonate
    salt = bytes(4)
    assert password_hash("pw-vendors", salt) == password_hash("pw-vendors", salt)
    assert len(document["permissions"]) == len(users)
    assert {p["vhost"] for p in document["permissions"]} == {"/"}
