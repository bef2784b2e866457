"""The JSON edge of a service: load with a schema, call the use case, dump the answer with a
schema, and map errors in one table.

A caller's mistake is a 4xx that names the field and why, never a 500. Commands are
counted and timed by the `Monitor` dependency from the status of the answer.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError
from werkzeug.wrappers import Request, Response

from services import policy

from . import idempotency
from .commands import CALLER_FIELDS, Caller
from .domain import CommandContext
from .errors import (
    Conflict,
    Forbidden,
    HuiwuError,
    InvalidCommand,
    NotFound,
    TooLarge,
    Unauthenticated,
    Unavailable,
    WrongMediaType,
)
from .tokens import ADMIN, Principal

log = logging.getLogger(__name__)

# The one place where a kind of error becomes an HTTP status.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ValidationError, 400),
    (InvalidCommand, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (WrongMediaType, 415),
    (Unavailable, 503),
)
MAX_JSON_BODY = 1024 * 1024  # a command is a few kilobytes; a plan import has its own limit
DRAIN_OVERSHOOT = 8 * 1024 * 1024  # read and dropped past a limit, so the 413 is seen
DRAIN_CHUNK = 64 * 1024

_CALLER = Caller()


@dataclass(frozen=True)
class Edge:
    """What an entrypoint reads and answers: its OpenAPI description is made from this."""

    kind: str  # "command" or "query"
    name: str
    schema: type[Schema] | None
    answer: type[Schema] | None
    status: int
    caller: str = "body"
    media_type: str = "application/json"  # of a successful answer
    file_body: bool = True  # with caller="query": the body is a file (else none: a GET)


@dataclass(frozen=True)
class RawJson:
    """An answer already rendered as JSON by its schema (a read model stores it so)."""

    body: bytes


def json_response(body: Any, status: int = 200) -> Response:
    if isinstance(body, RawJson):
        return Response(body.body, status=status, mimetype="application/json")
    return Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype="application/json",
    )


def read_body(request: Request, limit: int) -> bytes:
    """The body, read no further than `limit` bytes (413 beyond)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        refuse_too_large(request, limit, declared - limit)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        refuse_too_large(request, limit, DRAIN_OVERSHOOT)
    return raw


