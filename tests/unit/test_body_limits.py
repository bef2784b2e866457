"""How far the edge reads a body over its limit: a small overshoot is drained so the
client that writes before it reads still gets the 413; a large one is not read at all."""

import io

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.common.errors import TooLarge
from services.common.http import DRAIN_OVERSHOOT, read_body


class Counting(io.BytesIO):
    """A request body that says how much of it was read."""

    @property
    def taken(self) -> int:
        return self.tell()


def request(body: bytes, declared: int | None) -> tuple[Request, Counting]:
    stream = Counting(body)
    environ = EnvironBuilder(method="POST", data=b"").get_environ()
    environ["wsgi.input"] = stream
    if declared is None:
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(declared)
    return Request(environ), stream


def test_a_body_within_the_limit_is_read_whole():
    req, stream = request(b"x" * 100, 100)
    assert read_body(req, 100) == b"x" * 100


@pytest.mark.parametrize("declared", [True, False])
def test_a_small_overshoot_is_read_to_its_end_before_the_refusal(declared):
    body = b"x" * (1000 + DRAIN_OVERSHOOT // 2)
    req, stream = request(body, len(body) if declared else None)
    with pytest.raises(TooLarge) as refused:
        read_body(req, 1000)
    assert refused.value.limit == 1000
    assert stream.taken == len(body)


def test_a_declared_overshoot_beyond_the_drain_is_refused_unread():
    body = b"x" * (1000 + DRAIN_OVERSHOOT + 1)
    req, stream = request(body, len(body))
    with pytest.raises(TooLarge):
        read_body(req, 1000)
    assert stream.taken == 0


def test_an_undeclared_body_is_drained_no_further_than_the_overshoot():
    body = b"x" * (1000 + 2 * DRAIN_OVERSHOOT)
    req, stream = request(body, None)
    with pytest.raises(TooLarge):
        read_body(req, 1000)
    assert stream.taken == 1001 + DRAIN_OVERSHOOT
