"""Surveys and their responses, mailings, inquiries and complaints, and the follow-up
summary of a conference: the follow-up commands of the registration service. A time
without an offset is in Asia/Shanghai."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from services.registration.events import (
    AUDIENCES,
    CONTACT_CHANNELS,
    MAILING_KINDS,
    MAILING_MEDIA,
    RESOLUTIONS,
    SURVEY_STAGES,
    TOPICS,
)

from .. import output
from ..client import path_segment
from .context import DEFAULT_TIMEZONE, Context, UsageError

SERVICE = "registration"
PLURAL = {"inquiry": "inquiries", "complaint": "complaints"}


def when(text: str) -> str:
    """An ISO time, in Asia/Shanghai when it has no offset, as the service takes it."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"give an ISO date and time, e.g. 2027-05-01T09:30, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    return moment.isoformat()


def numbered(option: str, text: str) -> tuple[int, str]:
    """`2=茶歇再长一些`: question 2 and its answer."""
    number, _, value = text.partition("=")
    if not number.strip().isdigit() or not value.strip():
        raise UsageError(option, f"must be QUESTION=ANSWER, such as 1=5, got {text!r}")
    return int(number), value.strip()


# -- surveys ---------------------------------------------------------------------------


def survey_publish(ctx: Context, args: argparse.Namespace) -> int:
    """Publish a survey with its questions, in the order given; prints its id."""
    questions = [{"text": text, "kind": kind} for kind, text in args.questions or []]
    if not questions:
        raise UsageError("--rating", "give at least one --rating or --text question")
    body = {"stage": args.stage, "title": args.title, "questions": questions, **ctx.caller()}
    path = f"/conferences/{path_segment(args.conference_id)}/surveys"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, f"{answer['survey_id']}\n{len(questions)} questions published")


def survey_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a survey's questions."""
    s = ctx.client.get(SERVICE, f"/surveys/{path_segment(args.survey_id)}")
    rows = [(n, q["kind"], q["text"]) for n, q in enumerate(s["questions"], start=1)]
    text = f"{s['title']} ({s['stage']})\n" + output.table(("#", "KIND", "QUESTION"), rows)
    return ctx.show(s, text)


def survey_respond(ctx: Context, args: argparse.Namespace) -> int:
    """Record an attendee's response: the overall score, and answers by question."""
    answers: list[dict[str, Any]] = []
    for text in args.rating or []:
        number, value = numbered("--rating", text)
        if value not in {"1", "2", "3", "4", "5"}:
            raise UsageError("--rating", f"question {number}: a rating is 1 to 5, got {value!r}")
        answers.append({"question": number, "rating": int(value)})
    for text in args.text or []:
        number, value = numbered("--text", text)
        answers.append({"question": number, "text": value})
    body = {
        "attendee_id": args.attendee,
        "overall_score": args.overall,
        "answers": sorted(answers, key=lambda a: a["question"]),
        **ctx.caller(),
    }
    path = f"/surveys/{path_segment(args.survey_id)}/responses"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, f"{answer['response_id']}\nresponse recorded")


# -- mailings, inquiries, complaints -------------------------------------------------------


def mailing_record(ctx: Context, args: argparse.Namespace) -> int:
    """Record a mailing sent: its kind, medium, audience and recipients; prints its id."""
    body: dict[str, Any] = {
        "kind": args.kind,
        "medium": args.medium,
        "audience": args.audience,
        "recipients": args.recipients,
        **ctx.caller(),
    }
    if args.subject:
        body["subject"] = args.subject
    path = f"/conferences/{path_segment(args.conference)}/mailings"
    answer = ctx.client.post(SERVICE, path, body)
    text = f"{answer['mailing_id']}\n{args.kind} mailing to {args.recipients} {args.audience}"
    return ctx.show(answer, text)


def contact_record(what: str) -> Callable[[Context, argparse.Namespace], int]:
    def record(ctx: Context, args: argparse.Namespace) -> int:
        body: dict[str, Any] = {"channel": args.channel, "topic": args.topic, **ctx.caller()}
        if args.at:
            body["received_at"] = args.at
        if args.summary:
            body["summary"] = args.summary
        path = f"/conferences/{path_segment(args.conference)}/{PLURAL[what]}"
        answer = ctx.client.post(SERVICE, path, body)
        return ctx.show(answer, f"{answer[f'{what}_id']}\n{what} recorded, open")

    record.__doc__ = f"Record a{'n' if what == 'inquiry' else ''} {what} received."
    return record


def inquiry_answer(ctx: Context, args: argparse.Namespace) -> int:
    """Record an inquiry's answer (now unless --at): the hours it took."""
    body: dict[str, Any] = {**ctx.caller()}
    if args.at:
        body["answered_at"] = args.at
    if args.answer:
        body["answer"] = args.answer
    path = f"/inquiries/{path_segment(args.inquiry_id)}/answer"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, f"answered after {answer['hours_to_answer']} hours")


def complaint_resolve(ctx: Context, args: argparse.Namespace) -> int:
    """Record how a complaint was resolved."""
    body: dict[str, Any] = {"resolution": args.resolution, **ctx.caller()}
    if args.note:
        body["note"] = args.note
    path = f"/complaints/{path_segment(args.complaint_id)}/resolve"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, f"resolved: {answer['resolution']}")