def refuse_too_large(request: Request, limit: int, rest: int) -> None:
    """413, after reading and dropping what is left of an overshoot of at most
    DRAIN_OVERSHOOT: a client that writes its whole body before reading (no
    `Expect: 100-continue`, as Python's urllib) would otherwise have the connection
    reset under it and never see the answer. A larger body is cut at once."""
    if rest <= DRAIN_OVERSHOOT:
        remaining = DRAIN_OVERSHOOT
        while remaining > 0:
            chunk = request.stream.read(min(DRAIN_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
    raise TooLarge(limit)


def read_json(request: Request, limit: int = MAX_JSON_BODY) -> dict[str, Any]:
    return parse_json(request, read_body(request, limit))


def parse_json(request: Request, raw: bytes) -> dict[str, Any]:
    """A command's body, already read: a JSON object of readable text."""
    if not raw:
        return {}
    media = (request.mimetype or "").lower()
    if media != "application/json":
        raise WrongMediaType(
            f"send the body as application/json, not {media or 'no content type'}",
            field="_body",
        )
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ValidationError({"_body": ["request body is nested too deeply"]}) from None
    except ValueError as exc:
        raise ValidationError({"_body": [f"request body is not valid JSON: {exc}"]}) from None
    if not isinstance(data, dict):
        raise ValidationError({"_body": ["request body must be a JSON object"]})
    refuse_unreadable(data)
    return data


def refuse_unreadable(data: Any, path: str = "") -> None:
    """NUL, other control characters and unpaired surrogates, anywhere in a body or a
    query: no store or reader downstream can hold them all (400 naming where)."""
    stack = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack += [(f"{where}.{k}" if where else str(k), k) for k in value]
            stack += [(f"{where}.{k}" if where else str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{where}.{i}" if where else str(i), v) for i, v in enumerate(value)]
        elif isinstance(value, str) and _UNREADABLE.search(value):
            raise ValidationError(
                {
                    where or "_body": [
                        "must not contain NUL, control characters or unpaired surrogates"
                    ]
                }
            )


_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def file_response(body: bytes, content_type: str, filename: str) -> Response:
    """A download: the bytes, their full content type and the name to save them under."""
    quoted = urllib.parse.quote(filename, safe="")
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    response = Response(body, status=200, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    )
    return response


def error_response(exc: Exception) -> Response | None:
    """The answer to a caller's mistake, or None for anything else (a bug: 500)."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            if isinstance(exc, ValidationError):
                body = {"error": "ValidationError", "message": "invalid input"}
                return json_response({**body, "errors": exc.messages}, status)
            assert isinstance(exc, HuiwuError)
            return json_response(exc.to_dict(), status)
    return None


def load_command(
    schema: Schema | None,
    source: Mapping[str, Any],
    principal: Principal,
    caller: Mapping[str, Any] | None = None,
) -> tuple[Any, CommandContext]:
    """(command, context) from a body: the caller's fields apart, the rest by the schema.

    The actor is the token's holder; a caller acting for someone else names them in
    `on_behalf_of` and both are recorded. Every field at fault is reported at once.
    """
    data = dict(source)
    caller = (
        dict(caller)
        if caller is not None
        else {key: data.pop(key) for key in CALLER_FIELDS if key in data}
    )
    errors: dict[str, Any] = {}
    if "actor" in caller:
        caller.pop("actor")
        errors["actor"] = [
            "the actor is the holder of the request's token; "
            "to act for someone else, give on_behalf_of"
        ]
    loaded_caller: dict[str, Any] = {}
    command: Any = None
    try:
        loaded_caller = _CALLER.load(caller)
    except ValidationError as exc:
        errors.update(exc.normalized_messages())
    try:
        command = schema.load(data) if schema is not None else None
        if schema is None and data:
            raise ValidationError({key: ["Unknown field."] for key in data})
    except ValidationError as exc:
        errors.update(exc.normalized_messages())
    if errors:
        raise ValidationError(errors)
    context = CommandContext.new(
        principal.name, loaded_caller["correlation_id"], loaded_caller["on_behalf_of"]
    )
    return command, context


def refuse_role(principal: Principal, name: str) -> None:
    why = policy.role_refusal(principal, name)
    if why is not None:
        raise Forbidden(why, name, tuple(sorted(policy.rule_for(name).roles)))


def authorize(
    service: Any,
    principal: Principal,
    name: str,
    path: Mapping[str, Any],
    loaded: Any,
    scope: str | None,
) -> None:
    """Refuse (`Forbidden`) unless the principal may give `name` about what it targets:
    the conference of the path or of the command, or what `scope` (a method of the
    service taking the path's values) says the request is about."""
    if principal.role == ADMIN:
        return
    rule = policy.rule_for(name)
    if not (rule.per_conference or rule.per_entry):
        return
    if scope is not None:
        target = getattr(service, scope)(**path)
    else:
        conference = path.get("conference_id") or getattr(loaded, "conference_id", None)
        target = policy.Target(str(conference) if conference is not None else None)
    why = policy.target_refusal(principal, name, target)
    if why is not None:
        raise Forbidden(why, name, tuple(sorted(rule.roles)))


def command(
    name: str,
    schema: type[Schema] | None = None,
    answer: type[Schema] | None = None,
    status: int = 200,
    caller: str = "body",
    max_body: int = MAX_JSON_BODY,
    scope: str | None = None,
    media_type: str = "application/json",
    file_body: bool = True,
) -> Callable:
    """A command entrypoint: `handler(self, command, ctx, **path)`, its result dumped by
    `answer`. `caller="query"` reads the caller's fields from the query string (for a
    body that is a file, of at most `max_body` bytes; `file_body=False` for a GET that
    records what it hands out, answering a download of `media_type`). `scope` names a method of the
    service that says what the request is about (`authorize`). With an `Idempotency-Key`
    header, a retry gets the first answer (`idempotency.py`)."""
    loader = schema() if schema is not None else None

    def call(
        handler: Callable,
        self: Any,
        request: Request,
        path: dict[str, Any],
        who: Principal,
        raw: bytes,
    ) -> Any:
        refuse_role(who, name)
        if caller == "query":
            source = request.args.to_dict()
            refuse_unreadable(source)
            fields = {key: source.pop(key) for key in CALLER_FIELDS if key in source}
            cmd, ctx = load_command(loader, source, who, fields)
            authorize(self, who, name, path, cmd, scope)
            return handler(self, cmd, ctx, raw, **path)
        cmd, ctx = load_command(loader, parse_json(request, raw), who)
        authorize(self, who, name, path, cmd, scope)
        return handler(self, cmd, ctx, **path)

    edge = Edge("command", name, schema, answer, status, caller, media_type, file_body)
    return _edge(name, call, answer, status, max_body, edge)


def query(
    name: str,
    schema: type[Schema] | None = None,
    answer: type[Schema] | None = None,
    scope: str | None = None,
    media_type: str = "application/json",
):
    """A read entrypoint: `handler(self, query, **path)` (query loaded from the query
    string), its result dumped by `answer`, or a RawJson or Response passed through
    (a Response of `media_type`, for a download)."""
    loader = schema() if schema is not None else None

    def call(
        handler: Callable,
        self: Any,
        request: Request,
        path: dict[str, Any],
        who: Principal,
        raw: None,
    ) -> Any:
        refuse_role(who, name)
        args = request.args.to_dict()
        refuse_unreadable(args)
        if loader is None:
            if args:
                raise ValidationError({key: ["Unknown field."] for key in args})
            authorize(self, who, name, path, None, scope)
            return handler(self, **path)
        loaded = loader.load(args)
        authorize(self, who, name, path, loaded, scope)
        return handler(self, loaded, **path)

    edge = Edge("query", name, schema, answer, 200, media_type=media_type)
    return _edge(name, call, answer, 200, None, edge)


def _edge(
    name: str,
    call: Callable,
    answer: type[Schema] | None,
    status: int,
    max_body: int | None = None,
    edge: Edge | None = None,
) -> Callable:
    """Authenticate, run `call`, render its result; a command (`max_body` given) reads its
    body here, so that a retry with an Idempotency-Key can be matched to the first try."""
    dumper = answer() if answer is not None else None

    def decorate(handler: Callable) -> Callable:
        def render(result: Any) -> Response:
            if isinstance(result, Response):
                return result
            if dumper is not None and not isinstance(result, RawJson):
                result = dumper.dump(result)
            return json_response(result, status)

        def handle(self: Any, request: Request, path: dict[str, Any], who: list) -> Response:
            principal = self.gate.principal(request.headers.get("Authorization"))
            who.append(principal)
            refuse_unreadable(path)  # a NUL in an id: PostgreSQL cannot even compare it
            if max_body is None:
                return render(call(handler, self, request, path, principal, None))
            raw = read_body(request, max_body)
            key = idempotency.checked_key(request.headers.get(idempotency.HEADER))
            if key is None:
                return render(call(handler, self, request, path, principal, raw))

            def first() -> idempotency.Answer:
                response = answered(
                    lambda: render(call(handler, self, request, path, principal, raw)), who
                )
                return idempotency.Answer(
                    response.status_code, response.get_data(), response.content_type
                )

            print_ = idempotency.fingerprint(name, request.path, request.query_string, raw)
            kept = self.replies.once(principal.token_id, key, print_, first)
            return Response(kept.body, status=kept.status, content_type=kept.content_type)

        def answered(thunk: Callable[[], Response], who: list) -> Response:
            try:
                return thunk()
            except Exception as exc:  # noqa: BLE001 - mapped below, or a logged 500
                if isinstance(exc, (Unauthenticated, Forbidden)):
                    # The token's public id only: a log must never hold a secret.
                    holder = who[0].token_id if who else "no valid token"
                    log.warning("%s refused (%s): %s", name, holder, exc)
                mapped = error_response(exc)
                if mapped is not None:
                    if isinstance(exc, Unauthenticated):
                        mapped.headers["WWW-Authenticate"] = 'Bearer realm="huiwu"'
                    return mapped
                log.exception("%s failed", name)
                return json_response(
                    {"error": "InternalError", "message": f"{name} failed; see the service log"},
                    500,
                )

        @functools.wraps(handler)
        def wrapper(self: Any, request: Request, **path: Any) -> Response:
            who: list[Principal] = []
            return answered(lambda: handle(self, request, path, who), who)

        wrapper.huiwu_command = name  # type: ignore[attr-defined]
        wrapper.huiwu_edge = edge  # type: ignore[attr-defined]
        return wrapper

    return decorate
