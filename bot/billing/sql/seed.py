"""Writes the demo accounts of `bot.billing.demo` into the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from bot.billing.demo import DEMO_CUSTOMERS, PLANS
from bot.billing.demo_records import DemoAccount, DemoAgreement, DemoInvoice
from bot.billing.models import InvoiceLine, InvoiceStatus, LineKind, Plan
from bot.billing.sql.queries import AGREEMENT_ACTIVE, CANCELLATION_PENDING
from bot.billing.sql.schema import (
    cancellations,
    customers,
    installment_agreements,
    installments,
    notas_fiscais,
    payment_methods,
    plans,
    price_adjustments,
    subscriptions,
    trust_releases,
)
from bot.billing.sql.writes import insert_invoice, insert_payment

_PAYMENT_HOUR = time(9, 30)


def demo_present(conn: Connection) -> bool:
    numbers = [info.number for info in DEMO_CUSTOMERS]
    found = conn.execute(select(func.count()).select_from(customers).where(customers.c.number.in_(numbers)))
    return bool(found.scalar())


def insert_plans(conn: Connection, catalogue: Iterable[Plan] = PLANS) -> None:
    existing = set(conn.execute(select(plans.c.code)).scalars())
    rows = [
        {
            "code": plan.code,
            "name": plan.name,
            "country": plan.country,
            "currency": plan.currency,
            "monthly_price": plan.monthly_price,
            "features": list(plan.features),
            "rank": plan.rank,
        }
        for plan in catalogue
        if plan.code not in existing
    ]
    if rows:
        conn.execute(insert(plans), rows)


def insert_account(conn: Connection, account: DemoAccount) -> int:
    policy = account.policy
    last_release = account.trust_releases[-1][1] if account.trust_releases else None
    customer_id = int(
        conn.execute(
            insert(customers).values(
                number=account.number,
                name=account.name,
                email=account.email,
                phone=account.phone,
                country=account.country,
                currency=policy.currency,
                language=policy.language,
                status=account.status.value,
                created_on=account.started_on,
                street=account.street,
                postal_code=account.postal_code,
                city=account.city,
                suspended_since=account.suspended_since,
                trust_release_until=last_release,
            )
        ).inserted_primary_key[0]
    )
    conn.execute(
        insert(subscriptions).values(
            customer_id=customer_id,
            plan_code=account.plan.code,
            started_on=account.started_on,
            due_day=account.due_day,
            auto_pay=account.auto_pay,
            commitment_end=account.commitment_end,
            cancel_effective_on=account.cancellation.effective_on if account.cancellation else None,
            price_override=account.price_override,
        )
    )
    conn.execute(
        insert(payment_methods),
        [
            {
                "customer_id": customer_id,
                "kind": method.kind.value,
                "masked": method.masked,
                "holder": method.holder,
                "is_default": method.is_default,
                "expires": method.expires,
            }
            for method in account.methods
        ],
    )
    agreement_id = _insert_agreement(conn, customer_id, account) if account.agreement else None
    for invoice in account.invoices:
        _insert_demo_invoice(conn, customer_id, account, invoice, agreement_id if invoice.replaced else None)
    _insert_history(conn, customer_id, account)
    return customer_id


def insert_demo(conn: Connection, accounts: Iterable[DemoAccount]) -> None:
    insert_plans(conn)
    for account in accounts:
        insert_account(conn, account)


def _insert_demo_invoice(
    conn: Connection,
    customer_id: int,
    account: DemoAccount,
    invoice: DemoInvoice,
    replaced_by: int | None,
) -> None:
    if invoice.replaced:
        status = InvoiceStatus.VOID
    else:
        status = InvoiceStatus.OPEN if invoice.paid_on is None else InvoiceStatus.PAID
    paid = invoice.total if status is InvoiceStatus.PAID else Decimal("0")
    _, reference = insert_invoice(
        conn,
        customer_id=customer_id,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        currency=account.policy.currency,
        lines=invoice.lines,
        amount_paid=paid,
        status=status,
        reminders_sent=invoice.reminders_sent,
        replaced_by_agreement_id=replaced_by,
    )
    if invoice.paid_on is not None and not invoice.replaced:
        _insert_demo_payment(conn, customer_id, account, reference, invoice.total, invoice.paid_on)


def _insert_demo_payment(
    conn: Connection, customer_id: int, account: DemoAccount, reference: str, amount: Decimal, paid_on: date
) -> None:
    method = next(method for method in account.methods if method.is_default)
    insert_payment(
        conn,
        customer_id=customer_id,
        amount=amount,
        currency=account.policy.currency,
        method=method.kind,
        paid_at=datetime.combine(paid_on, _PAYMENT_HOUR, tzinfo=timezone.utc),
        provider_reference=f"demo-{account.number}-{reference}",
        invoice_reference=reference,
    )


def _insert_agreement(conn: Connection, customer_id: int, account: DemoAccount) -> int:
    agreement: DemoAgreement | None = account.agreement
    assert agreement is not None
    policy = account.policy
    agreement_id = int(
        conn.execute(
            insert(installment_agreements).values(
                reference=agreement.reference,
                customer_id=customer_id,
                total=agreement.total,
                currency=policy.currency,
                created_on=agreement.created_on,
                status=AGREEMENT_ACTIVE,
            )
        ).inserted_primary_key[0]
    )
    count = len(agreement.installments)
    for item in agreement.installments:
        label = f"{agreement.reference} {item.number}/{count}"
        paid = item.number <= agreement.paid_count
        invoice_id, reference = insert_invoice(
            conn,
            customer_id=customer_id,
            issued_on=agreement.created_on,
            due_on=item.due_on,
            currency=policy.currency,
            lines=(InvoiceLine(LineKind.ONE_TIME, label, item.amount),),
            amount_paid=item.amount if paid else Decimal("0"),
            status=InvoiceStatus.PAID if paid else InvoiceStatus.OPEN,
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
        if paid:
            _insert_demo_payment(conn, customer_id, account, reference, item.amount, item.due_on)
    return agreement_id


def _insert_history(conn: Connection, customer_id: int, account: DemoAccount) -> None:
    policy = account.policy
    if account.cancellation is not None:
        cancellation = account.cancellation
        conn.execute(
            insert(cancellations).values(
                reference=cancellation.reference,
                customer_id=customer_id,
                requested_on=cancellation.requested_on,
                effective_on=cancellation.effective_on,
                reason=cancellation.reason,
                early_termination_fee=cancellation.early_termination_fee,
                final_invoice_estimate=cancellation.final_invoice_estimate,
                currency=policy.currency,
                status=CANCELLATION_PENDING,
            )
        )
    for granted_on, until in account.trust_releases:
        conn.execute(
            insert(trust_releases).values(customer_id=customer_id, granted_on=granted_on, until=until)
        )
    if account.adjustment is not None:
        adjustment = account.adjustment
        conn.execute(
            insert(price_adjustments).values(
                customer_id=customer_id,
                effective_on=adjustment.effective_on,
                index_name=adjustment.index_name,
                percent=adjustment.percent,
                old_price=adjustment.old_price,
                new_price=adjustment.new_price,
            )
        )
    if account.notas:
        conn.execute(
            insert(notas_fiscais),
            [
                {
                    "number": nota.number,
                    "customer_id": customer_id,
                    "issued_on": nota.issued_on,
                    "service": nota.service,
                    "amount": nota.amount,
                    "period": nota.period,
                }
                for nota in account.notas
            ],
        )
