"""The welcome service: a welcome per conference, over HTTP."""

from nameko.web.handlers import http

from services.common.http import command, query
from services.common.providers import Use
from services.common.service import HuiwuService

from . import schemas as s


class Service(HuiwuService):
    name = "welcome"
    welcome = Use("welcome")

    @http("GET", "/welcomes/<string:conference_id>")
    @query("GetWelcome", answer=s.WelcomeAnswer)
    def get_welcome(self, conference_id):
        return self.welcome.welcome(conference_id)

    @http("POST", "/welcomes/<string:conference_id>/send")
    @command("SendWelcome", s.SendWelcomeSchema, s.WelcomeAnswer)
    def send(self, cmd, ctx, conference_id):
        """{"note": "Dear all, welcome to Hangzhou", "actor": "wang"}"""
        return self.welcome.send(conference_id, cmd, ctx)
