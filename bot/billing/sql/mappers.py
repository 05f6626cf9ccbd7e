"""Database rows to domain values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.billing.models import (
    AccountStatus,
    Customer,
    Installment,
    InstallmentAgreement,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    NotaFiscal,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentRequest,
    PaymentRequestStatus,
    Plan,
    PriceAdjustment,
    Subscription,
    Ticket,
    TicketStatus,
)

Row = Any  # sqlalchemy.engine.Row: columns read as attributes


def customer(row: Row) -> Customer:
    return Customer(
        id=row.id,
        number=row.number,
        name=row.name,
        email=row.email,
        phone=row.phone,
        country=row.country,
        currency=row.currency,
        language=row.language,
        status=AccountStatus(row.status),
        created_on=row.created_on,
    )


def plan(row: Row) -> Plan:
    return Plan(
        code=row.code,
        name=row.name,
        country=row.country,
        monthly_price=row.monthly_price,
        currency=row.currency,
        features=tuple(row.features or ()),
        rank=row.rank,
    )


def subscription(row: Row, current_plan: Plan) -> Subscription:
    return Subscription(
        id=row.id,
        customer_id=row.customer_id,
        plan=current_plan,
        started_on=row.started_on,
        due_day=row.due_day,
        auto_pay=row.auto_pay,
        due_day_changed_on=row.due_day_changed_on,
        scheduled_plan_code=row.scheduled_plan_code,
        scheduled_change_on=row.scheduled_change_on,
        commitment_end=row.commitment_end,
        cancel_effective_on=row.cancel_effective_on,
        price_override=row.price_override,
    )


def invoice_line(row: Row) -> InvoiceLine:
    return InvoiceLine(
        kind=LineKind(row.kind),
        label=row.label,
        amount=row.amount,
        period_start=row.period_start,
        period_end=row.period_end,
    )


def invoice(row: Row, lines: Iterable[Row]) -> Invoice:
    return Invoice(
        id=row.id,
        reference=row.reference,
        customer_id=row.customer_id,
        issued_on=row.issued_on,
        due_on=row.due_on,
        currency=row.currency,
        lines=tuple(invoice_line(line) for line in lines),
        amount_paid=row.amount_paid,
        status=InvoiceStatus(row.status),
        reminders_sent=row.reminders_sent,
    )


def payment(row: Row) -> Payment:
    return Payment(
        id=row.id,
        customer_id=row.customer_id,
        invoice_reference=row.invoice_reference,
        amount=row.amount,
        currency=row.currency,
        method=PaymentMethodKind(row.method),
        paid_at=row.paid_at,
        provider_reference=row.provider_reference,
    )


def payment_request(row: Row, now: datetime) -> PaymentRequest:
    """A stored request as seen at `now`: a pending one is expired from its expiry instant on."""
    status = PaymentRequestStatus(row.status)
    if status is PaymentRequestStatus.PENDING and now >= row.expires_at:
        status = PaymentRequestStatus.EXPIRED
    return PaymentRequest(
        reference=row.reference,
        customer_id=row.customer_id,
        amount=row.amount,
        currency=row.currency,
        method=PaymentMethodKind(row.method),
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=status,
        url=row.url,
        pix_code=row.pix_code,
        boleto_line=row.boleto_line,
        payable_from=row.payable_from,
        due_on=row.due_on,
    )


def payment_method(row: Row) -> PaymentMethod:
    return PaymentMethod(
        id=row.id,
        customer_id=row.customer_id,
        kind=PaymentMethodKind(row.kind),
        masked=row.masked,
        holder=row.holder,
        is_default=row.is_default,
        expires=row.expires,
    )


def agreement(row: Row, installment_rows: Sequence[Row]) -> InstallmentAgreement:
    return InstallmentAgreement(
        reference=row.reference,
        customer_id=row.customer_id,
        total=row.total,
        currency=row.currency,
        created_on=row.created_on,
        installments=tuple(
            Installment(number=item.number, due_on=item.due_on, amount=item.amount)
            for item in installment_rows
        ),
    )


def price_adjustment(row: Row) -> PriceAdjustment:
    return PriceAdjustment(
        effective_on=row.effective_on,
        index_name=row.index_name,
        percent=row.percent,
        old_price=row.old_price,
        new_price=row.new_price,
    )


def nota_fiscal(row: Row) -> NotaFiscal:
    return NotaFiscal(
        number=row.number,
        customer_id=row.customer_id,
        issued_on=row.issued_on,
        service=row.service,
        amount=row.amount,
        period=row.period,
    )


def ticket(row: Row) -> Ticket:
    return Ticket(
        reference=row.reference,
        customer_id=row.customer_id,
        channel=row.channel,
        language=row.language,
        topic=row.topic,
        summary=row.summary,
        priority=row.priority,
        status=TicketStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        conversation_id=row.conversation_id,
        assigned_agent_id=row.assigned_agent_id,
        claimed_at=row.claimed_at,
        resolved_at=row.resolved_at,
        satisfaction=row.satisfaction,
    )
