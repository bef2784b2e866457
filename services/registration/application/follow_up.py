"""Follow-up with attendees: surveys published and answered, mailings sent, inquiries
answered and complaints resolved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, NotFound

from .. import commands as c
from ..domain.contacts import Complaint, Inquiry, Mailing
from ..domain.surveys import AlreadyAnswered, Survey, SurveyResponse, response_id
from .base import RegistrationBase


class FollowUpCases(RegistrationBase):
    # -- surveys ----------------------------------------------------------------------
    def publish_survey(
        self, conference_id: Any, cmd: c.PublishSurvey, ctx: CommandContext
    ) -> Survey:
        conference = self._conference(conference_id)
        survey = Survey.publish(
            uuid.uuid4(),
            stage=cmd.stage,
            questions=len(cmd.questions),
            title=cmd.title,
            items=[dataclasses.asdict(q) for q in cmd.questions],
            meta=ctx.meta(conference.conference_id),
        )
        self.save(survey)
        return survey

    def survey(self, survey_id: Any) -> Survey:
        return self.get(Survey, survey_id, "survey", "survey_id")

    def record_response(
        self, survey_id: Any, cmd: c.RecordSurveyResponse, ctx: CommandContext
    ) -> SurveyResponse:
        """One response per attendee of the survey's conference who is registered; a
        second one is a 409 (two at once: the store lets one through, the other retries)."""

        def record() -> SurveyResponse:
            survey = self.survey(survey_id)
            attendee_id = str(cmd.attendee_id)
            attendee = self.attendee(attendee_id)
            if attendee.conference_id != survey.conference_id or not attendee.active:
                raise Conflict(
                    f"attendee {attendee_id} is not registered for the survey's conference",
                    field="attendee_id",
                )
            if self._exists(SurveyResponse, response_id(survey.id, attendee_id)):
                raise AlreadyAnswered(
                    f"attendee {attendee_id} has already answered survey {survey.id}",
                    field="attendee_id",
                )
            answers = [dataclasses.asdict(a) for a in cmd.answers]
            survey.check_answers(answers)
            response = SurveyResponse.receive(
                survey,
                attendee_id,
                overall_score=cmd.overall_score,
                answers=[{k: v for k, v in a.items() if v is not None} for a in answers],
                meta=ctx.meta(survey.conference_id),
            )
            self.save(response)
            return response

        return self._retrying(record)

    # -- mailings, inquiries, complaints -----------------------------------------------
    def record_mailing(
        self, conference_id: Any, cmd: c.RecordMailing, ctx: CommandContext
    ) -> Mailing:
        conference = self._conference(conference_id)
        mailing = Mailing.record(
            uuid.uuid4(),
            kind=cmd.kind,
            medium=cmd.medium,
            audience=cmd.audience,
            recipients=cmd.recipients,
            subject=cmd.subject,
            meta=ctx.meta(conference.conference_id),
        )
        self.save(mailing)
        return mailing

    def record_inquiry(
        self, conference_id: Any, cmd: c.RecordContact, ctx: CommandContext
    ) -> Inquiry:
        return self._received(Inquiry, conference_id, cmd, ctx)

    def record_complaint(
        self, conference_id: Any, cmd: c.RecordContact, ctx: CommandContext
    ) -> Complaint:
        return self._received(Complaint, conference_id, cmd, ctx)

    def inquiry(self, inquiry_id: Any) -> Inquiry:
        return self.get(Inquiry, inquiry_id, "inquiry", "inquiry_id")

    def complaint(self, complaint_id: Any) -> Complaint:
        return self.get(Complaint, complaint_id, "complaint", "complaint_id")

    def answer_inquiry(self, inquiry_id: Any, cmd: c.AnswerInquiry, ctx: CommandContext) -> Inquiry:
        inquiry = self.inquiry(inquiry_id)
        answered_at = self._moment(cmd.answered_at, "answered_at")
        inquiry.answer_it(answered_at, cmd.answer, ctx.meta(inquiry.conference_id))
        self.save(inquiry)
        return inquiry

    def resolve_complaint(
        self, complaint_id: Any, cmd: c.ResolveComplaint, ctx: CommandContext
    ) -> Complaint:
        complaint = self.complaint(complaint_id)
        complaint.resolve(cmd.resolution, cmd.note, ctx.meta(complaint.conference_id))
        self.save(complaint)
        return complaint

    def _received(
        self, kind: Any, conference_id: Any, cmd: c.RecordContact, ctx: CommandContext
    ) -> Any:
        conference = self._conference(conference_id)
        contact = kind.receive(
            uuid.uuid4(),
            channel=cmd.channel,
            topic=cmd.topic,
            received_at=self._moment(cmd.received_at, "received_at"),
            summary=cmd.summary,
            meta=ctx.meta(conference.conference_id),
        )
        self.save(contact)
        return contact

    def _moment(self, given: dt.datetime | None, field: str) -> str:
        """When something happened, in UTC: now when not given; never in the future."""
        now = self.clock()
        moment = now if given is None else given.astimezone(dt.UTC)
        if moment > now + dt.timedelta(minutes=5):  # a little clock skew is no lie
            raise InvalidCommand(
                f"must not be in the future (now is {now.isoformat()})", field=field
            )
        return moment.astimezone(dt.UTC).isoformat()

    def _exists(self, cls: type, aggregate_id: Any) -> bool:
        try:
            self.get(cls, aggregate_id, "aggregate")
        except NotFound:
            return False
        return True
