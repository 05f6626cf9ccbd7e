"""Account state: effective status, prices, the summary and the trust release."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from bot.billing import rules
from bot.billing.backend import NotAllowed
from bot.billing.models import AccountStatus, AccountSummary, Customer, Plan, ServiceStatus
from bot.billing.money import quantize
from bot.billing.policy import CountryPolicy
from bot.billing.sql import mappers, queries
from bot.billing.sql.schema import customers, trust_releases

Row = queries.Row
ZERO = Decimal("0")

_REASON_FOR_STATUS = {
    AccountStatus.SUSPENDED: "account_suspended",
    AccountStatus.CANCELLATION_PENDING: "cancellation_pending",
    AccountStatus.CANCELLED: "account_cancelled",
}


def in_trust_release(customer_row: Row, today: date) -> bool:
    until = customer_row.trust_release_until
    return customer_row.status == AccountStatus.SUSPENDED.value and until is not None and today <= until


def effective_status(customer_row: Row, today: date) -> AccountStatus:
    """The stored status, except that a suspended account on a trust release has its service back."""
    if in_trust_release(customer_row, today):
        return AccountStatus.ACTIVE
    return AccountStatus(customer_row.status)


def customer_on(customer_row: Row, today: date) -> Customer:
    return replace(mappers.customer(customer_row), status=effective_status(customer_row, today))


def require_active(customer_row: Row) -> None:
    status = AccountStatus(customer_row.status)
    if status is not AccountStatus.ACTIVE:
        raise NotAllowed(_REASON_FOR_STATUS[status])


def base_price(subscription_row: Row, plan: Plan) -> Decimal:
    override = subscription_row.price_override
    return override if override is not None else plan.monthly_price


def discount_on(subscription_row: Row, today: date) -> Decimal:
    until = subscription_row.discount_until
    if subscription_row.discount_percent is None or until is None or today >= until:
        return ZERO
    return Decimal(subscription_row.discount_percent)


def monthly_charge(subscription_row: Row, plan: Plan, today: date) -> Decimal:
    """What a month costs the customer now: readjusted price, less a running retention discount."""
    return rules.apply_discount(
        base_price(subscription_row, plan), discount_on(subscription_row, today), plan.currency
    )


def account_summary(conn: Connection, customer_row: Row, today: date) -> AccountSummary:
    customer_id = customer_row.id
    open_invoices = queries.open_invoices(conn, customer_id)
    overdue = [invoice for invoice in open_invoices if invoice.is_overdue(today)]
    upcoming = [invoice for invoice in open_invoices if not invoice.is_overdue(today)]
    subscription = queries.find_subscription_row(conn, customer_id)
    next_due_on: date | None = None
    next_amount: Decimal | None = None
    if upcoming:
        next_due_on = min(invoice.due_on for invoice in upcoming)
        next_amount = sum((i.balance for i in upcoming if i.due_on == next_due_on), ZERO)
    elif subscription is not None and customer_row.status != AccountStatus.CANCELLED.value:
        billed = queries.billed_until(conn, customer_id) or today
        due_on = rules.next_due_date(subscription.due_day, max(billed, today))
        ends_on = subscription.cancel_effective_on
        # Monthly invoices stop at a cancellation; its final invoice is estimated apart.
        if ends_on is None or due_on < ends_on:
            next_due_on = due_on
            next_amount = monthly_charge(subscription, queries.plan_of(conn, subscription.plan_code), due_on)
    auto_pay = bool(subscription is not None and subscription.auto_pay)
    currency = customer_row.currency
    return AccountSummary(
        customer=customer_on(customer_row, today),
        balance=quantize(sum((invoice.balance for invoice in open_invoices), ZERO), currency),
        overdue_amount=quantize(sum((invoice.balance for invoice in overdue), ZERO), currency),
        overdue_invoices=len(overdue),
        next_due_on=next_due_on,
        next_amount=next_amount,
        next_debit_on=rules.debit_date(next_due_on) if auto_pay and next_due_on else None,
        auto_pay=auto_pay,
    )


def service_status(conn: Connection, customer_row: Row, today: date, policy: CountryPolicy) -> ServiceStatus:
    last = queries.last_trust_release(conn, customer_row.id)
    releasing = in_trust_release(customer_row, today)
    suspended = customer_row.status == AccountStatus.SUSPENDED.value and not releasing
    last_used_on = last.granted_on if last is not None else None
    return ServiceStatus(
        status=effective_status(customer_row, today),
        suspended_since=customer_row.suspended_since,
        trust_release_eligible=rules.trust_release_eligible(suspended, last_used_on, today, policy),
        trust_release_used_on=last_used_on,
        trust_release_until=customer_row.trust_release_until if releasing else None,
    )


def grant_trust_release(conn: Connection, customer_row: Row, today: date, policy: CountryPolicy) -> None:
    if not service_status(conn, customer_row, today, policy).trust_release_eligible:
        raise NotAllowed("trust_release_not_eligible")
    until = today + timedelta(days=policy.trust_release_days)
    conn.execute(insert(trust_releases).values(customer_id=customer_row.id, granted_on=today, until=until))
    conn.execute(update(customers).where(customers.c.id == customer_row.id).values(trust_release_until=until))


def reactivate_if_settled(conn: Connection, customer_row: Row, today: date) -> None:
    """A suspension for non-payment ends when nothing is overdue any more."""
    if customer_row.status != AccountStatus.SUSPENDED.value:
        return
    if queries.overdue_invoices(conn, customer_row.id, today):
        return
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_row.id)
        .values(status=AccountStatus.ACTIVE.value, suspended_since=None, trust_release_until=None)
    )
