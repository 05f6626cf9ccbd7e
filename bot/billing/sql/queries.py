"""Reads shared by the backend's operations, each on the caller's connection (one transaction)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from bot.billing.backend import NotFound
from bot.billing.models import Invoice, InvoiceStatus, LineKind, Plan, Subscription
from bot.billing.references import parse_reference
from bot.billing.sql import mappers
from bot.billing.sql.schema import (
    cancellations,
    customers,
    installment_agreements,
    invoice_lines,
    invoices,
    plans,
    subscriptions,
    trust_releases,
)

Row = Any

AGREEMENT_ACTIVE = "active"
CANCELLATION_PENDING = "pending"
_BILLED_SERVICE = (LineKind.SUBSCRIPTION.value, LineKind.PRORATA.value)


def customer_row(conn: Connection, customer_id: int) -> Row:
    row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
    if row is None:
        raise NotFound("customer")
    return row


def customer_row_by_number(conn: Connection, number: str) -> Row | None:
    return conn.execute(select(customers).where(customers.c.number == number)).first()


def plan_of(conn: Connection, code: str) -> Plan:
    if not code.isprintable():
        raise NotFound("plan")
    row = conn.execute(select(plans).where(plans.c.code == code)).first()
    if row is None:
        raise NotFound("plan")
    return mappers.plan(row)


def plans_of_country(conn: Connection, country: str) -> list[Plan]:
    rows = conn.execute(select(plans).where(plans.c.country == country.upper()).order_by(plans.c.rank))
    return [mappers.plan(row) for row in rows]


def find_subscription_row(conn: Connection, customer_id: int, *, for_update: bool = False) -> Row | None:
    query = select(subscriptions).where(subscriptions.c.customer_id == customer_id)
    return conn.execute(query.with_for_update() if for_update else query).first()


def subscription_row(conn: Connection, customer_id: int, *, for_update: bool = False) -> Row:
    row = find_subscription_row(conn, customer_id, for_update=for_update)
    if row is None:
        raise NotFound("subscription")
    return row


def subscription_of(conn: Connection, customer_id: int) -> Subscription:
    row = subscription_row(conn, customer_id)
    return mappers.subscription(row, plan_of(conn, row.plan_code))


def invoices_of(
    conn: Connection,
    customer_id: int,
    *,
    reference: str | None = None,
    status: InvoiceStatus | None = None,
    newest_first: bool = True,
    limit: int | None = None,
    for_update: bool = False,
) -> list[Invoice]:
    query = select(invoices).where(invoices.c.customer_id == customer_id)
    if reference is not None:
        query = query.where(invoices.c.reference == reference)
    if status is not None:
        query = query.where(invoices.c.status == status.value)
    if newest_first:
        query = query.order_by(invoices.c.issued_on.desc(), invoices.c.id.desc())
    else:
        query = query.order_by(invoices.c.due_on, invoices.c.issued_on, invoices.c.id)
    if limit is not None:
        query = query.limit(limit)
    if for_update:
        query = query.with_for_update()
    rows = conn.execute(query).all()
    lines = _lines_by_invoice(conn, [row.id for row in rows])
    return [mappers.invoice(row, lines[row.id]) for row in rows]


def invoice_of(conn: Connection, customer_id: int, reference: str) -> Invoice:
    """The customer's invoice by reference, as typed (`f202611-0042`)."""
    wanted = parse_reference(reference)
    if wanted is None:
        raise NotFound("invoice")
    found = invoices_of(conn, customer_id, reference=wanted)
    if not found:
        raise NotFound("invoice")
    return found[0]


def first_invoice(conn: Connection, customer_id: int, started_on: date) -> Invoice | None:
    """The invoice that bills the first days of service (from `started_on`: a pro-rata line, or the
    first month when the service started on a due day); None when it is no longer on record."""
    first = conn.execute(
        select(invoices.c.reference)
        .select_from(invoices.join(invoice_lines))
        .where(
            invoices.c.customer_id == customer_id,
            invoice_lines.c.kind.in_(_BILLED_SERVICE),
            invoice_lines.c.period_start == started_on,
        )
        .order_by(invoices.c.issued_on, invoices.c.id)
        .limit(1)
    ).scalar()
    return None if first is None else invoices_of(conn, customer_id, reference=first)[0]


def open_invoices(conn: Connection, customer_id: int, *, for_update: bool = False) -> list[Invoice]:
    """Oldest due first: the order in which payments settle them."""
    found = invoices_of(
        conn, customer_id, status=InvoiceStatus.OPEN, newest_first=False, for_update=for_update
    )
    return [invoice for invoice in found if invoice.balance > 0]


def overdue_invoices(conn: Connection, customer_id: int, today: date) -> list[Invoice]:
    return [invoice for invoice in open_invoices(conn, customer_id) if invoice.is_overdue(today)]


def billed_until(conn: Connection, customer_id: int) -> date | None:
    """The first day of service not invoiced yet, or None before the first invoice."""
    last_day = conn.execute(
        select(func.max(invoice_lines.c.period_end))
        .select_from(invoice_lines.join(invoices))
        .where(
            invoices.c.customer_id == customer_id,
            invoices.c.status != InvoiceStatus.VOID.value,
            invoice_lines.c.kind.in_(_BILLED_SERVICE),
        )
    ).scalar()
    return None if last_day is None else last_day + timedelta(days=1)


def last_trust_release(conn: Connection, customer_id: int) -> Row | None:
    return conn.execute(
        select(trust_releases)
        .where(trust_releases.c.customer_id == customer_id)
        .order_by(trust_releases.c.granted_on.desc(), trust_releases.c.id.desc())
        .limit(1)
    ).first()


def active_agreement(conn: Connection, customer_id: int) -> Row | None:
    return conn.execute(
        select(installment_agreements).where(
            installment_agreements.c.customer_id == customer_id,
            installment_agreements.c.status == AGREEMENT_ACTIVE,
        )
    ).first()


def pending_cancellation(conn: Connection, customer_id: int) -> Row | None:
    return conn.execute(
        select(cancellations).where(
            cancellations.c.customer_id == customer_id, cancellations.c.status == CANCELLATION_PENDING
        )
    ).first()


def _lines_by_invoice(conn: Connection, invoice_ids: Sequence[int]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    if not invoice_ids:
        return grouped
    rows = conn.execute(
        select(invoice_lines)
        .where(invoice_lines.c.invoice_id.in_(invoice_ids))
        .order_by(invoice_lines.c.invoice_id, invoice_lines.c.position)
    )
    for row in rows:
        grouped[row.invoice_id].append(row)
    return grouped
