"""Writes shared by the backend's operations and the demo seed, on the caller's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from bot.billing.models import Invoice, InvoiceLine, InvoiceStatus, PaymentMethodKind
from bot.billing.references import invoice_month_prefix, invoice_reference, invoice_sequence
from bot.billing.sql.schema import invoice_lines, invoices, payment_allocations, payments


def without_nul(value: str) -> str:
    """Free text as it can be stored: PostgreSQL text cannot hold NUL characters."""
    return value.replace("\x00", "")


def next_invoice_reference(conn: Connection, issued_on: date) -> str:
    """The next free `F{YYYYMM}-nnnn`; two concurrent writers collide on the unique constraint and
    the loser's transaction is retried."""
    prefix = invoice_month_prefix(issued_on)
    reference = invoices.c.reference
    latest = conn.execute(
        select(reference)
        .where(reference.like(f"{prefix}%"))
        .order_by(func.length(reference).desc(), reference.desc())
        .limit(1)
    ).scalar()
    sequence = invoice_sequence(latest) if latest else None
    return invoice_reference(issued_on, (sequence or 0) + 1)


def insert_invoice(
    conn: Connection,
    *,
    customer_id: int,
    issued_on: date,
    due_on: date,
    currency: str,
    lines: Sequence[InvoiceLine],
    amount_paid: Decimal = Decimal("0"),
    status: InvoiceStatus = InvoiceStatus.OPEN,
    reminders_sent: int = 0,
    replaced_by_agreement_id: int | None = None,
) -> tuple[int, str]:
    reference = next_invoice_reference(conn, issued_on)
    invoice_id = conn.execute(
        insert(invoices).values(
            reference=reference,
            customer_id=customer_id,
            issued_on=issued_on,
            due_on=due_on,
            currency=currency,
            amount_paid=amount_paid,
            status=status.value,
            reminders_sent=reminders_sent,
            replaced_by_agreement_id=replaced_by_agreement_id,
        )
    ).inserted_primary_key[0]
    conn.execute(
        insert(invoice_lines),
        [
            {
                "invoice_id": invoice_id,
                "position": position,
                "kind": line.kind.value,
                "label": line.label,
                "amount": line.amount,
                "period_start": line.period_start,
                "period_end": line.period_end,
            }
            for position, line in enumerate(lines)
        ],
    )
    return invoice_id, reference


def insert_payment(
    conn: Connection,
    *,
    customer_id: int,
    amount: Decimal,
    currency: str,
    method: PaymentMethodKind,
    paid_at: datetime,
    provider_reference: str,
    invoice_reference: str | None,
) -> int:
    result = conn.execute(
        insert(payments).values(
            customer_id=customer_id,
            provider_reference=provider_reference,
            amount=amount,
            currency=currency,
            method=method.value,
            paid_at=paid_at,
            invoice_reference=invoice_reference,
        )
    )
    return int(result.inserted_primary_key[0])


def allocate(conn: Connection, payment_id: int, amount: Decimal, open_invoices: Sequence[Invoice]) -> None:
    """Settle `open_invoices` in order with `amount`; an invoice fully paid becomes PAID.
    Sums are made here, not in SQL: SQLite keeps money as text."""
    remaining = amount
    for invoice in open_invoices:
        if remaining <= 0:
            break
        share = min(remaining, invoice.balance)
        paid = invoice.amount_paid + share
        status = InvoiceStatus.PAID if paid >= invoice.total else InvoiceStatus.OPEN
        conn.execute(
            update(invoices).where(invoices.c.id == invoice.id).values(amount_paid=paid, status=status.value)
        )
        conn.execute(
            insert(payment_allocations).values(payment_id=payment_id, invoice_id=invoice.id, amount=share)
        )
        remaining -= share


def first_invoice_settled(amount: Decimal, open_invoices: Sequence[Invoice]) -> str | None:
    return open_invoices[0].reference if amount > 0 and open_invoices else None
