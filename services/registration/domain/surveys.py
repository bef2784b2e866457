"""Satisfaction surveys: a survey published with its questions (one aggregate each), and
an attendee's response to it (one aggregate per survey and attendee, `response_id`, so
the store itself refuses a second one). The wording of the questions and the answers
stay in the store (`unpublished`): the published events carry the stage, the number of
questions and the overall score."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from .ids import NAMESPACE

RATING, TEXT = "rating", "text"
QUESTION_KINDS = (RATING, TEXT)


class AlreadyAnswered(Conflict):
    pass


def response_id(survey_id: Any, attendee_id: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"response/{survey_id}/{attendee_id}")


class Survey(Aggregate):
    class SurveyPublished(Aggregate.Created):
        stage: str
        questions: int
        title: str
        items: list[dict[str, Any]]
        meta: dict[str, Any]
        unpublished = ("title", "items")

    @classmethod
    def publish(cls, survey_id: Any, **kwargs: Any) -> Survey:
        return cls._create(cls.SurveyPublished, id=survey_id, **kwargs)

    @event(SurveyPublished)
    def __init__(
        self,
        stage: str,
        questions: int,
        title: str,
        items: list[dict[str, Any]],
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.stage = stage
        self.title = title
        self.items = [dict(item) for item in items]

    def check_answers(self, answers: list[dict[str, Any]]) -> None:
        """Each answer names a question of the survey once, with a rating for a rating
        question and a text for a text question; refused naming `answers[i]...`."""
        seen: set[int] = set()
        for i, answer in enumerate(answers):
            number = answer["question"]
            if not 1 <= number <= len(self.items):
                raise InvalidCommand(
                    f"must be a question of the survey, 1 to {len(self.items)}",
                    field=f"answers[{i}].question",
                )
            if number in seen:
                raise InvalidCommand(
                    f"question {number} is answered twice", field=f"answers[{i}].question"
                )
            seen.add(number)
            kind = self.items[number - 1]["kind"]
            wanted, other = (RATING, TEXT) if kind == RATING else (TEXT, RATING)
            if answer.get(wanted) is None or answer.get(other) is not None:
                raise InvalidCommand(
                    f"question {number} asks for a {kind}: give `{wanted}` alone",
                    field=f"answers[{i}].{wanted}",
                )


class SurveyResponse(Aggregate):
    class SurveyResponseReceived(Aggregate.Created):
        stage: str
        overall_score: int
        survey_id: str
        attendee_id: str
        answers: list[dict[str, Any]]
        meta: dict[str, Any]
        # who answered and what they wrote stay in the store
        unpublished = ("attendee_id", "answers")

    @classmethod
    def receive(cls, survey: Survey, attendee_id: str, **kwargs: Any) -> SurveyResponse:
        return cls._create(
            cls.SurveyResponseReceived,
            id=response_id(survey.id, attendee_id),
            stage=survey.stage,
            survey_id=str(survey.id),
            attendee_id=attendee_id,
            **kwargs,
        )

    @event(SurveyResponseReceived)
    def __init__(
        self,
        stage: str,
        overall_score: int,
        survey_id: str,
        attendee_id: str,
        answers: list[dict[str, Any]],
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.stage = stage
        self.overall_score = overall_score
        self.survey_id = survey_id
        self.attendee_id = attendee_id
        self.answers = [dict(a) for a in answers]
