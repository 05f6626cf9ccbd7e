"""Payments, payment methods and the secure link where payment details are entered."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.models import (
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    SecureLink,
)
from bot.billing.money import quantize
from bot.billing.policy import SecurityPolicy
from bot.billing.sql import accounts, mappers, queries
from bot.billing.sql.schema import installment_agreements, installments, invoices, payment_method_links
from bot.billing.sql.schema import payment_methods as methods
from bot.billing.sql.schema import payments as payments_table
from bot.billing.sql.writes import allocate, first_invoice_settled, insert_payment

AUTO_PAY_KINDS = (PaymentMethodKind.CARD, PaymentMethodKind.SEPA_DEBIT)
AGREEMENT_COMPLETED = "completed"
_TOKEN_BYTES = 32


def record_payment(
    conn: Connection,
    customer_id: int,
    amount: Decimal,
    method: PaymentMethodKind,
    provider_reference: str,
    now: datetime,
) -> Payment:
    existing = conn.execute(
        select(payments_table).where(payments_table.c.provider_reference == provider_reference)
    ).first()
    if existing is not None:
        if existing.customer_id != customer_id:
            raise NotAllowed("provider_reference_conflict")
        return mappers.payment(existing)
    customer = queries.customer_row(conn, customer_id)
    amount = quantize(amount, customer.currency)
    if amount <= 0:
        raise NotAllowed("payment_amount_not_positive")
    open_invoices = queries.open_invoices(conn, customer_id, for_update=True)
    payment_id = insert_payment(
        conn,
        customer_id=customer_id,
        amount=amount,
        currency=customer.currency,
        method=method,
        paid_at=now,
        provider_reference=provider_reference,
        invoice_reference=first_invoice_settled(amount, open_invoices),
    )
    allocate(conn, payment_id, amount, open_invoices)
    _complete_paid_agreements(conn, customer_id)
    accounts.reactivate_if_settled(conn, customer, now.date())
    row = conn.execute(select(payments_table).where(payments_table.c.id == payment_id)).one()
    return mappers.payment(row)


def list_payments(conn: Connection, customer_id: int, limit: int) -> list[Payment]:
    rows = conn.execute(
        select(payments_table)
        .where(payments_table.c.customer_id == customer_id)
        .order_by(payments_table.c.paid_at.desc(), payments_table.c.id.desc())
        .limit(limit)
    )
    return [mappers.payment(row) for row in rows]


def list_methods(conn: Connection, customer_id: int) -> list[PaymentMethod]:
    rows = conn.execute(
        select(methods)
        .where(methods.c.customer_id == customer_id)
        .order_by(methods.c.is_default.desc(), methods.c.id)
    )
    return [mappers.payment_method(row) for row in rows]


def default_method(conn: Connection, customer_id: int) -> PaymentMethod | None:
    return next((method for method in list_methods(conn, customer_id) if method.is_default), None)


def set_default_method(conn: Connection, customer_id: int, method_id: int) -> PaymentMethod:
    mine = (methods.c.customer_id == customer_id) & (methods.c.id == method_id)
    if conn.execute(select(methods.c.id).where(mine)).first() is None:
        raise NotFound("payment_method")
    conn.execute(update(methods).where(methods.c.customer_id == customer_id).values(is_default=False))
    conn.execute(update(methods).where(mine).values(is_default=True))
    return mappers.payment_method(conn.execute(select(methods).where(mine)).one())


def token_digest(token: str) -> str:
    """Our tokens are ASCII; anything else typed into the URL simply hashes to no known link."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_link(
    conn: Connection, customer_id: int, now: datetime, base_url: str, security: SecurityPolicy
) -> SecureLink:
    queries.customer_row(conn, customer_id)
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    expires_at = now + timedelta(minutes=security.payment_method_link_minutes)
    conn.execute(
        insert(payment_method_links).values(
            customer_id=customer_id, token_sha256=token_digest(token), created_at=now, expires_at=expires_at
        )
    )
    return SecureLink(url=f"{base_url}/secure/payment-method/{token}", expires_at=expires_at)


def redeem_link(conn: Connection, token: str, now: datetime) -> int:
    """The customer id of an unused, unexpired link, which is then used up."""
    digest = token_digest(token)
    row = conn.execute(
        select(payment_method_links).where(payment_method_links.c.token_sha256 == digest).with_for_update()
    ).first()
    if row is None or row.used_at is not None or now >= row.expires_at:
        raise NotFound("payment_method_link")
    conn.execute(update(payment_method_links).where(payment_method_links.c.id == row.id).values(used_at=now))
    return int(row.customer_id)


def check_auto_pay_possible(conn: Connection, customer_id: int) -> None:
    method = default_method(conn, customer_id)
    if method is None or method.kind not in AUTO_PAY_KINDS:
        raise NotAllowed("auto_pay_needs_card_or_direct_debit")


def _complete_paid_agreements(conn: Connection, customer_id: int) -> None:
    agreement = queries.active_agreement(conn, customer_id)
    if agreement is None:
        return
    statuses = conn.execute(
        select(invoices.c.status)
        .select_from(installments.join(invoices, installments.c.invoice_id == invoices.c.id))
        .where(installments.c.agreement_id == agreement.id)
    ).scalars()
    if all(status == InvoiceStatus.PAID.value for status in statuses):
        conn.execute(
            update(installment_agreements)
            .where(installment_agreements.c.id == agreement.id)
            .values(status=AGREEMENT_COMPLETED)
        )
