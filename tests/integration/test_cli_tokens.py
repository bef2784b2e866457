"""`huiwu token` against a real token table and real services: the first admin is made on
the host while none exists, kept in a 0600 file; admins make, list and revoke the rest;
the command line reads HUIWU_TOKEN or that file."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

from tests.support.system import ROOT, System, wait_until


def huiwu(system: System, home, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in system.env().items() if k != "HUIWU_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**clean, "XDG_CONFIG_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_first_admin_then_the_others(sqlite_system, tmp_path):
    system = sqlite_system.start("checklist", "vendors")
    home = tmp_path / "config"

    # Nobody is signed in yet: the command line says how to be.
    refused = huiwu(system, home, "conference", "show", "x")
    assert refused.returncode == 1
    assert "not signed in" in refused.stderr

    made = huiwu(system, home, "token", "create", "--bootstrap", "--name", "ops")
    assert made.returncode == 0, made
    kept = home / "huiwu" / "token"
    assert str(kept) in made.stdout
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    token = kept.read_text().strip()
    assert token not in made.stdout + made.stderr  # kept, not shown

    again = huiwu(system, home, "token", "create", "--bootstrap", "--name", "mallory")
    assert again.returncode == 1
    assert "an admin token exists already" in again.stderr

    # The file's token is the command line's: it makes an organizer's token of one conference.
    conference = json.loads(
        huiwu(
            system,
            home,
            "--json",
            "conference",
            "open",
            "--name",
            "Forum",
            "--city",
            "Hangzhou",
            "--start",
            "2027-05-12",
            "--end",
            "2027-05-14",
            "--attendance",
            "50",
            "--profile",
            "business",
            "--exclude",
            "2",
            "--exclude",
            "3",
        ).stdout
    )["conference_id"]
    no_conference = huiwu(system, home, "token", "create", "--name", "wang", "--role", "organizer")
    assert no_conference.returncode == 2
    assert "--conference" in no_conference.stderr
    made = huiwu(
        system,
        home,
        "--json",
        "token",
        "create",
        "--name",
        "wang",
        "--role",
        "organizer",
        "--conference",
        conference,
        "--expires",
        "30d",
    )
    assert made.returncode == 0, made
    organizer = json.loads(made.stdout)
    assert organizer["role"] == "organizer" and organizer["expires_at"]

    shown = huiwu(system, home, "conference", "show", conference, HUIWU_TOKEN=organizer["token"])
    assert shown.returncode == 0, shown
    # An organizer makes no tokens.
    denied = huiwu(system, home, "token", "list", HUIWU_TOKEN=organizer["token"])
    assert denied.returncode == 2
    assert "needs an admin" in denied.stderr

    listed = json.loads(huiwu(system, home, "--json", "token", "list").stdout)
    assert {(t["name"], t["role"], t["state"]) for t in listed} == {
        ("ops", "admin", "active"),
        ("wang", "organizer", "active"),
    }
    assert all("token" not in t and "token_hash" not in t for t in listed)

    revoked = huiwu(system, home, "token", "revoke", organizer["token_id"])
    assert revoked.returncode == 0, revoked

    def refused_now():
        answer = huiwu(
            system, home, "conference", "show", conference, HUIWU_TOKEN=organizer["token"]
        )
        return answer.returncode == 1 and "revoked" in answer.stderr

    wait_until(refused_now, timeout=10)


def test_a_token_file_others_can_read_is_not_used(sqlite_system, tmp_path):
    system = sqlite_system
    home = tmp_path / "config"
    (home / "huiwu").mkdir(parents=True)
    kept = home / "huiwu" / "token"
    kept.write_text("hw_0123456789ab_" + "x" * 43)
    kept.chmod(0o644)

    answer = huiwu(system, home, "status")

    assert answer.returncode == 1
    assert "chmod 600" in answer.stderr
