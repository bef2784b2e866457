"""Tokens and the gatekeeper (SQLite token table, fake clocks): only a hash is kept, a
revocation is seen within the half second a found token is remembered, and a bad header
says what is wrong."""

from datetime import UTC, datetime, timedelta

import pytest

from services.common.authentication import REMEMBER_FOR, Gatekeeper
from services.common.config import Settings
from services.common.errors import Unauthenticated, Unavailable
from services.common.token_store import TokenStore
from services.common.tokens import hash_token, token_id_of


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


@pytest.fixture
def store(tmp_path):
    admin = TokenStore(Settings(data_dir=tmp_path))
    yield admin
    admin.close()


def test_only_the_hash_is_kept(store, tmp_path):
    record, token = store.create("li", "organizer", "c1")

    assert record.token_hash == hash_token(token)
    assert token.startswith(f"hw_{record.token_id}_")
    assert token.encode() not in (tmp_path / "identity.sqlite").read_bytes()
    assert store.find(record.token_id).matches(token)


def test_a_revocation_is_seen_within_the_time_a_token_is_remembered(store, tmp_path):
    _, token = store.create("li", "auditor")
    reader = TokenStore(Settings(data_dir=tmp_path), reader="vendors")
    clock = Clock()
    gate = Gatekeeper(reader, monotonic=clock)
    assert gate.principal(f"Bearer {token}").name == "li"

    store.revoke(token_id_of(token))
    clock.t += REMEMBER_FOR - 0.01
    assert gate.principal(f"Bearer {token}").name == "li"  # remembered, briefly
    clock.t += 0.02
    with pytest.raises(Unauthenticated, match="revoked"):
        gate.principal(f"Bearer {token}")
    assert REMEMBER_FOR <= 0.5  # so every service refuses it within a second
    reader.close()


def test_an_expired_token_is_refused(store):
    now = datetime.now(UTC)
    _, token = store.create("li", "auditor", expires_at=now + timedelta(hours=1))
    gate = Gatekeeper(store, now=lambda: now + timedelta(hours=2))

    with pytest.raises(Unauthenticated, match="expired"):
        gate.principal(f"Bearer {token}")


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (None, "no bearer token"),
        ("", "no bearer token"),
        ("Basic bGk6bGk=", "Bearer <token>"),
        ("Bearer ", "Bearer <token>"),
        ("Bearer li", "not a Huiwu token"),
        ("Bearer hw_0123456789ab_" + "x" * 43, "unknown token"),
    ],
)
def test_a_bad_header_says_what_is_wrong(store, header, why):
    store.create_table()
    with pytest.raises(Unauthenticated, match=why):
        Gatekeeper(store).principal(header)


def test_a_token_with_the_right_id_and_the_wrong_secret_is_unknown(store):
    record, token = store.create("li", "auditor")
    forged = f"hw_{record.token_id}_" + "y" * 43

    with pytest.raises(Unauthenticated, match="unknown token"):
        Gatekeeper(store).principal(f"Bearer {forged}")


def test_before_any_token_is_made_every_token_is_unknown(tmp_path):
    reader = TokenStore(Settings(data_dir=tmp_path), reader="vendors")
    with pytest.raises(Unauthenticated, match="unknown token"):
        Gatekeeper(reader).principal("Bearer hw_0123456789ab_" + "x" * 43)
    reader.close()


def test_a_table_out_of_reach_is_unavailable_never_a_pass(tmp_path):
    class Down:
        def find(self, token_id):
            raise OSError("disk gone")

    with pytest.raises(Unavailable):
        Gatekeeper(Down()).principal("Bearer hw_0123456789ab_" + "x" * 43)


def test_the_first_admin_is_made_only_while_none_is_active(store):
    store.create("ops", "admin", only_if_no_admin=True)
    with pytest.raises(LookupError):
        store.create("mallory", "admin", only_if_no_admin=True)
    # An organizer's token does not count; a revoked admin's does not either.
    (ops,) = [r for r in store.all() if r.role == "admin"]
    store.revoke(ops.token_id)
    store.create("ops2", "admin", only_if_no_admin=True)
