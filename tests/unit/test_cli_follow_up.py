"""`huiwu survey`, `huiwu mailing`, `huiwu inquiry`, `huiwu complaint` and `huiwu
follow-up` against a fake registration service: what each sends and what it prints."""

from __future__ import annotations

from tests.unit.test_cli_registration import CONFERENCE_ID, fake, run  # noqa: F401 - fixture

SURVEY_ID = "c0ffee00-0000-4000-8000-000000000010"
ATTENDEE_ID = "c0ffee00-0000-4000-8000-000000000011"
INQUIRY_ID = "c0ffee00-0000-4000-8000-000000000012"
COMPLAINT_ID = "c0ffee00-0000-4000-8000-000000000013"


def test_survey_publish_sends_the_questions_in_their_order(fake, capsys):  # noqa: F811
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/surveys")] = (
        201,
        {"survey_id": SURVEY_ID},
    )
    code, out, _ = run(
        capsys,
        *("survey", "publish", CONFERENCE_ID, "--stage", "post_event", "--title", "满意度"),
        *("--rating", "整体安排", "--text", "改进建议", "--rating", "餐饮"),
    )
    assert code == 0 and out.splitlines()[0] == SURVEY_ID
    assert fake.requests[-1]["body"]["questions"] == [
        {"text": "整体安排", "kind": "rating"},
        {"text": "改进建议", "kind": "text"},
        {"text": "餐饮", "kind": "rating"},
    ]


def test_survey_respond_sends_ratings_and_texts_by_question(fake, capsys):  # noqa: F811
    path = f"/surveys/{SURVEY_ID}/responses"
    fake.routes[("POST", path)] = (201, {"response_id": "r1"})
    code, out, _ = run(
        capsys,
        *("survey", "respond", SURVEY_ID, "--attendee", ATTENDEE_ID, "--overall", "4"),
        *("--text", "2=茶歇再长一些", "--rating", "1=5"),
    )
    assert code == 0 and "response recorded" in out
    body = fake.requests[-1]["body"]
    assert (body["attendee_id"], body["overall_score"]) == (ATTENDEE_ID, 4)
    assert body["answers"] == [
        {"question": 1, "rating": 5},
        {"question": 2, "text": "茶歇再长一些"},
    ]


def test_a_rating_out_of_range_is_a_usage_error_naming_it(fake, capsys):  # noqa: F811
    code, _, err = run(
        capsys,
        *("survey", "respond", SURVEY_ID, "--attendee", ATTENDEE_ID, "--overall", "4"),
        *("--rating", "1=9"),
    )
    assert code == 2 and "--rating" in err and fake.requests == []


def test_mailing_record_sends_what_the_checklist_rules_read(fake, capsys):  # noqa: F811
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/mailings")] = (
        201,
        {"mailing_id": "m1"},
    )
    code, out, _ = run(
        capsys,
        *("mailing", "record", "--conference", CONFERENCE_ID, "--kind", "thank_you"),
        *("--medium", "email", "--audience", "attendees", "--recipients", "480"),
    )
    assert code == 0 and "thank_you mailing to 480 attendees" in out
    body = fake.requests[-1]["body"]
    assert (body["kind"], body["medium"], body["audience"], body["recipients"]) == (
        "thank_you",
        "email",
        "attendees",
        480,
    )


def test_an_inquiry_is_recorded_at_a_shanghai_time_and_answered(fake, capsys):  # noqa: F811
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/inquiries")] = (
        201,
        {"inquiry_id": INQUIRY_ID},
    )
    code, out, _ = run(
        capsys,
        *("inquiry", "record", "--conference", CONFERENCE_ID, "--channel", "wechat"),
        *("--topic", "fapiao", "--at", "2027-03-01T09:30", "--summary", "能否开专票?"),
    )
    assert code == 0 and out.splitlines()[0] == INQUIRY_ID, _
    assert fake.requests[-1]["body"]["received_at"] == "2027-03-01T09:30:00+08:00"
    fake.routes[("POST", f"/inquiries/{INQUIRY_ID}/answer")] = (200, {"hours_to_answer": 3})
    code, out, _ = run(capsys, "inquiry", "answer", INQUIRY_ID, "--answer", "可以")
    assert code == 0 and "after 3 hours" in out
    assert fake.requests[-1]["body"] == {"answer": "可以"}


def test_a_complaint_is_recorded_resolved_and_shown(fake, capsys):  # noqa: F811
    fake.routes[("POST", f"/complaints/{COMPLAINT_ID}/resolve")] = (
        200,
        {"resolution": "fixed"},
    )
    code, out, _ = run(
        capsys, "complaint", "resolve", COMPLAINT_ID, "--resolution", "fixed", "--note", "已改"
    )
    assert code == 0 and "resolved: fixed" in out
    assert fake.requests[-1]["body"] == {"resolution": "fixed", "note": "已改"}
    shown = {
        "complaint_id": COMPLAINT_ID,
        "status": "resolved",
        "channel": "onsite",
        "topic": "catering",
        "received_at": "2027-05-12T04:00:00+00:00",
        "summary": "午餐排队太久",
        "note": "已改",
    }
    fake.routes[("GET", f"/complaints/{COMPLAINT_ID}")] = (200, shown)
    code, out, _ = run(capsys, "complaint", "show", COMPLAINT_ID)
    assert code == 0 and "resolved" in out and "午餐排队太久" in out


def test_follow_up_show_prints_each_part(fake, capsys):  # noqa: F811
    contacts = {"received": 3, "handled": 2, "open": 1}
    summary = {
        "surveys": [
            {
                "survey_id": SURVEY_ID,
                "stage": "post_event",
                "questions": 2,
                "responses": 120,
                "average_score": 4.25,
            }
        ],
        "mailings": [
            {
                "kind": "thank_you",
                "audience": "attendees",
                "medium": "email",
                "mailings": 1,
                "recipients": 480,
            }
        ],
        "inquiries": contacts,
        "complaints": {**contacts, "open": 0, "handled": 3},
    }
    fake.routes[("GET", f"/conferences/{CONFERENCE_ID}/follow-up")] = (200, summary)
    code, out, _ = run(capsys, "follow-up", "show", CONFERENCE_ID)
    assert code == 0 and "4.25" in out and "480" in out
    assert "inquiries: 3 received, 2 handled, 1 open" in out
    assert "complaints: 3 received, 3 handled, 0 open" in out
