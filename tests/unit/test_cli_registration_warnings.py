"""`huiwu registration targets` and `huiwu registration check-target` against a fake
registration service: what each sends and what it prints."""

from __future__ import annotations

from tests.unit.test_cli_registration import CONFERENCE_ID, fake, run  # noqa: F401 - fixture

TARGETS = f"/conferences/{CONFERENCE_ID}/registration/targets"


def test_targets_are_sent_by_day_with_their_share_and_categories(fake, capsys):  # noqa: F811
    fake.routes[("POST", TARGETS)] = (200, {"conference_id": CONFERENCE_ID, "version": 2})
    code, out, _ = run(
        capsys,
        *("registration", "targets", CONFERENCE_ID, "--target", "2027-03-01:200"),
        *("--target", "2027-04-01:400", "--warn-below", "80", "--category", "delegate"),
    )
    assert code == 0 and "2 targets set" in out
    body = fake.requests[-1]["body"]
    assert body["targets"] == [
        {"by": "2027-03-01", "registered": 200},
        {"by": "2027-04-01", "registered": 400},
    ]
    assert (body["warn_below_percent"], body["categories"]) == (80, ["delegate"])


def test_a_target_without_its_number_is_a_usage_error_naming_it(fake, capsys):  # noqa: F811
    code, _, err = run(
        capsys,
        *("registration", "targets", CONFERENCE_ID, "--target", "2027-03-01"),
        *("--warn-below", "80"),
    )
    assert code == 2 and "--target" in err and fake.requests == []


def test_check_target_prints_the_warning_or_that_there_is_none(fake, capsys):  # noqa: F811
    warning = {"target_by": "2027-03-01", "target": 200, "registered": 120}
    warning["warn_below_percent"] = 80
    fake.routes[("POST", f"{TARGETS}/check")] = (200, {"warning": warning})
    code, out, _ = run(capsys, "registration", "check-target", CONFERENCE_ID)
    assert code == 0 and "120 registered of 200 by 2027-03-01" in out
    fake.routes[("POST", f"{TARGETS}/check")] = (200, {"warning": None})
    code, out, _ = run(capsys, "registration", "check-target", CONFERENCE_ID)
    assert code == 0 and "no warning" in out
