"""Installment agreements: overdue invoices replaced by monthly installments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from bot.billing import rules
from bot.billing.backend import NotAllowed
from bot.billing.models import (
    Installment,
    InstallmentAgreement,
    InstallmentOffer,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from bot.billing.money import quantize
from bot.billing.policy import CountryPolicy
from bot.billing.references import agreement_reference
from bot.billing.sql import mappers, queries
from bot.billing.sql.schema import installment_agreements, installments, invoices
from bot.billing.sql.writes import insert_invoice

ZERO = Decimal("0")
MIN_INSTALLMENTS = 2


def overdue_debt(overdue: list[Invoice], today: date, policy: CountryPolicy) -> Decimal:
    """What the overdue invoices cost today, late fee and interest included."""
    debt = ZERO
    for invoice in overdue:
        fee, interest = rules.late_charges(invoice.balance, invoice.due_on, today, policy)
        debt += invoice.balance + fee + interest
    return quantize(debt, policy.currency)


def installment_offer(
    conn: Connection, customer_row: queries.Row, today: date, policy: CountryPolicy
) -> InstallmentOffer:
    overdue = queries.overdue_invoices(conn, customer_row.id, today)
    debt = overdue_debt(overdue, today, policy)
    eligible = bool(overdue) and queries.active_agreement(conn, customer_row.id) is None
    if eligible:
        try:
            _schedule(debt, MIN_INSTALLMENTS, today, policy)
        except NotAllowed:
            eligible = False
    return InstallmentOffer(
        overdue_total=debt, currency=policy.currency, policy=policy.installments, eligible=eligible
    )


def preview_agreement(
    conn: Connection, customer_row: queries.Row, count: int, today: date, policy: CountryPolicy
) -> InstallmentAgreement:
    """The agreement `create_agreement` would make, with no reference since none is made."""
    _, schedule = _plan(conn, customer_row.id, count, today, policy, for_update=False)
    return InstallmentAgreement(
        reference="",
        customer_id=customer_row.id,
        total=sum((item.amount for item in schedule), ZERO),
        currency=policy.currency,
        created_on=today,
        installments=schedule,
    )


def create_agreement(
    conn: Connection, customer_row: queries.Row, count: int, today: date, policy: CountryPolicy
) -> InstallmentAgreement:
    customer_id = customer_row.id
    overdue, schedule = _plan(conn, customer_id, count, today, policy, for_update=True)
    reference = agreement_reference()
    agreement_id = conn.execute(
        insert(installment_agreements).values(
            reference=reference,
            customer_id=customer_id,
            total=sum((item.amount for item in schedule), ZERO),
            currency=policy.currency,
            created_on=today,
            status=queries.AGREEMENT_ACTIVE,
        )
    ).inserted_primary_key[0]
    conn.execute(
        update(invoices)
        .where(invoices.c.id.in_([invoice.id for invoice in overdue]))
        .values(status=InvoiceStatus.VOID.value, replaced_by_agreement_id=agreement_id)
    )
    for item in schedule:
        invoice_id, _ = insert_invoice(
            conn,
            customer_id=customer_id,
            issued_on=today,
            due_on=item.due_on,
            currency=policy.currency,
            lines=(InvoiceLine(LineKind.ONE_TIME, f"{reference} {item.number}/{count}", item.amount),),
        )
        conn.execute(
            insert(installments).values(
                agreement_id=agreement_id,
                number=item.number,
                due_on=item.due_on,
                amount=item.amount,
                invoice_id=invoice_id,
            )
        )
    row = conn.execute(
        select(installment_agreements).where(installment_agreements.c.id == agreement_id)
    ).one()
    return agreement_of(conn, row)


def agreement_of(conn: Connection, agreement_row: queries.Row) -> InstallmentAgreement:
    items = conn.execute(
        select(installments)
        .where(installments.c.agreement_id == agreement_row.id)
        .order_by(installments.c.number)
    ).all()
    return mappers.agreement(agreement_row, items)


def _plan(
    conn: Connection, customer_id: int, count: int, today: date, policy: CountryPolicy, *, for_update: bool
) -> tuple[list[Invoice], tuple[Installment, ...]]:
    """The overdue invoices an agreement replaces and its schedule, or why there can be none."""
    if queries.active_agreement(conn, customer_id) is not None:
        raise NotAllowed("agreement_already_active")
    overdue = [invoice for invoice in queries.open_invoices(conn, customer_id, for_update=for_update)
               if invoice.is_overdue(today)]  # fmt: skip
    if not overdue:
        raise NotAllowed("nothing_overdue")
    return overdue, _schedule(overdue_debt(overdue, today, policy), count, today, policy)


def _schedule(debt: Decimal, count: int, today: date, policy: CountryPolicy) -> tuple[Installment, ...]:
    limits = policy.installments
    return rules.installment_schedule(
        debt,
        count,
        limits.monthly_interest_rate,
        today + timedelta(days=policy.installment_first_due_days),
        policy.currency,
        max_installments=limits.max_installments,
        min_installment=limits.min_installment,
    )
