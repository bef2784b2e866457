"""HTTP calls to the services' JSON APIs (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from services.common.config import Settings

START_HINT = "start the services with `huiwu up` (or ./scripts/up)"


class ServiceUnreachable(Exception):
    """Nothing answered at the service's address."""

    def __init__(self, service: str, url: str, reason: str) -> None:
        super().__init__(f"cannot reach {service} at {url}: {reason}; {START_HINT}")
        self.service = service
        self.url = url
        self.reason = reason


class ServiceError(Exception):
    """The service answered with an error status; `body` is its JSON (or text) answer."""

    def __init__(self, service: str, status: int, body: Any) -> None:
        self.service = service
        self.status = status
        self.body = body
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if isinstance(self.body, dict) and self.body.get("message"):
            return str(self.body["message"])
        text = str(self.body).strip() if self.body else ""
        return text[:300] or f"{self.service} answered HTTP {self.status}"

    def field_errors(self) -> list[tuple[str, str]]:
        """[(field, message)] from the answer's "errors" object, nested keys joined by dots."""
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        return list(_flatten(errors, "")) if errors else []


def _flatten(errors: Any, prefix: str):
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        for message in errors:
            yield prefix or "_", message
    elif isinstance(errors, list):
        for index, item in enumerate(errors):
            yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix or "_", str(errors)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


class ServiceClient:
    """Calls one service at a time at the address its configuration gives."""

    def __init__(self, settings: Settings, timeout: float = 30.0, token: str | None = None) -> None:
        self.settings = settings
        self.timeout = timeout
        self.token = token

    def url(self, service: str, path: str = "") -> str:
        return self.settings.base_url(service) + path

    def request(
        self,
        service: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        content: bytes | None = None,
        content_type: str = "application/json",
        binary: bool = False,
        on_sent: Callable[[int], None] | None = None,
    ) -> Reply:
        """Any status comes back as a Reply; only an unreachable service raises.

        `content` sends raw bytes of `content_type` instead of a JSON `body`; with `binary`
        a successful answer's body is left as bytes (a file), an error's is still decoded.
        `on_sent` is told how many bytes of `content` went out, chunk by chunk.
        """
        base = self.url(service)
        url = base + path
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = content
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "*/*" if binary else "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if data is not None:
            headers["Content-Type"] = content_type
        payload: bytes | Iterator[bytes] | None = data
        if data is not None and on_sent is not None:
            headers["Content-Length"] = str(len(data))
            payload = _chunks(data, on_sent)
        request = urllib.request.Request(url, data=payload, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as answer:
                raw = answer.read()
                return Reply(answer.status, raw if binary else _decode(raw))
        except urllib.error.HTTPError as error:
            return Reply(error.code, _decode(error.read()))
        except urllib.error.URLError as error:
            raise ServiceUnreachable(
                service, base, _reason(error.reason, timeout or self.timeout)
            ) from None
        except OSError as error:  # refused, reset, timed out
            raise ServiceUnreachable(
                service, base, _reason(error, timeout or self.timeout)
            ) from None

    def call(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of a successful call; ServiceError for any error status."""
        reply = self.request(service, method, path, **kwargs)
        if reply.status >= 400:
            raise ServiceError(service, reply.status, reply.body)
        return reply.body

    def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return self.call(service, "GET", path, **kwargs)

    def post(self, service: str, path: str, body: Mapping[str, Any], **kwargs: Any) -> Any:
        return self.call(service, "POST", path, body=body, **kwargs)

    def download(self, service: str, path: str, **kwargs: Any) -> bytes:
        """The bytes of a file the service answers with; ServiceError for an error status."""
        return self.call(service, "GET", path, binary=True, **kwargs)

    def upload(
        self, service: str, path: str, content: bytes, content_type: str, **kwargs: Any
    ) -> Any:
        """POST a file as the request body; the JSON answer."""
        return self.call(
            service, "POST", path, content=content, content_type=content_type, **kwargs
        )


UPLOAD_CHUNK = 64 * 1024


def _chunks(data: bytes, on_sent: Callable[[int], None]) -> Iterator[bytes]:
    for start in range(0, len(data), UPLOAD_CHUNK):
        chunk = data[start : start + UPLOAD_CHUNK]
        yield chunk
        on_sent(len(chunk))


def path_segment(value: str) -> str:
    """An id as one URL path segment, whatever characters it holds."""
    return urllib.parse.quote(value, safe="")


def _decode(raw: bytes) -> Any:
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _reason(error: object, timeout: float) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g}s"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)
