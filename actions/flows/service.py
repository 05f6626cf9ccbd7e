"""Service suspended for non-payment (trust release, or paying by Pix or card) and automatic payment."""

from __future__ import annotations

from actions.flow import Flow, FlowAction, Turn, register
from actions.flows.payments import method_names
from bot.billing.backend import NotAllowed
from bot.billing.models import AccountStatus
from bot.i18n import date_value, format_number, money_value

CHOICE_RELEASE = "trust_release"


class SuspensionFlow(Flow):
    name = "service_suspended"

    def start(self, turn: Turn) -> None:
        status = turn.backend.service_status(turn.client_id, turn.today)
        if status.status is not AccountStatus.SUSPENDED:
            if status.trust_release_until is not None and status.trust_release_until >= turn.today:
                turn.say("utter_service_released_until", until_date=date_value(status.trust_release_until))
            else:
                turn.say("utter_service_active")
            turn.finish()
            return
        summary = turn.backend.get_account_summary(turn.client_id, turn.today)
        overdue = money_value(summary.overdue_amount, summary.currency)
        pay = turn.button("pay_now", "/make_payment")
        methods = method_names(turn, turn.backend.payment_options(turn.client_id))
        if status.trust_release_eligible:
            days = turn.backend.customer_policy(turn.client_id).trust_release_days
            release = turn.button("trust_release", f'/inform{{"choice":"{CHOICE_RELEASE}"}}', days=days)
            turn.ask(
                "decide",
                "utter_suspended_release_offer",
                [release, pay],
                overdue=overdue,
                days=days,
                methods=methods,
            )
            return
        used = status.trust_release_used_on
        turn.say(
            "utter_suspended_no_release",
            [pay, turn.button("human", "/request_human")],
            overdue=overdue,
            used_date=date_value(used) if used else "",
            methods=methods,
        )
        turn.finish()

    def answer(self, turn: Turn) -> bool:
        if turn.step == "decide" and (turn.picked(CHOICE_RELEASE) or turn.intent == "affirm"):
            status = turn.backend.grant_trust_release(turn.client_id, turn.today)
            until = status.trust_release_until or turn.today
            turn.say("utter_trust_release_granted", until_date=date_value(until))
            turn.finish()
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        self.start(turn)


class AutoPayFlow(Flow):
    name = "auto_payment"

    def start(self, turn: Turn) -> None:
        subscription = turn.backend.get_subscription(turn.client_id)
        fee_rate = turn.backend.customer_policy(turn.client_id).manual_payment_admin_fee_rate
        if subscription.auto_pay:
            response = "utter_autopay_on_fee" if fee_rate > 0 else "utter_autopay_on"
            turn.ask(
                "turn_off",
                response,
                turn.yes_no("turn_off", "keep"),
                fee_percent=format_number(fee_rate * 100, turn.language),
            )
        else:
            turn.ask("turn_on", "utter_autopay_off", turn.yes_no("turn_on", "keep"))

    def answer(self, turn: Turn) -> bool:
        if turn.intent == "deny":
            turn.say("utter_autopay_unchanged")
            turn.finish()
            return True
        if turn.intent != "affirm":
            return False
        enable = turn.step == "turn_on"
        try:
            turn.backend.set_auto_pay(turn.client_id, enable)
        except NotAllowed as refusal:
            if refusal.reason != "auto_pay_needs_card_or_direct_debit":
                raise
            link = turn.backend.create_payment_method_link(turn.client_id, turn.now)
            turn.say("utter_autopay_needs_method", url=link.url, minutes=turn.minutes_until(link.expires_at))
            turn.finish()
            return True
        turn.say("utter_autopay_enabled" if enable else "utter_autopay_disabled")
        turn.finish()
        return True

    def repeat_question(self, turn: Turn) -> None:
        self.start(turn)


class ActionServiceSuspended(FlowAction):
    flow = register(SuspensionFlow())


class ActionAutoPayment(FlowAction):
    flow = register(AutoPayFlow())
