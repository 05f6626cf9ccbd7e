"""Subscription changes: plan upgrades and downgrades, due day, auto-pay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from bot.billing import rules
from bot.billing.backend import NotFound
from bot.billing.models import DueDayChange, DueDayOptions, InvoiceLine, LineKind, Plan, PlanChangePreview
from bot.billing.policy import CountryPolicy
from bot.billing.sql import accounts, queries
from bot.billing.sql.schema import pending_charges, subscriptions
from bot.billing.sql.writes import insert_invoice

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PlanChange:
    preview: PlanChangePreview
    period_end: date  # exclusive end of the period that ends (see `plan_change`)


def plan_change(conn: Connection, customer_row: queries.Row, plan_code: str, today: date) -> PlanChange:
    """The period that ends is everything already invoiced: up to the next due date, or one period
    further when the next invoice is already issued (France issues it 20 days ahead). An upgrade charges
    the difference up to there; a downgrade takes effect there, so no invoice is ever corrected."""
    accounts.require_active(customer_row)
    subscription = queries.subscription_row(conn, customer_row.id)
    current = queries.plan_of(conn, subscription.plan_code)
    target = queries.plan_of(conn, plan_code)
    if target.country != customer_row.country or target.currency != customer_row.currency:
        raise NotFound("plan")
    period_end = rules.due_date_after(subscription.due_day, today)
    billed = queries.billed_until(conn, customer_row.id)
    if billed is not None and billed > period_end:
        period_end = billed
    preview = rules.plan_change_preview(
        current,
        accounts.base_price(subscription, current),
        target,
        today,
        period_end,
        accounts.discount_on(subscription, period_end),
    )
    return PlanChange(preview, period_end)


def apply_plan_change(conn: Connection, customer_row: queries.Row, change: PlanChange, today: date) -> None:
    preview = change.preview
    customer_id = customer_row.id
    if not preview.is_upgrade:
        conn.execute(
            update(subscriptions)
            .where(subscriptions.c.customer_id == customer_id)
            .values(scheduled_plan_code=preview.target.code, scheduled_change_on=preview.effective_on)
        )
        return
    conn.execute(
        update(subscriptions)
        .where(subscriptions.c.customer_id == customer_id)
        .values(
            plan_code=preview.target.code,
            price_override=None,
            scheduled_plan_code=None,
            scheduled_change_on=None,
        )
    )
    if preview.charge_now > 0:
        line = InvoiceLine(
            LineKind.PRORATA, preview.target.name, preview.charge_now, today, change.period_end - ONE_DAY
        )
        insert_invoice(
            conn,
            customer_id=customer_id,
            issued_on=today,
            due_on=today,
            currency=preview.target.currency,
            lines=(line,),
        )


def due_day_options(
    conn: Connection, customer_row: queries.Row, today: date, policy: CountryPolicy
) -> DueDayOptions:
    subscription = queries.subscription_row(conn, customer_row.id)
    return rules.due_day_options(subscription.due_day, today, subscription.due_day_changed_on, policy)


def preview_due_day_change(
    conn: Connection, customer_row: queries.Row, new_day: int, today: date, policy: CountryPolicy
) -> DueDayChange:
    """What `change_due_day` would do, written nowhere (same refusals)."""
    return _due_day_change(conn, customer_row, new_day, today, policy, for_update=False)[0]


def change_due_day(
    conn: Connection, customer_row: queries.Row, new_day: int, today: date, policy: CountryPolicy
) -> DueDayChange:
    change, subscription, plan = _due_day_change(conn, customer_row, new_day, today, policy, for_update=True)
    conn.execute(
        update(subscriptions)
        .where(subscriptions.c.id == subscription.id)
        .values(due_day=new_day, due_day_changed_on=today)
    )
    if change.prorata_amount:
        old_next = rules.due_date_after(subscription.due_day, today)
        start, end = sorted((old_next, change.next_due_on))
        add_pending_charge(
            conn, customer_row.id, plan.name, change.prorata_amount, today, start, end - ONE_DAY
        )
    return change


def _due_day_change(
    conn: Connection,
    customer_row: queries.Row,
    new_day: int,
    today: date,
    policy: CountryPolicy,
    *,
    for_update: bool,
) -> tuple[DueDayChange, queries.Row, Plan]:
    accounts.require_active(customer_row)
    subscription = queries.subscription_row(conn, customer_row.id, for_update=for_update)
    plan = queries.plan_of(conn, subscription.plan_code)
    change = rules.due_day_change(
        subscription.due_day,
        new_day,
        accounts.base_price(subscription, plan),
        today,
        subscription.due_day_changed_on,
        policy,
    )
    return change, subscription, plan


def set_auto_pay(conn: Connection, customer_id: int, enabled: bool) -> None:
    conn.execute(
        update(subscriptions).where(subscriptions.c.customer_id == customer_id).values(auto_pay=enabled)
    )


def add_pending_charge(
    conn: Connection,
    customer_id: int,
    label: str,
    amount: Decimal,
    today: date,
    period_start: date,
    period_end: date,
) -> None:
    conn.execute(
        insert(pending_charges).values(
            customer_id=customer_id,
            kind=(LineKind.PRORATA if amount > 0 else LineKind.CREDIT).value,
            label=label,
            amount=amount,
            period_start=period_start,
            period_end=period_end,
            created_on=today,
        )
    )
