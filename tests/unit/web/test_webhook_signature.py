"""The pure signing and checking of the payment webhook (`bot.billing.webhook_signature`)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.billing.webhook_signature import InvalidSignature, StaleSignature, sign, verify

NOW = datetime(2026, 3, 11, 10, 30, tzinfo=timezone.utc)
SECRET = "whsec_test"
BODY = b'{"reference": "PG-7H3K9P", "provider_reference": "e2e-1", "status": "paid"}'


def test_the_header_is_the_hmac_of_timestamp_and_body() -> None:
    timestamp = int(NOW.timestamp())
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, NOW) == f"t={timestamp},v1={expected}"
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW), NOW) == timestamp


def test_the_tolerance_is_five_minutes_either_way() -> None:
    for shift in (timedelta(minutes=5), timedelta(minutes=-5), timedelta(0)):
        verify(SECRET, BODY, sign(SECRET, BODY, NOW + shift), NOW)
    for shift in (timedelta(minutes=5, seconds=1), timedelta(minutes=-5, seconds=-1)):
        with pytest.raises(StaleSignature):
            verify(SECRET, BODY, sign(SECRET, BODY, NOW + shift), NOW)


def test_wrong_secret_body_or_header_is_invalid() -> None:
    header = sign(SECRET, BODY, NOW)
    timestamp, signature = header.split(",")
    for other_secret, body, value in (
        ("other", BODY, header),
        (SECRET, BODY + b" ", header),
        (SECRET, BODY, None),
        (SECRET, BODY, ""),
        (SECRET, BODY, timestamp),
        (SECRET, BODY, signature),
        (SECRET, BODY, f"t={int(NOW.timestamp()) + 1},{signature}"),  # the timestamp is signed too
        (SECRET, BODY, f"{timestamp},{signature},{timestamp}"),
        (SECRET, BODY, f"{timestamp},v1=é"),
        (SECRET, BODY, f"{timestamp},v0={signature[3:]}"),
        (SECRET, BODY, "x" * 2000),
    ):
        with pytest.raises(InvalidSignature):
            verify(other_secret, body, value, NOW)


def test_a_rotated_secret_may_sign_alongside() -> None:
    timestamp, ours = sign(SECRET, BODY, NOW).split(",")
    theirs = sign("old-secret", BODY, NOW).split(",")[1]
    verify(SECRET, BODY, f"{timestamp},{theirs},{ours}", NOW)
    verify(SECRET, BODY, f"{ours}, {timestamp}", NOW)
    verify(SECRET, BODY, f"{timestamp},v1={ours.removeprefix('v1=').upper()}", NOW)  # hex in any case
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY, f"{timestamp},{theirs}", NOW)


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        sign("", BODY, NOW)
    with pytest.raises(ValueError):
        sign(SECRET, BODY, NOW.replace(tzinfo=None))


@given(st.binary(max_size=200), st.integers(min_value=0, max_value=2000))
def test_any_altered_body_is_refused(body: bytes, position: int) -> None:
    header = sign(SECRET, body, NOW)
    verify(SECRET, body, header, NOW)
    altered = (
        body[:position] + b"!" + body[position + 1 :]
        if body[position : position + 1] != b"!"
        else body + b"!"
    )
    with pytest.raises(InvalidSignature):
        verify(SECRET, altered, header, NOW)
