"""Identity verification: customer number plus the billing postal code, with a lock after failures.

Failures are counted per number typed (hashed), known or not, so an unknown number answers, counts
down and locks exactly like a known one with a wrong code. Guesses on one number are judged one at a
time, each after the previous one was counted: the number's row is created if missing and locked before
the code is compared, so that guesses sent in parallel cannot all be judged before the first failure is
stored (PostgreSQL; SQLite's write transactions are serial already).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from bot.billing.models import VerificationOutcome, VerificationResult
from bot.billing.policy import SecurityPolicy
from bot.billing.sql import mappers
from bot.billing.sql.queries import customer_row_by_number
from bot.billing.sql.schema import verification_attempts

_IGNORED = re.compile(r"[\s\-.]+")
_LONGEST_NUMBER = 12
_ROW_ATTEMPTS = 10  # each retry means another verification of the number succeeded meanwhile


def normalize_factor(text: str) -> str:
    """`01310-100`, ` 01310 100 ` and `01310100` are the same postal code."""
    return _IGNORED.sub("", text).upper()


def number_hash(customer_number: str) -> str:
    return hashlib.sha256(normalize_factor(customer_number).encode("utf-8")).hexdigest()


def verify(
    conn: Connection, customer_number: str, second_factor: str, now: datetime, security: SecurityPolicy
) -> VerificationResult:
    key = number_hash(customer_number)
    attempts = _locked_attempts(conn, key, now)
    if attempts.locked_until is not None and now < attempts.locked_until:
        return VerificationResult(VerificationOutcome.LOCKED, locked_until=attempts.locked_until)
    lock_expired = attempts.locked_until is not None
    previous_failures = 0 if lock_expired else attempts.failures

    number = normalize_factor(customer_number)
    plausible = number.isascii() and number.isdigit() and len(number) <= _LONGEST_NUMBER
    row = customer_row_by_number(conn, number) if plausible else None
    if row is not None and _same(normalize_factor(row.postal_code), normalize_factor(second_factor)):
        conn.execute(delete(verification_attempts).where(verification_attempts.c.number_hash == key))
        return VerificationResult(VerificationOutcome.VERIFIED, customer=mappers.customer(row))

    failures = previous_failures + 1
    locked_until = now + timedelta(minutes=security.lock_minutes)
    locks = failures >= security.max_verification_failures
    values = {"failures": failures, "locked_until": locked_until if locks else None, "updated_at": now}
    conn.execute(
        update(verification_attempts).where(verification_attempts.c.number_hash == key).values(**values)
    )
    if locks:
        return VerificationResult(VerificationOutcome.LOCKED, locked_until=locked_until)
    return VerificationResult(
        VerificationOutcome.FAILED, attempts_left=security.max_verification_failures - failures
    )


def _locked_attempts(conn: Connection, key: str, now: datetime) -> Row:
    """The number's row (no failures yet when it was missing), locked until the transaction ends: a
    concurrent verification of the same number waits here, then reads what this one stored. The row can
    vanish while we wait (a concurrent success deletes it): then it is made again."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    query = select(verification_attempts).where(verification_attempts.c.number_hash == key)
    for _ in range(_ROW_ATTEMPTS):
        conn.execute(
            insert(verification_attempts)
            .values(number_hash=key, failures=0, locked_until=None, updated_at=now)
            .on_conflict_do_nothing(index_elements=[verification_attempts.c.number_hash])
        )
        row = conn.execute(query.with_for_update()).first()
        if row is not None:
            return row
    raise RuntimeError("the verification attempts row kept vanishing")


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
