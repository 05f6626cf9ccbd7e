"""Missed payments and payment plans: the overdue invoices with their exact late fee and interest,
the options (pay now, a payment plan, a person), and instalment agreements within the policy."""

from __future__ import annotations

import math
from decimal import Decimal

from actions.flow import Flow, FlowAction, Turn, register
from actions.flows.explanations import say_next_due
from bot.answers import parse_amount, parse_installments
from bot.billing.backend import NotAllowed
from bot.billing.models import InstallmentAgreement, InstallmentOffer
from bot.billing.money import quantize
from bot.i18n import date_value, format_number, money_value

OUTSIDE_POLICY = ("installments_above_max", "installment_below_min", "installments_too_few")


class MissedPaymentFlow(Flow):
    name = "missed_payment"

    def start(self, turn: Turn) -> None:
        charges = turn.backend.late_charges(turn.client_id, turn.today)
        if not charges:
            turn.say("utter_missed_none")
            say_next_due(turn, turn.backend.get_account_summary(turn.client_id, turn.today))
            turn.finish()
            return
        invoices = {invoice.reference: invoice for invoice in turn.backend.list_invoices(turn.client_id, 12)}
        for charge in charges:
            invoice = invoices.get(charge.invoice_reference)
            turn.say(
                "utter_missed_invoice",
                reference=charge.invoice_reference,
                due_date=date_value(invoice.due_on) if invoice else "",
                days_late=charge.days_late,
                amount=money_value(charge.overdue_amount, charge.currency),
                fee=money_value(charge.fee, charge.currency),
                interest=money_value(charge.interest, charge.currency),
                reminders=invoice.reminders_sent if invoice else 0,
            )
        currency = charges[0].currency
        total = sum((charge.total for charge in charges), Decimal(0))
        policy = turn.backend.customer_policy(turn.client_id)
        turn.say(
            "utter_missed_total",
            buttons=[
                turn.button("pay_now", "/make_payment"),
                turn.button("payment_plan", "/negotiate_debt"),
                turn.button("human", "/request_human"),
            ],
            total=money_value(total, currency),
            fixed_fee=money_value(policy.late_fixed_fee, currency),
            percent_fee=_percent(policy.late_percent_fee, turn.language),
            monthly_interest=_percent(policy.late_monthly_interest, turn.language),
        )
        turn.finish()


