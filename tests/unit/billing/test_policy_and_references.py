from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.billing import references
from bot.billing.models import InstallmentPolicy
from bot.billing.policy import DEFAULT_SECURITY, CountryPolicy, policy_for

AMBIGUOUS = set("0O1IL")


def test_french_defaults() -> None:
    france = policy_for("fr")
    assert (france.invoice_day, france.debit_day, france.review_days) == (2, 22, 20)
    assert france.allowed_due_days == (5, 10, 15, 22, 28)
    assert (france.late_fixed_fee, france.late_monthly_interest) == (Decimal("7.50"), Decimal("0.008"))
    assert france.installments == InstallmentPolicy(6, Decimal("20.00"), Decimal("0"))
    assert france.cancellation_notice_days == 10
    assert france.due_day_change_every_months == 6
    assert france.manual_payment_admin_fee_rate == Decimal("0.15")
    assert france.early_termination_rate == Decimal("0.25")
    assert (france.retention_offer.discount_percent, france.retention_offer.months) == (Decimal("20"), 3)
    assert (france.trust_release_days, france.trust_release_cooldown_days) == (3, 365)


def test_brazilian_and_portuguese_defaults() -> None:
    brazil, portugal = policy_for("BR"), policy_for("PT")
    assert brazil.allowed_due_days == portugal.allowed_due_days == (5, 10, 15, 20, 25)
    assert (brazil.late_percent_fee, brazil.late_monthly_interest) == (Decimal("0.02"), Decimal("0.01"))
    assert brazil.installments == InstallmentPolicy(10, Decimal("50.00"), Decimal("0.01"))
    assert (brazil.cancellation_notice_days, portugal.cancellation_notice_days) == (0, 30)
    assert portugal.late_fixed_fee == Decimal("7.50")
    assert (DEFAULT_SECURITY.max_verification_failures, DEFAULT_SECURITY.lock_minutes) == (5, 30)
    assert DEFAULT_SECURITY.payment_method_link_minutes == 30


@pytest.mark.parametrize(
    "change",
    [
        {"late_percent_fee": Decimal("0.021")},
        {"late_monthly_interest": Decimal("0.0101")},
        {"late_fixed_fee": Decimal("1.00")},
    ],
)
def test_brazilian_policy_above_the_legal_caps_is_rejected(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        replace(policy_for("BR"), **change)


def test_policies_are_checked_and_overridable() -> None:
    cheaper = replace(policy_for("FR"), late_fixed_fee=Decimal("5.00"))
    assert policy_for("FR", {"FR": cheaper}).late_fixed_fee == Decimal("5.00")
    assert policy_for("FR", {"BR": policy_for("BR")}) == policy_for("FR")
    with pytest.raises(TypeError):
        replace(policy_for("FR"), late_monthly_interest=0.01)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        replace(policy_for("FR"), debit_day=7)  # not an allowed due day
    with pytest.raises(ValueError):
        replace(policy_for("PT"), late_fixed_fee=Decimal("-1"))
    with pytest.raises(LookupError):
        policy_for("ES")
    assert isinstance(policy_for("BR"), CountryPolicy)


def test_random_references() -> None:
    for make, prefix in (
        (references.ticket_reference, "TK"),
        (references.cancellation_reference, "RS"),
        (references.agreement_reference, "AC"),
    ):
        drawn = {make() for _ in range(200)}
        assert len(drawn) > 195
        for reference in drawn:
            assert re.fullmatch(rf"{prefix}-[A-Z2-9]{{6}}", reference)
            assert not AMBIGUOUS & set(reference[3:])
            assert references.parse_reference(reference.lower()) == reference


def test_invoice_references() -> None:
    reference = references.invoice_reference(date(2026, 11, 3), 42)
    assert reference == "F202611-0042"
    assert references.invoice_sequence(reference) == 42
    assert references.invoice_sequence("TK-ABCDEF") is None
    assert references.normalize_reference(" f202611-0042 ") == "F202611-0042"
    assert references.normalize_reference("tk 7h3k9p") == "TK-7H3K9P"
    assert references.normalize_reference("tk7h3k9p") == "TK-7H3K9P"
    assert references.parse_reference(" f202611-0042 ") == "F202611-0042"
    assert references.parse_reference("'; DROP TABLE invoices; --") is None
    assert references.parse_reference("TK-\x00") is None
