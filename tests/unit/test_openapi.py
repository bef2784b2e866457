"""The OpenAPI description of every service: valid OpenAPI 3, one operation per route,
made from the same schemas the edge loads and dumps with."""

import json

import pytest
import schemathesis
from marshmallow import Schema, ValidationError, fields
from nameko.web.handlers import http
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from huiwu.cli import main
from services.common import openapi, registry
from services.common.errors import Conflict, NotFound, TooLarge, WrongMediaType
from services.common.http import command, error_response, query
from services.common.service import HuiwuService, service_class

BUILT_IN = registry.load()
WITH_WELCOME = registry.load("tests.integration.welcome.registry")
ALL = [(WITH_WELCOME, spec.name) for spec in WITH_WELCOME]


def document(name, source=BUILT_IN):
    return openapi.describe(service_class(source.spec(name), source))


def operations(doc):
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def resolve(doc, node):
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = doc["components"][kind][name]
    return node


@pytest.mark.parametrize("source, name", ALL, ids=[name for _, name in ALL])
def test_every_service_has_a_valid_description_of_every_route(source, name):
    cls = service_class(source.spec(name), source)
    doc = openapi.describe(cls)
    validate(doc)  # raises on anything OpenAPI 3.0 does not allow
    routes = {
        (method, path.replace("<string:", "{").replace(">", "}"))
        for method, path, _ in openapi.http_routes(cls)
    }
    assert {(method, path) for method, path, _ in operations(doc)} == routes
    assert ("get", "/openapi.json") in routes
    loaded = schemathesis.openapi.from_dict(doc)
    assert sum(1 for _ in loaded.get_all_operations()) == len(routes)


@pytest.mark.parametrize("source, name", ALL, ids=[name for _, name in ALL])
def test_operation_ids_are_the_command_and_query_names(source, name):
    cls = service_class(source.spec(name), source)
    doc = openapi.describe(cls)
    for method, rule, handler in openapi.http_routes(cls):
        path = rule.replace("<string:", "{").replace(">", "}")
        edge = getattr(handler, "huiwu_edge", None)
        expected = edge.name if edge is not None else handler.__name__
        assert doc["paths"][path][method]["operationId"] == expected


def test_a_service_added_from_the_registry_is_described():
    doc = document("welcome", WITH_WELCOME)
    send = doc["paths"]["/welcomes/{conference_id}/send"]["post"]
    assert send["operationId"] == "SendWelcome"
    assert send["parameters"][0] == {
        "name": "conference_id",
        "in": "path",
        "required": True,
        "schema": {
            "type": "string",
            "minLength": 1,
            "pattern": "^[^/\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]+$",
        },
    }


@pytest.mark.parametrize("name", BUILT_IN.names)
def test_every_operation_needs_a_bearer_token_but_health_and_metrics(name):
    doc = document(name)
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert doc["security"] == [{"bearerAuth": []}]
    public = {(m, p) for m, p, operation in operations(doc) if operation.get("security") == []}
    assert public == {("get", "/health"), ("get", "/metrics")}


def test_a_command_body_is_its_schema_and_the_callers_fields():
    doc = document("vendors")
    draft = doc["paths"]["/contracts"]["post"]
    assert draft["operationId"] == "DraftContract"
    body = resolve(doc, draft["requestBody"]["content"]["application/json"]["schema"])
    assert body["additionalProperties"] is False
    assert {"conference_id", "vendor_id", "amount_minor", "currency", "on_behalf_of"} <= set(
        body["properties"]
    )
    assert {"conference_id", "vendor_id", "amount_minor"} <= set(body["required"])
    assert "on_behalf_of" not in body["required"]
    assert body["properties"]["amount_minor"]["type"] == "integer"
    assert body["properties"]["amount_minor"]["maximum"] == 10**15
    assert "CNY" in body["properties"]["currency"]["enum"]
    # fields.text: its length limits sit inside validate.And, and are described too
    assert body["properties"]["title"]["maxLength"] > 0
    assert draft["requestBody"]["required"] is True
    answer = draft["responses"]["201"]["content"]["application/json"]["schema"]
    assert set(resolve(doc, answer)["properties"]) == {"contract_id"}


def test_a_file_upload_takes_the_file_as_its_body_and_the_caller_in_the_query():
    doc = document("checklist")
    upload = doc["paths"]["/conferences/{conference_id}/plan/import"]["post"]
    assert upload["requestBody"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    query_names = {p["name"]: p for p in upload["parameters"] if p["in"] == "query"}
    assert set(query_names) == {"on_behalf_of", "correlation_id", "filename"}
    assert query_names["on_behalf_of"]["required"] is False


def test_a_query_reads_its_parameters_from_the_query_string_and_may_answer_a_file():
    doc = document("checklist")
    plan = doc["paths"]["/conferences/{conference_id}/plan"]["get"]
    parameters = {p["name"]: p for p in plan["parameters"]}
    assert parameters["conference_id"]["in"] == "path"
    assert parameters["lang"]["in"] == "query"
    assert parameters["lang"]["schema"]["enum"] == ["en", "zh"]
    assert "requestBody" not in plan
    xlsx = doc["paths"]["/conferences/{conference_id}/plan.xlsx"]["get"]["responses"]["200"]
    assert list(xlsx["content"]) == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ]
    csv = doc["paths"]["/conferences/{conference_id}/plan.csv"]["get"]["responses"]["200"]
    assert list(csv["content"]) == ["text/csv"]


def test_error_responses_are_listed_and_describe_the_bodies_the_edge_sends():
    doc = document("vendors")
    sign = doc["paths"]["/contracts/{contract_id}/sign"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "413", "415"} <= set(sign)
    get = doc["paths"]["/contracts/{contract_id}"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(get)
    error = resolve(doc, resolve(doc, sign["409"])["content"]["application/json"]["schema"])
    validator = OAS30Validator(error)
    bodies = [
        error_response(ValidationError({"title": ["Missing data."], "evidence": {"0": {}}})),
        error_response(NotFound("no contract x", field="contract_id")),
        error_response(Conflict("already signed")),
        error_response(TooLarge(1024)),
        error_response(WrongMediaType("send JSON", field="_body")),
    ]
    for body in bodies:
        validator.validate(json.loads(body.get_data()))
    assert not validator.is_valid({"message": "no error kind"})


class Tiny(HuiwuService):
    name = "tiny"

    @http("GET", "/things/<int:number>")
    @query("GetThing")
    def get_thing(self, number):
        return {}


class Twice(Schema):
    value = fields.Integer()


def test_path_converters_become_typed_parameters_and_an_id_is_used_once():
    doc = openapi.describe(Tiny)
    validate(doc)
    parameter = doc["paths"]["/things/{number}"]["get"]["parameters"][0]
    assert parameter["schema"] == {"type": "integer"}

    class Clash(Tiny):
        @http("POST", "/things")
        @command("GetThing", Twice)
        def clash(self, cmd, ctx):
            return {}

    with pytest.raises(ValueError, match="operationId 'GetThing'"):
        openapi.describe(Clash)


def test_the_command_line_prints_a_services_description(capsys):
    assert main(["openapi", "vendors"]) == 0
    assert json.loads(capsys.readouterr().out) == document("vendors")


@pytest.mark.parametrize("name", ["vendors", "checklist"])
def test_every_command_takes_an_idempotency_key_and_no_query_does(name):
    doc = document(name)
    for method, path, operation in operations(doc):
        headers = [p for p in operation.get("parameters", []) if p.get("in") == "header"]
        keyed = [p["name"] for p in headers] == ["Idempotency-Key"]
        assert keyed is (method == "post"), (path, method, headers)
