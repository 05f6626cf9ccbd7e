"""Cancel: the terms (notice, commitment, fees, effective date, final invoice), a retention offer
that never stands in the way, the customer's decision, a cancellation reference."""

from __future__ import annotations

from decimal import Decimal

from actions.flow import Flow, FlowAction, Turn, register
from bot.billing.models import CancellationTerms
from bot.billing.rules import apply_discount
from bot.i18n import date_value, format_number, money_value

CHOICE_OFFER = "retention_offer"


class CancelFlow(Flow):
    name = "cancel_subscription"

    def start(self, turn: Turn) -> None:
        subscription = turn.backend.get_subscription(turn.client_id)
        if subscription.cancel_effective_on is not None:
            turn.say("utter_cancel_already", effective_date=date_value(subscription.cancel_effective_on))
            turn.finish()
            return
        self._terms(turn, turn.backend.cancellation_terms(turn.client_id, turn.today))

    def answer(self, turn: Turn) -> bool:
        if turn.step != "decide":
            return False
        if turn.picked(CHOICE_OFFER):
            offer = turn.values.get("offer")
            if not offer:
                return False
            subscription = turn.backend.accept_retention_offer(turn.client_id, offer, turn.today)
            currency = subscription.plan.currency
            percent = Decimal(str(turn.values["discount"]))
            turn.say(
                "utter_retention_accepted",
                discount=format_number(percent, turn.language),
                months=turn.values["months"],
                new_price=money_value(
                    apply_discount(subscription.monthly_price, percent, currency), currency
                ),
            )
            turn.finish()
            return True
        if turn.intent == "affirm":
            done = turn.backend.request_cancellation(turn.client_id, turn.today, reason="chat")
            turn.say(
                "utter_cancel_done",
                reference=done.reference,
                effective_date=date_value(done.effective_on),
                final_amount=money_value(done.final_invoice_estimate, done.currency),
            )
            turn.finish()
            return True
        if turn.intent == "deny":
            turn.say("utter_cancel_kept")
            turn.finish()
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        self._terms(turn, turn.backend.cancellation_terms(turn.client_id, turn.today))

    def _terms(self, turn: Turn, terms: CancellationTerms) -> None:
        currency = terms.currency
        turn.say(
            "utter_cancel_terms",
            notice_days=terms.notice_days,
            effective_date=date_value(terms.effective_on),
            final_amount=money_value(terms.final_invoice_estimate, currency),
        )
        if terms.commitment_end is not None and terms.early_termination_fee > 0:
            turn.say(
                "utter_cancel_commitment",
                commitment_date=date_value(terms.commitment_end),
                fee=money_value(terms.early_termination_fee, currency),
            )
        buttons = [turn.button("cancel_anyway", "/affirm"), turn.button("keep_subscription", "/deny")]
        offer = terms.retention_offer
        if offer is not None:
            turn.values.update(offer=offer.code, discount=str(offer.discount_percent), months=offer.months)
            buttons.insert(0, turn.button("take_offer", f'/inform{{"choice":"{CHOICE_OFFER}"}}'))
            turn.ask(
                "decide",
                "utter_cancel_offer",
                buttons,
                discount=format_number(offer.discount_percent, turn.language),
                months=offer.months,
            )
        else:
            turn.ask("decide", "utter_cancel_confirm", buttons)


class ActionCancelSubscription(FlowAction):
    flow = register(CancelFlow())
