"""The customer's own numbers explained: billing schedule, balance, first invoice pro-rata, price
readjustment (with a cheaper plan where one fits) and, in Brazil, the notas fiscais of a month."""

from __future__ import annotations

from decimal import Decimal

from actions.flow import Flow, FlowAction, Turn, register
from bot import i18n
from bot.billing.models import AccountStatus, AccountSummary, LineKind
from bot.dates.periods import resolve_month
from bot.i18n import date_value, format_number, money_value

NOTA_ISSUE_DAY = 25
REPORT = "report_error"


def say_next_due(turn: Turn, summary: AccountSummary) -> None:
    """The next due date and amount, and when automatic payment collects it."""
    if summary.next_due_on is None or summary.next_amount is None:
        return
    turn.say(
        "utter_next_due",
        next_due_date=date_value(summary.next_due_on),
        next_amount=money_value(summary.next_amount, summary.currency),
    )
    if summary.auto_pay and summary.next_debit_on is not None:
        turn.say("utter_next_debit", next_debit_date=date_value(summary.next_debit_on))


class BalanceFlow(Flow):
    name = "show_balance"

    def start(self, turn: Turn) -> None:
        summary = turn.backend.get_account_summary(turn.client_id, turn.today)
        currency = summary.currency
        if summary.balance > 0:
            turn.say("utter_balance", balance=money_value(summary.balance, currency))
        else:
            turn.say("utter_balance_zero")
        if summary.overdue_invoices:
            turn.say(
                "utter_balance_overdue",
                overdue_amount=money_value(summary.overdue_amount, currency),
                overdue_invoices=summary.overdue_invoices,
            )
        say_next_due(turn, summary)
        if summary.customer.status is AccountStatus.SUSPENDED:
            turn.say("utter_service_suspended")
        turn.finish()


class ScheduleFlow(Flow):
    name = "billing_schedule"

    def start(self, turn: Turn) -> None:
        policy = turn.backend.customer_policy(turn.client_id)
        subscription = turn.backend.get_subscription(turn.client_id)
        summary = turn.backend.get_account_summary(turn.client_id, turn.today)
        params: dict[str, object] = {
            "review_days": policy.review_days,
            "due_day": subscription.due_day,
        }
        turn.say("utter_schedule_auto" if subscription.auto_pay else "utter_schedule_manual", **params)
        say_next_due(turn, summary)
        turn.say("utter_schedule_one_time")
        turn.finish()


def cheaper_plan_buttons(turn: Turn) -> list[dict[str, str]]:
    """Plans of the customer's country cheaper than what they pay now, as buttons starting a change."""
    subscription = turn.backend.get_subscription(turn.client_id)
    country = turn.customer.country
    cheaper = [p for p in turn.backend.list_plans(country) if p.monthly_price < subscription.monthly_price]
    return [
        turn.button(
            "switch_to_plan",
            f'/change_plan{{"plan":"{plan.code}"}}',
            plan=plan.name,
            price=money_value(plan.monthly_price, plan.currency),
        )
        for plan in cheaper
    ]


class ProrataFlow(Flow):
    name = "first_invoice_prorata"

    def start(self, turn: Turn) -> None:
        invoice = turn.backend.first_invoice(turn.client_id)
        prorata = [line for line in invoice.lines if line.kind is LineKind.PRORATA] if invoice else []
        subscription = turn.backend.get_subscription(turn.client_id)
        currency = subscription.plan.currency
        if invoice is None or not prorata or prorata[0].period_start is None or prorata[0].period_end is None:
            turn.say("utter_prorata_none", monthly=money_value(subscription.monthly_price, currency))
            turn.finish()
            return
        line = prorata[0]
        assert line.period_start is not None and line.period_end is not None
        turn.say(
            "utter_prorata_explained",
            cheaper_plan_buttons(turn),
            start_date=date_value(line.period_start),
            end_date=date_value(line.period_end),
            days=(line.period_end - line.period_start).days + 1,
            prorata=money_value(line.amount, currency),
            first_total=money_value(invoice.total, currency),
            first_due_date=date_value(invoice.due_on),
            monthly=money_value(subscription.monthly_price, currency),
        )
        turn.finish()


