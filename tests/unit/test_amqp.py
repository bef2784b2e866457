"""Publisher-confirm bookkeeping of the ConfirmingPublisher, fed acks and nacks by hand."""

import pytest

from services.common.amqp import ConfirmingPublisher, safe_amqp_uri


@pytest.fixture
def publisher():
    # Nothing connects until a message is published.
    return ConfirmingPublisher("amqp://guest:secret@127.0.0.1:5672/")


def test_single_acks_in_order_advance_one_by_one(publisher):
    for tag in (1, 2, 3):
        publisher._on_ack(tag, False)

    assert publisher._acked_upto == 3
    assert publisher._nacked == set()


def test_a_multiple_ack_confirms_everything_up_to_its_tag(publisher):
    publisher._on_ack(5, True)

    assert publisher._acked_upto == 5
    publisher._on_ack(3, True)  # an older multiple ack changes nothing
    assert publisher._acked_upto == 5


def test_single_acks_out_of_order_wait_for_the_missing_one(publisher):
    publisher._on_ack(2, False)
    publisher._on_ack(4, False)
    assert publisher._acked_upto == 0

    publisher._on_ack(1, False)
    assert publisher._acked_upto == 2

    publisher._on_ack(3, False)
    assert publisher._acked_upto == 4
    assert publisher._single_acks == set()


def test_a_multiple_ack_then_pending_single_acks_advance_together(publisher):
    publisher._on_ack(4, False)
    publisher._on_ack(5, False)

    publisher._on_ack(3, True)

    assert publisher._acked_upto == 5


def test_a_single_nack_is_confirmed_but_remembered_as_nacked(publisher):
    publisher._on_ack(1, False)
    publisher._on_nack(2, False)
    publisher._on_ack(3, False)

    assert publisher._acked_upto == 3
    assert publisher._nacked == {2}


def test_a_single_nack_out_of_order(publisher):
    publisher._on_nack(3, False)
    assert publisher._acked_upto == 0

    publisher._on_ack(2, True)
    assert publisher._acked_upto == 3
    assert publisher._nacked == {3}


def test_a_multiple_nack_marks_every_unconfirmed_tag_up_to_it(publisher):
    publisher._on_ack(2, True)

    publisher._on_nack(5, True)

    assert publisher._acked_upto == 5
    assert publisher._nacked == {3, 4, 5}


def test_a_multiple_nack_spares_tags_already_acked_out_of_order(publisher):
    publisher._on_ack(3, False)

    publisher._on_nack(4, True)

    assert publisher._acked_upto == 4
    assert publisher._nacked == {1, 2, 4}


def test_a_multiple_nack_lets_later_single_acks_advance(publisher):
    publisher._on_ack(4, False)  # 4 arrived before the nack of 1..3

    publisher._on_nack(3, True)

    assert publisher._acked_upto == 4
    assert publisher._nacked == {1, 2, 3}


def test_the_uri_shown_to_people_has_no_password(publisher):
    assert "secret" not in publisher.safe_uri
    assert "secret" not in safe_amqp_uri("amqp://u:secret@broker:5672/vh")
    assert "broker" in safe_amqp_uri("amqp://u:secret@broker:5672/vh")


def test_publishing_nothing_needs_no_broker(publisher):
    publisher.publish([])

    assert publisher._channel is None
