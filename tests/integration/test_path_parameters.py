"""Path parameters are input too: one no store could hold is refused with a 400 naming
it, on both stores (found by tests/e2e/test_fuzz.py: a NUL in a conference id was a 500
on PostgreSQL)."""

from tests.support.slice import SECTION_ONE, open_conference


def test_an_unreadable_path_parameter_is_refused_naming_it(system):
    system.start("checklist")
    checklist = system["checklist"]
    conference_id = open_conference(system, **SECTION_ONE)
    for path, field in (
        ("/conferences/%00", "conference_id"),
        ("/conferences/1.3.5%00/plan", "conference_id"),
        ("/conferences/%00/plan.csv", "conference_id"),
        ("/conferences/%7F/plan.xlsx", "conference_id"),
        (f"/conferences/{conference_id}/entries/1.1.1%00", "code"),
    ):
        response = checklist.get(path)
        assert response.status == 400, (path, response)
        assert "must not contain NUL" in response.json["errors"][field][0], (path, response)
    refused = checklist.post(f"/conferences/{conference_id}/entries/%00/waive", {"reason": "x"})
    assert refused.status == 400, refused
    assert "code" in refused.json["errors"], refused
    # What can be read is still read.
    assert checklist.get(f"/conferences/{conference_id}").status == 200