def contact_show(what: str) -> Callable[[Context, argparse.Namespace], int]:
    def show(ctx: Context, args: argparse.Namespace) -> int:
        found = ctx.client.get(
            SERVICE, f"/{PLURAL[what]}/{path_segment(getattr(args, f'{what}_id'))}"
        )
        lines = [
            f"{what} {found[f'{what}_id']}: {found['status']}",
            f"{found['channel']}, {found['topic']}, received {found['received_at']}",
        ]
        lines += [found[key] for key in ("summary", "answer", "note") if found.get(key)]
        return ctx.show(found, "\n".join(lines))

    show.__doc__ = f"Show a{'n' if what == 'inquiry' else ''} {what}, with what it says."
    return show


def follow_up_show(ctx: Context, args: argparse.Namespace) -> int:
    """The follow-up of a conference: surveys, mailings, inquiries, complaints."""
    s = ctx.client.get(SERVICE, f"/conferences/{path_segment(args.conference_id)}/follow-up")
    surveys = [
        (x["survey_id"], x["stage"], x["questions"], x["responses"], x["average_score"] or "-")
        for x in s["surveys"]
    ]
    mailings = [
        (m["kind"], m["audience"], m["medium"], m["mailings"], m["recipients"])
        for m in s["mailings"]
    ]
    lines = [
        output.table(("SURVEY", "STAGE", "QUESTIONS", "RESPONSES", "AVERAGE"), surveys),
        output.table(("MAILING", "AUDIENCE", "MEDIUM", "SENT", "RECIPIENTS"), mailings),
    ]
    for what in ("inquiries", "complaints"):
        c = s[what]
        lines.append(f"{what}: {c['received']} received, {c['handled']} handled, {c['open']} open")
    return ctx.show(s, "\n".join(lines))


def add_parsers(group: Callable, command: Callable, non_blank: Callable) -> None:
    """`huiwu survey`, `huiwu mailing`, `huiwu inquiry`, `huiwu complaint`, `huiwu follow-up`."""
    survey = group("survey", "satisfaction surveys and their responses (registration service)")
    published = command(survey, "publish", survey_publish)
    published.add_argument("conference_id", metavar="CONFERENCE_ID")
    published.add_argument("--stage", required=True, choices=SURVEY_STAGES)
    published.add_argument("--title", required=True, type=non_blank)
    published.add_argument(
        "--rating",
        dest="questions",
        action="append",
        type=lambda text: ("rating", text),
        metavar="QUESTION",
        help="a question answered 1 to 5 (repeatable, in order with --text)",
    )
    published.add_argument(
        "--text",
        dest="questions",
        action="append",
        type=lambda text: ("text", text),
        metavar="QUESTION",
        help="a question answered in words",
    )
    shown = command(survey, "show", survey_show)
    shown.add_argument("survey_id", metavar="SURVEY_ID")
    responded = command(survey, "respond", survey_respond)
    responded.add_argument("survey_id", metavar="SURVEY_ID")
    responded.add_argument("--attendee", required=True, metavar="ATTENDEE_ID")
    responded.add_argument("--overall", required=True, type=int, choices=range(1, 6))
    responded.add_argument("--rating", action="append", metavar="N=1..5")
    responded.add_argument("--text", action="append", metavar="N=TEXT")

    mailing = group("mailing", "mailings sent (registration service)")
    recorded = command(mailing, "record", mailing_record)
    recorded.add_argument("--conference", required=True, metavar="ID")
    recorded.add_argument("--kind", required=True, choices=MAILING_KINDS)
    recorded.add_argument("--medium", required=True, choices=MAILING_MEDIA)
    recorded.add_argument("--audience", required=True, choices=AUDIENCES)
    recorded.add_argument("--recipients", required=True, type=int, metavar="N")
    recorded.add_argument("--subject", type=non_blank)

    for what, handle in (("inquiry", inquiry_answer), ("complaint", complaint_resolve)):
        kind = group(what, f"{PLURAL[what]} received until handled (registration service)")
        recorded = command(kind, "record", contact_record(what))
        recorded.add_argument("--conference", required=True, metavar="ID")
        recorded.add_argument("--channel", required=True, choices=CONTACT_CHANNELS)
        recorded.add_argument("--topic", required=True, choices=TOPICS)
        recorded.add_argument("--at", type=when, metavar="TIME", help="received (default: now)")
        recorded.add_argument("--summary", type=non_blank, help="what it says")
        handled = command(kind, "answer" if what == "inquiry" else "resolve", handle)
        handled.add_argument(f"{what}_id", metavar=f"{what.upper()}_ID")
        if what == "inquiry":
            handled.add_argument("--at", type=when, metavar="TIME", help="answered (default: now)")
            handled.add_argument("--answer", type=non_blank)
        else:
            handled.add_argument("--resolution", required=True, choices=RESOLUTIONS)
            handled.add_argument("--note", type=non_blank)
        shown = command(kind, "show", contact_show(what))
        shown.add_argument(f"{what}_id", metavar=f"{what.upper()}_ID")

    follow_up = group("follow-up", "the follow-up of a conference (registration service)")
    shown = command(follow_up, "show", follow_up_show)
    shown.add_argument("conference_id", metavar="CONFERENCE_ID")
