"""Balance, next due date and debit date of the verified customer."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import ask_for_verification, backend, today, verified_customer_id
from bot.billing.backend import BackendUnavailable
from bot.billing.models import AccountStatus
from bot.i18n import date_value, money_value

logger = logging.getLogger(__name__)


class ActionShowBalance(Action):
    def name(self) -> str:
        return "action_show_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        customer_id = verified_customer_id(tracker)
        if customer_id is None:
            return ask_for_verification(dispatcher, then=self.name())
        try:
            summary = backend().get_account_summary(customer_id, today())
        except BackendUnavailable:
            logger.exception("balance.backend_unavailable")
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []

        currency = summary.currency
        if summary.balance > 0:
            dispatcher.utter_message(response="utter_balance", balance=money_value(summary.balance, currency))
        else:
            dispatcher.utter_message(response="utter_balance_zero")
        if summary.overdue_invoices:
            dispatcher.utter_message(
                response="utter_balance_overdue",
                overdue_amount=money_value(summary.overdue_amount, currency),
                overdue_invoices=summary.overdue_invoices,
            )
        if summary.next_due_on is not None and summary.next_amount is not None:
            dispatcher.utter_message(
                response="utter_next_due",
                next_due_date=date_value(summary.next_due_on),
                next_amount=money_value(summary.next_amount, currency),
            )
            if summary.auto_pay and summary.next_debit_on is not None:
                dispatcher.utter_message(
                    response="utter_next_debit", next_debit_date=date_value(summary.next_debit_on)
                )
        if summary.customer.status is AccountStatus.SUSPENDED:
            dispatcher.utter_message(response="utter_service_suspended")
        return []