class PriceIncreaseFlow(Flow):
    name = "price_increase"

    def start(self, turn: Turn) -> None:
        adjustment = turn.backend.latest_price_adjustment(turn.client_id)
        subscription = turn.backend.get_subscription(turn.client_id)
        currency = subscription.plan.currency
        if adjustment is None:
            turn.say("utter_price_increase_none", monthly=money_value(subscription.monthly_price, currency))
            turn.finish()
            return
        turn.say(
            "utter_price_increase_explained",
            cheaper_plan_buttons(turn),
            index=adjustment.index_name,
            percent=format_number(adjustment.percent, turn.language),
            effective_date=date_value(adjustment.effective_on),
            old_price=money_value(adjustment.old_price, currency),
            new_price=money_value(adjustment.new_price, currency),
        )
        turn.finish()


class NotaFiscalFlow(Flow):
    name = "tax_document"
    remembered_entities = ("period",)

    def start(self, turn: Turn) -> None:
        if turn.customer.country != "BR":
            turn.say("utter_tax_document_invoice", [turn.button("invoice_copy", "/invoice_copy")])
            turn.finish()
            return
        said = turn.values.pop("said_period", None)
        month = resolve_month(str(said), turn.language, turn.today) if said else None
        self._show(turn, month or self._latest_issued_month(turn))

    def answer(self, turn: Turn) -> bool:
        if turn.picked(REPORT):
            ticket = turn.open_ticket("nota_fiscal_error", f"notas fiscais {turn.values.get('period', '')}")
            turn.say("utter_nota_error_ticket", reference=ticket.reference)
            turn.finish()
            return True
        month = resolve_month(str(turn.entity("period") or turn.text), turn.language, turn.today)
        if month is not None:
            self._show(turn, month)
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        year, month = (int(part) for part in str(turn.values["period"]).split("-"))
        self._show(turn, (year, month))

    def _latest_issued_month(self, turn: Turn) -> tuple[int, int]:
        today = turn.today
        if today.day >= NOTA_ISSUE_DAY:
            return today.year, today.month
        return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)

    def _show(self, turn: Turn, month: tuple[int, int]) -> None:
        period = f"{month[0]:04d}-{month[1]:02d}"
        turn.values["period"] = period
        notes = turn.backend.list_notas_fiscais(turn.client_id, period)
        label = i18n.format_month_of(month[0], month[1], turn.language)
        report = [turn.button("report_error", f'/inform{{"choice":"{REPORT}"}}')]
        if not notes:
            turn.ask("notes", "utter_nota_none", report, month=label, issue_day=NOTA_ISSUE_DAY)
            return
        currency = turn.customer.currency
        lines = [
            turn.label(
                "nota_line", number=n.number, service=n.service, amount=money_value(n.amount, currency)
            )
            for n in notes
        ]
        total = sum((n.amount for n in notes), Decimal(0))
        turn.ask(
            "notes",
            "utter_nota_list",
            report,
            month=label,
            count=len(notes),
            notes="\n".join(lines),
            total=money_value(total, currency),
            issue_day=NOTA_ISSUE_DAY,
        )


class ActionShowBalance(FlowAction):
    flow = register(BalanceFlow())
    information_only = True


class ActionBillingSchedule(FlowAction):
    flow = register(ScheduleFlow())
    information_only = True


class ActionFirstInvoiceProrata(FlowAction):
    flow = register(ProrataFlow())
    information_only = True


class ActionPriceIncrease(FlowAction):
    flow = register(PriceIncreaseFlow())
    information_only = True


class ActionTaxDocument(FlowAction):
    flow = register(NotaFiscalFlow())
