"""Bad arguments exit with code 2 before any service is called, naming the field and why."""

from __future__ import annotations

import argparse

import pytest

from huiwu import cli
from services.common.registry import load
from tests.support.system import free_port

SERVICES = load().names  # every service of the registry

CONFERENCE = [
    "conference", "open",
    "--name", "Asia Pharma Forum 2027",
    "--start", "2027-05-12",
    "--end", "2027-05-14",
    "--city", "Hangzhou",
    "--attendance", "500",
    "--profile", "academic",
]  # fmt: skip

DRAFT = [
    "contract", "draft",
    "--conference", "c0ffee00-0000-4000-8000-000000000001",
    "--vendor", "c0ffee00-0000-4000-8000-000000000002",
    "--category", "venue",
    "--title", "Main hall",
]  # fmt: skip


@pytest.fixture(autouse=True)
def nothing_listens(monkeypatch):
    """Every service address is a closed port: reaching one would fail with exit 1."""
    for name in SERVICES:
        monkeypatch.setenv(f"HUIWU_PORT_{name.upper()}", str(free_port()))
    monkeypatch.delenv("HUIWU_DATABASE_URL", raising=False)


def without(args: list[str], option: str) -> list[str]:
    i = args.index(option)
    return args[:i] + args[i + 2 :]


def replaced(args: list[str], option: str, value: str) -> list[str]:
    i = args.index(option)
    return [*args[: i + 1], value, *args[i + 2 :]]


def run(capsys, argv: list[str]) -> tuple[int, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize(
    ("argv", "named", "why"),
    [
        (without(CONFERENCE, "--name"), "--name", "required"),
        (without(CONFERENCE, "--start"), "--start", "required"),
        (replaced(CONFERENCE, "--start", "2027-13-01"), "--start", "month must be in 1..12"),
        (replaced(CONFERENCE, "--start", "12/05/2027"), "--start", "YYYY-MM-DD"),
        (replaced(CONFERENCE, "--end", "2027-02-30"), "--end", "day is out of range"),
        (replaced(CONFERENCE, "--end", "2027-05-01"), "end", "before --start"),
        (replaced(CONFERENCE, "--profile", "gala"), "--profile", "invalid choice: 'gala'"),
        (replaced(CONFERENCE, "--attendance", "many"), "--attendance", "whole number"),
        (replaced(CONFERENCE, "--attendance", "0"), "--attendance", "from 1 to"),
        ([*CONFERENCE, "--timezone", "Mars/Base"], "--timezone", "unknown time zone"),
        (replaced(CONFERENCE, "--name", "  "), "--name", "blank"),
        ([*DRAFT, "--amount", "-120000.00"], "amount", "negative"),
        ([*DRAFT, "--amount=-1"], "amount", "negative"),
        ([*DRAFT, "--amount", "12万"], "amount", "decimal number"),
        ([*DRAFT, "--amount", "1.5e3"], "amount", "decimal number"),
        ([*DRAFT, "--amount", "1.001"], "amount", "decimal places"),
        ([*DRAFT, "--amount", "100.5", "--currency", "JPY"], "amount", "no decimal places"),
        ([*DRAFT, "--amount", "100", "--currency", "ZZZ"], "currency", "unsupported"),
        (DRAFT, "--amount", "required"),
        (replaced([*DRAFT, "--amount", "1"], "--category", "hall"), "--category", "invalid"),
        (["contract", "sign", "x", "--on", "tomorrow"], "--on", "YYYY-MM-DD"),
        (["contract", "cancel", "x"], "--reason", "required"),
        ([*DRAFT, "--amount", "1", "--scope", "gala"], "--scope", "themed_event"),
        (["vendor", "add", "--name", "Expo"], "--conference", "required"),
        (["checklist", "show", "c", "--status", "done"], "--status", "invalid choice"),
        (["audit", "show", "--limit", "0"], "--limit", "from 1 to 10000"),
        (["up", "--only", "vendors,payments"], "--only", "unknown service payments"),
        ([*CONFERENCE, "--setting", "main_vendors"], "--setting", "NAME=VALUE"),
        ([*CONFERENCE, "--setting", "main_vendors=many"], "--setting", "must be a number"),
        ([*CONFERENCE, "--setting", "main_vendors=nan"], "--setting", "finite number"),
        (
            [*CONFERENCE, "--setting", "main_vendors=4", "--setting", "main_vendors=5"],
            "--setting",
            "main_vendors is given twice",
        ),
        (["conference", "set", "c", "--reason", "board"], "--setting", "required"),
        (["conference", "set", "c", "--setting", "main_vendors=4"], "--reason", "required"),
        (["conference"], "ACTION", "required"),
        ([], "COMMAND", "required"),
    ],
)
def test_bad_argument_exits_2_and_names_the_field(capsys, argv, named, why):
    code, err = run(capsys, argv)
    assert code == 2, err
    assert named in err
    assert why in err
    assert "cannot reach" not in err  # refused before any call


def test_amount_error_is_reported_as_field_colon_reason(capsys):
    code, err = run(capsys, [*DRAFT, "--amount", "-5"])
    assert code == 2
    assert "error: amount: must not be negative, got '-5'" in err


def test_help_exits_0(capsys):
    assert cli.main(["--help"]) == 0
    assert "conference" in capsys.readouterr().out


def test_global_options_are_accepted_before_and_after_the_command():
    parser = cli.build_parser()
    before = parser.parse_args(["--json", "--for", "li", "audit", "show"])
    after = parser.parse_args(["audit", "show", "--json", "--for", "li"])
    neither = parser.parse_args(["audit", "show"])
    assert (before.json, before.on_behalf_of) == (after.json, after.on_behalf_of) == (True, "li")
    assert (bool(neither.json), neither.on_behalf_of) == (False, None)


def test_service_lists_are_checked_against_the_services_given():
    parse = cli.service_list(("alpha", "beta"))

    assert parse(" beta, alpha,beta ") == ["beta", "alpha"]
    for text in ("alpha,vendors", "", " , "):
        with pytest.raises(argparse.ArgumentTypeError, match="choose from alpha, beta"):
            parse(text)


def test_the_parser_knows_the_services_it_is_built_with(capsys):
    parser = cli.build_parser(("alpha", "beta"))

    assert parser.parse_args(["up", "--only", "beta"]).only == ["beta"]
    with pytest.raises(SystemExit):
        parser.parse_args(["up", "--only", "vendors"])
    assert "unknown service vendors; choose from alpha, beta" in capsys.readouterr().err
    default = cli.build_parser()
    assert default.parse_args(["up", "--only", ",".join(SERVICES)]).only == list(SERVICES)
