"""Contracts apart from domains: a subscriber can import a service's contract alone, and a
service loads no other service's domain."""

import json
import subprocess
import sys

import pytest

from services.common.registry import load
from tests.support.system import ROOT

SERVICES = load().names


def modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after running `statement`."""
    code = f"{statement}; import json, sys; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("service", SERVICES)
def test_a_contract_module_loads_no_domain_template_yaml_or_other_service(service):
    loaded = modules_after(f"import services.{service}.events")

    ours = {m for m in loaded if m.startswith("services.")}
    contract = f"services.{service}.events"
    assert contract in ours
    # the contract may be a package: its own modules are part of it
    assert ours <= {f"services.{service}", contract} | {
        m for m in ours if m.startswith((f"{contract}.", "services.common."))
    } | {"services.common"}, sorted(ours)
    assert not {m for m in ours if m.startswith("services.common.")} - {
        "services.common.catalog",
        "services.common.fapiao",
        "services.common.fields",
        "services.common.planned",
    }
    assert "yaml" not in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("eventsourcing", "nameko")}


def test_vendors_loads_checklist_contract_only_not_its_domain_or_template():
    loaded = modules_after(
        "import services.vendors.service, services.vendors.bootstrap; "
        "from services.common.registry import load; load().catalogs(['checklist'])"
    )

    assert "services.checklist.events" in loaded  # (yaml is loaded, by nameko itself)
    assert {m for m in loaded if m.startswith("services.checklist")} == {
        "services.checklist",
        "services.checklist.events",
    }
    for other in ("registration", "budget", "speakers", "reporting"):
        assert not {m for m in loaded if m.startswith(f"services.{other}")}


def test_the_command_line_loads_contracts_not_domains():
    loaded = modules_after("import huiwu.cli")

    assert not {m for m in loaded if m.endswith((".domain", ".template", ".application"))}
    assert "yaml" not in loaded and "eventsourcing" not in loaded
