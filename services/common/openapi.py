"""The OpenAPI 3 description of a service, made from its class: the method and path of each
nameko `@http` entrypoint, and the schemas its `@command` or `@query` loads and dumps with
(`http.Edge`). Served by every service at `GET /openapi.json` (docs/api.md).

Nothing here is written by hand per service: a route, a field or a validator added to a
service appears in its description, so the description cannot drift from the code.
"""

from __future__ import annotations

import copy
import functools
import importlib.metadata
import inspect
import json
import re
from collections.abc import Iterator
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate
from nameko.web.handlers import HttpRequestHandler

from .commands import Caller
from .http import Edge

OPENAPI_VERSION = "3.0.3"
BEARER = "bearerAuth"
SIGNATURE = "providerSignature"  # a webhook's (webhooks.py): no token, a signed body
PUBLIC = frozenset({("get", "/health"), ("get", "/metrics")})  # no token needed

# werkzeug's `<converter(args):name>` in a nameko path; only int and float are not text.
_RULE_PART = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_PARAMETER_TYPE = {"int": {"type": "integer"}, "float": {"type": "number"}}
_PATH_TEXT = "^[^/\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]+$"


class ErrorBody(Schema):
    """The body of every 4xx and 5xx answer (errors.HuiwuError.to_dict, http.error_response)."""

    error = fields.String(
        required=True, metadata={"description": "The kind: ValidationError, NotFound..."}
    )
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "Each field at fault and why, as a list of messages (or, for a "
            "nested field, an object of the same shape); `_body` for the body as a whole."
        },
    )
    limit = fields.Integer(metadata={"description": "413 only: the largest body taken, in bytes."})


# Every error an edge answers with; each operation lists those it can give.
ERRORS = {
    400: ("BadRequest", "The input is refused; `errors` names each field and why."),
    401: ("Unauthenticated", "No valid bearer token."),
    403: ("Forbidden", "The token's holder may not do this."),
    404: ("NotFound", "What the path or the input names does not exist."),
    409: ("Conflict", "Refused by the current state of what it changes."),
    413: ("TooLarge", "The body is larger than the edge takes (`limit`)."),
    415: ("WrongMediaType", "The body is not of the content type the command reads."),
    503: ("Unavailable", "Something the request needs is down; retry."),
}
COMMAND_ERRORS = (400, 401, 403, 404, 409, 413, 415, 503)
QUERY_ERRORS = (400, 401, 403, 404, 503)

# The kernel's routes (service.HuiwuService) answer with no schema of their own.
_OBJECT = {"type": "object", "additionalProperties": True}
_FILE = {"type": "string", "format": "binary"}
_PLAIN_ROUTES: dict[str, dict[str, Any]] = {
    "/health": {
        "200": {"description": "Healthy", "content": {"application/json": {"schema": _OBJECT}}},
        "503": {
            "description": "Something it depends on is down (the body says what)",
            "content": {"application/json": {"schema": _OBJECT}},
        },
    },
    "/metrics": {
        "200": {
            "description": "Prometheus metrics",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
}
_DEFAULT_PLAIN = {
    "200": {"description": "OK", "content": {"application/json": {"schema": _OBJECT}}}
}


def http_routes(service_cls: type) -> Iterator[tuple[str, str, Any]]:
    """(method, path rule, handler) of every `@http` entrypoint of the class, sorted."""
    found = []
    for attr in dir(service_cls):
        handler = getattr(service_cls, attr, None)
        for entrypoint in getattr(handler, "nameko_entrypoints", ()):
            if isinstance(entrypoint, HttpRequestHandler):
                found.append((entrypoint.url, entrypoint.method.lower(), handler))
    for url, method, handler in sorted(found, key=lambda route: route[:2]):
        yield method, url, handler


def describe(service_cls: type) -> dict[str, Any]:
    """The OpenAPI document of a nameko service class (a HuiwuService)."""
    name = service_cls.name
    spec = APISpec(
        title=f"Huiwu {name}",
        version=_version(),
        openapi_version=OPENAPI_VERSION,
        plugins=[_plugin()],
        info={"description": f"The HTTP API of the {name} service."},
        security=[{BEARER: []}],
    )
    spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorBody)
    for ref, description in ERRORS.values():
        spec.components.response(
            ref, {"description": description, "content": {"application/json": {"schema": "Error"}}}
        )
    operation_ids: dict[str, str] = {}
    paths: dict[str, dict[str, Any]] = {}
    for method, rule, handler in http_routes(service_cls):
        path, path_parameters = _path(rule)
        edge: Edge | None = getattr(handler, "huiwu_edge", None)
        operation = _edge_operation(edge) if edge else _plain_operation(handler, path)
        operation["parameters"] = path_parameters + operation.get("parameters", [])
        if not operation["parameters"]:
            del operation["parameters"]
        doc = inspect.getdoc(handler)
        if doc:
            operation["description"] = doc
        if edge is not None and edge.kind == "webhook":
            operation["security"] = [{SIGNATURE: []}]
            if SIGNATURE not in spec.components.security_schemes:
                spec.components.security_scheme(SIGNATURE, _SIGNATURE_SCHEME)
        elif (method, path) in PUBLIC:
            operation["security"] = []
        elif path_parameters or edge is not None:
            operation["responses"].setdefault("404", "NotFound")
        earlier = operation_ids.setdefault(operation["operationId"], f"{method} {path}")
        if earlier != f"{method} {path}":
            raise ValueError(
                f"{name}: operationId {operation['operationId']!r} of {method} {path} is "
                f"already that of {earlier}"
            )
        paths.setdefault(path, {})[method] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@functools.cache
def document(service_cls: type) -> bytes:
    """`describe` as the JSON served at /openapi.json (made once per class)."""
    return json.dumps(describe(service_cls), ensure_ascii=False).encode("utf-8")


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A retry with the same key gets the first answer (kept a day, per token).",
    "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"},
}


