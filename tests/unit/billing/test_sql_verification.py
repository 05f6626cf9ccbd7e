from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.billing.models import VerificationOutcome
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import customers

from .conftest import NOW

CAMILLE, ANA = "482130", "731402"


def test_success(backend: SqlBillingBackend) -> None:
    result = backend.verify_identity(CAMILLE, "75011", NOW)
    assert result.outcome is VerificationOutcome.VERIFIED
    assert result.customer is not None and result.customer.name == "Camille Martin"
    assert result.customer.language == "fr" and result.customer.currency == "EUR"


@pytest.mark.parametrize("typed", ["01310-100", "01310100", " 01310 100 ", "01310 - 100"])
def test_postal_codes_are_compared_normalised(backend: SqlBillingBackend, typed: str) -> None:
    assert backend.verify_identity(ANA, typed, NOW).outcome is VerificationOutcome.VERIFIED
    assert backend.verify_identity(" 731 402 ", typed, NOW).outcome is VerificationOutcome.VERIFIED


def test_wrong_code_and_unknown_number_look_the_same(backend: SqlBillingBackend) -> None:
    wrong = backend.verify_identity(CAMILLE, "75012", NOW)
    unknown = backend.verify_identity("999999", "75011", NOW)
    assert wrong == unknown
    assert wrong.outcome is VerificationOutcome.FAILED and wrong.customer is None and wrong.attempts_left == 4
    assert backend.verify_identity("999999", "75011", NOW) == backend.verify_identity(CAMILLE, "x", NOW)


def test_five_failures_lock_for_thirty_minutes(backend: SqlBillingBackend) -> None:
    lefts = [backend.verify_identity(CAMILLE, "00000", NOW).attempts_left for _ in range(4)]
    assert lefts == [4, 3, 2, 1]
    locked = backend.verify_identity(CAMILLE, "00000", NOW)
    assert locked.outcome is VerificationOutcome.LOCKED
    assert locked.locked_until == NOW + timedelta(minutes=30)
    # even the right code is refused while locked
    later = NOW + timedelta(minutes=29)
    still = backend.verify_identity(CAMILLE, "75011", later)
    assert still.outcome is VerificationOutcome.LOCKED and still.customer is None
    assert still.locked_until == locked.locked_until
    # unknown numbers lock the same way
    for _ in range(4):
        backend.verify_identity("999999", "1", NOW)
    assert backend.verify_identity("999999", "1", NOW).outcome is VerificationOutcome.LOCKED
    # after the lock, the right code works and resets the counter
    unlocked = backend.verify_identity(CAMILLE, "75011", NOW + timedelta(minutes=30))
    assert unlocked.outcome is VerificationOutcome.VERIFIED
    assert backend.verify_identity(CAMILLE, "bad", NOW + timedelta(minutes=31)).attempts_left == 4


def test_success_resets_the_failure_count(backend: SqlBillingBackend) -> None:
    for _ in range(3):
        backend.verify_identity(CAMILLE, "bad", NOW)
    assert backend.verify_identity(CAMILLE, "75011", NOW).outcome is VerificationOutcome.VERIFIED
    assert backend.verify_identity(CAMILLE, "bad", NOW).attempts_left == 4


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("482130' OR '1'='1", "75011"),
        ("482130", "' OR 1=1 --"),
        ("1; DROP TABLE customers; --", "x'); DELETE FROM customers; --"),
        ("4" * 10_000, "7" * 10_000),
        ("482130", "75011" + " " * 10_000 + "x"),
        ("\x00482130", "éçã€\u202f"),
    ],
    ids=["or-in-number", "or-in-code", "drop-table", "10k-chars", "10k-spaces", "nul-and-unicode"],
)
def test_hostile_input_simply_fails(
    backend: SqlBillingBackend, seeded: Engine, number: str, code: str
) -> None:
    result = backend.verify_identity(number, code, NOW)
    assert result.outcome is VerificationOutcome.FAILED and result.customer is None
    with seeded.connect() as conn:  # the tables are intact
        assert conn.execute(select(func.count()).select_from(customers)).scalar_one() == 10


def test_naive_datetimes_are_refused(backend: SqlBillingBackend) -> None:
    with pytest.raises(ValueError):
        backend.verify_identity(CAMILLE, "75011", NOW.replace(tzinfo=None))