class NegotiateFlow(Flow):
    name = "negotiate_debt"
    remembered_entities = ("installments", "amount")

    def start(self, turn: Turn) -> None:
        offer = turn.backend.installment_offer(turn.client_id, turn.today)
        active = turn.backend.active_installment_agreement(turn.client_id)
        if active is not None:
            turn.say("utter_agreement_active", reference=active.reference, **_schedule(active, turn))
            turn.finish()
            return
        if offer.overdue_total <= 0:
            turn.say("utter_negotiate_nothing_overdue")
            turn.finish()
            return
        if not offer.eligible:
            turn.say(
                "utter_negotiate_not_eligible",
                [turn.button("pay_now", "/make_payment"), turn.button("human", "/request_human")],
                total=money_value(offer.overdue_total, offer.currency),
                min_installment=money_value(offer.policy.min_installment, offer.currency),
            )
            turn.finish()
            return
        count = _count_said(
            turn, offer, turn.values.pop("said_installments", None), turn.values.pop("said_amount", None)
        )
        if count is not None:
            self._preview(turn, offer, count)
        else:
            self._ask(turn, offer)

    def answer(self, turn: Turn) -> bool:
        offer = turn.backend.installment_offer(turn.client_id, turn.today)
        count = _count_said(turn, offer, turn.entity("installments"), turn.entity("amount"))
        if count is None and turn.step == "pick_installments":
            count = parse_installments(turn.text, turn.language)
        confirmed = turn.step == "confirm" and turn.intent == "affirm"
        if count is not None and not (confirmed and count == turn.values.get("installments")):
            self._preview(turn, offer, count)
            return True
        if confirmed:
            agreement = turn.backend.create_installment_agreement(
                turn.client_id, int(turn.values["installments"]), turn.today
            )
            turn.say("utter_agreement_created", reference=agreement.reference, **_schedule(agreement, turn))
            turn.finish()
            return True
        if turn.step == "confirm" and turn.intent == "deny":
            self._ask(turn, offer)
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        offer = turn.backend.installment_offer(turn.client_id, turn.today)
        if turn.step == "confirm":
            self._preview(turn, offer, int(turn.values["installments"]))
        else:
            self._ask(turn, offer)

    def _ask(self, turn: Turn, offer: InstallmentOffer) -> None:
        counts = _possible_counts(offer)
        buttons = [
            turn.button(
                "installments",
                f'/inform{{"installments":"{count}"}}',
                count=count,
                amount=money_value(quantize(offer.overdue_total / count, offer.currency), offer.currency),
            )
            for count in counts[:6]
        ]
        turn.ask(
            "pick_installments",
            "utter_negotiate_offer",
            buttons,
            total=money_value(offer.overdue_total, offer.currency),
            max_installments=offer.policy.max_installments,
            min_installment=money_value(offer.policy.min_installment, offer.currency),
            monthly_interest=_percent(offer.policy.monthly_interest_rate, turn.language),
        )

    def _preview(self, turn: Turn, offer: InstallmentOffer, count: int) -> None:
        try:
            agreement = turn.backend.preview_installment_agreement(turn.client_id, count, turn.today)
        except NotAllowed as refusal:
            if refusal.reason not in OUTSIDE_POLICY:
                raise
            self._outside_policy(turn, offer, proposal=turn.text)
            return
        turn.values["installments"] = count
        turn.ask(
            "confirm",
            "utter_agreement_preview",
            turn.yes_no("accept", "other_plan"),
            **_schedule(agreement, turn),
        )

    def _outside_policy(self, turn: Turn, offer: InstallmentOffer, proposal: str) -> None:
        ticket = turn.open_ticket("payment_plan", proposal, priority="high")
        turn.say(
            "utter_negotiate_outside_policy",
            reference=ticket.reference,
            max_installments=offer.policy.max_installments,
            min_installment=money_value(offer.policy.min_installment, offer.currency),
        )
        turn.finish()


def _possible_counts(offer: InstallmentOffer) -> list[int]:
    largest = int(offer.overdue_total // offer.policy.min_installment) if offer.policy.min_installment else 0
    return list(range(2, min(offer.policy.max_installments, largest) + 1))


def _count_said(turn: Turn, offer: InstallmentOffer, installments: object, amount: object) -> int | None:
    """The number of instalments asked for, directly ("em 3x") or by a monthly amount ("300 € par mois")."""
    if installments:
        count = parse_installments(str(installments), turn.language)
        if count:
            return count
    if amount:
        per_month = parse_amount(str(amount))
        if per_month and per_month > 0:
            return max(1, math.ceil(offer.overdue_total / per_month))
    return None


def _schedule(agreement: InstallmentAgreement, turn: Turn) -> dict[str, object]:
    currency = agreement.currency
    lines = [
        turn.label(
            "installment_line",
            number=item.number,
            due_date=date_value(item.due_on),
            amount=money_value(item.amount, currency),
        )
        for item in agreement.installments
    ]
    return {
        "count": len(agreement.installments),
        "total": money_value(agreement.total, currency),
        "first_amount": money_value(agreement.installments[0].amount, currency),
        "first_date": date_value(agreement.installments[0].due_on),
        "schedule": "\n".join(lines),
    }


def _percent(rate: Decimal, language: str) -> str:
    return format_number(rate * 100, language)


class ActionMissedPayment(FlowAction):
    flow = register(MissedPaymentFlow())


class ActionNegotiateDebt(FlowAction):
    flow = register(NegotiateFlow())