_SIGNATURE_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "X-Huiwu-Signature",
    "description": "sha256=<hex of HMAC-SHA256(the provider's secret, X-Huiwu-Timestamp "
    "+ '.' + the raw body)>, signed within 300 s of now (docs/registration.md).",
}
SIGNED_AT = {
    "name": "X-Huiwu-Timestamp",
    "in": "header",
    "required": True,
    "description": "The Unix time in seconds at which the body was signed.",
    "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
}
WEBHOOK_ERRORS = (400, 401, 404, 409, 413, 415, 503)


def _edge_operation(edge: Edge) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": edge.name, "parameters": []}
    media_type = edge.media_type.split(";")[0].strip()
    if media_type == "application/json":
        body: Any = edge.answer or _OBJECT
    elif media_type.startswith("text/"):
        body = {"type": "string"}
    else:
        body = _FILE
    responses: dict[str, Any] = {
        str(edge.status): {"description": "Done", "content": {media_type: {"schema": body}}}
    }
    if edge.kind == "command":
        operation["parameters"].append(IDEMPOTENCY_KEY)
    if edge.kind == "webhook":
        operation["parameters"].append(SIGNED_AT)
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": edge.schema}},
        }
        errors = WEBHOOK_ERRORS
    elif edge.kind == "query":
        if edge.schema is not None:
            operation["parameters"].append({"in": "query", "schema": edge.schema})
        errors = QUERY_ERRORS
    elif edge.caller == "query":
        # The body is a file (or none); who sends it and the command's fields are in the
        # query.
        operation["parameters"].append({"in": "query", "schema": _with_caller(edge)})
        if edge.file_body:
            operation["requestBody"] = {
                "required": True,
                "description": "The file, as it is (any content type).",
                "content": {"application/octet-stream": {"schema": _FILE}},
            }
        errors = COMMAND_ERRORS
    else:
        schema = _with_caller(edge)
        operation["requestBody"] = {
            "required": any(field.required for field in schema().fields.values()),
            "content": {"application/json": {"schema": schema}},
        }
        errors = COMMAND_ERRORS
    responses.update({str(status): ERRORS[status][0] for status in errors})
    operation["responses"] = responses
    return operation


def _plain_operation(handler: Any, path: str) -> dict[str, Any]:
    responses = copy.deepcopy(_PLAIN_ROUTES.get(path, _DEFAULT_PLAIN))
    if path not in _PLAIN_ROUTES:
        responses.update({"401": "Unauthenticated", "403": "Forbidden"})
    return {"operationId": handler.__name__, "responses": responses}


@functools.cache
def _with_caller(edge: Edge) -> type[Schema]:
    """The fields a command reads from its body (or query): the caller's and its own."""
    bases = (edge.schema, Caller) if edge.schema is not None else (Caller,)
    return type(f"{edge.name}Request", bases, {"__doc__": f"The input of {edge.name}."})


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of a werkzeug rule (`<string:x>` is `{x}`) and its parameters."""
    parameters = []
    for match in _RULE_PART.finditer(rule):
        schema = _PARAMETER_TYPE.get(match["converter"] or "string")
        if schema is None:  # werkzeug's default, text without a slash; readable (http.py)
            schema = {"type": "string", "minLength": 1, "pattern": _PATH_TEXT}
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return _RULE_PART.sub(lambda match: "{" + match["name"] + "}", rule), parameters


def _plugin() -> MarshmallowPlugin:
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)

    def init_spec(spec: APISpec) -> None:
        MarshmallowPlugin.init_spec(plugin, spec)
        plugin.converter.add_attribute_function(_combined_validators)

    plugin.init_spec = init_spec  # type: ignore[method-assign]
    return plugin


def _combined_validators(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """Lengths and patterns inside `validate.And` (fields.text), which apispec skips."""
    parts = [v for v in field.validators if isinstance(v, validate.And)]
    if not parts:
        return {}
    inner = copy.copy(field)
    inner.validators = [v for part in parts for v in part.validators]
    return {**self.field2length(inner), **self.field2pattern(inner)}


def _schema_name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    # A schema used with only some fields or partially is another component.
    if not isinstance(schema, type) and (schema.only or schema.exclude or schema.partial):
        name += "Partial"
    return name


def _version() -> str:
    try:
        return importlib.metadata.version("huiwu")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"
