"""Use cases of welcome, and its policy: a conference opened gets a welcome."""

from __future__ import annotations

from eventsourcing.application import ProcessingEvent

from services.common.domain import CommandContext
from services.common.sinks import UpstreamEvent
from services.common.store import ServiceApplication

from .commands import SendWelcome
from .domain import Welcome, welcome_id


class WelcomeApplication(ServiceApplication):
    name = "welcome"

    def policy(self, domain_event: UpstreamEvent, processing_event: ProcessingEvent) -> None:
        envelope = domain_event.envelope
        if envelope.event_type != "ConferenceOpened":
            return
        meta = CommandContext.caused_by(envelope).meta(envelope.conference_id)
        welcome = Welcome(
            conference_id=envelope.aggregate_id,
            conference_name=domain_event.payload["name"],
            meta=meta,
        )
        processing_event.collect_events(welcome)

    def welcome(self, conference_id: str) -> Welcome:
        return self.get(
            Welcome, welcome_id(conference_id), "welcome for conference", "conference_id"
        )

    def send(self, conference_id: str, cmd: SendWelcome, ctx: CommandContext) -> Welcome:
        welcome = self.welcome(conference_id)
        welcome.send(cmd.note, ctx.meta(conference_id))
        self.save(welcome)
        return welcome
