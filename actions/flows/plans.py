"""Change plan: the customer's country's plans, a pro-rata preview, confirmation, then the change."""

from __future__ import annotations

from actions.flow import Flow, FlowAction, Turn, register
from bot.billing.models import Plan, PlanChangePreview
from bot.billing.plans import find_plan
from bot.i18n import date_value, money_value


class ChangePlanFlow(Flow):
    name = "change_plan"
    remembered_entities = ("plan",)

    def start(self, turn: Turn) -> None:
        wanted = turn.values.pop("said_plan", None)
        plan = find_plan(self._plans(turn), wanted) if wanted else None
        if plan is not None:
            self._preview(turn, plan)
        else:
            self._list(turn)

    def answer(self, turn: Turn) -> bool:
        plans = self._plans(turn)
        chosen = find_plan(plans, turn.entity("plan")) or find_plan(plans, turn.text, loose=True)
        if chosen is not None:
            self._preview(turn, chosen)
            return True
        if turn.step == "confirm" and turn.intent == "affirm":
            self._apply(turn)
            return True
        if turn.step == "confirm" and turn.intent == "deny":
            turn.say("utter_plan_unchanged")
            turn.finish()
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        if turn.step == "confirm":
            self._preview(turn, find_plan(self._plans(turn), turn.values["plan"]))
        else:
            self._list(turn)

    def _plans(self, turn: Turn) -> list[Plan]:
        return turn.backend.list_plans(turn.customer.country)

    def _list(self, turn: Turn) -> None:
        subscription = turn.backend.get_subscription(turn.client_id)
        plans = self._plans(turn)
        lines = [
            turn.label(
                "plan_line",
                name=plan.name,
                price=money_value(plan.monthly_price, plan.currency),
                features=", ".join(plan.features),
            )
            + (turn.label("current_marker") if plan.code == subscription.plan.code else "")
            for plan in plans
        ]
        buttons = [
            {"title": plan.name, "payload": f'/inform{{"plan":"{plan.code}"}}'}
            for plan in plans
            if plan.code != subscription.plan.code
        ]
        turn.ask("pick_plan", "utter_plan_list", buttons, plans="\n".join(lines))

    def _preview(self, turn: Turn, plan: Plan | None) -> None:
        if plan is None:
            self._list(turn)
            return
        subscription = turn.backend.get_subscription(turn.client_id)
        if plan.code == subscription.plan.code:
            turn.say("utter_plan_already", plan=plan.name)
            self._list(turn)
            return
        preview = turn.backend.preview_plan_change(turn.client_id, plan.code, turn.today)
        turn.values["plan"] = plan.code
        turn.ask("confirm", _preview_response(preview), turn.yes_no("confirm", "keep"), **_params(preview))

    def _apply(self, turn: Turn) -> None:
        done = turn.backend.change_plan(turn.client_id, turn.values["plan"], turn.today)
        response = "utter_plan_changed_now" if done.is_upgrade else "utter_plan_change_scheduled"
        turn.say(response, **_params(done))
        turn.finish()


def _preview_response(preview: PlanChangePreview) -> str:
    return "utter_plan_preview_upgrade" if preview.is_upgrade else "utter_plan_preview_downgrade"


def _params(preview: PlanChangePreview) -> dict[str, object]:
    currency = preview.target.currency
    return {
        "plan": preview.target.name,
        "current_plan": preview.current.name,
        "charge_now": money_value(preview.charge_now, currency),
        "next_amount": money_value(preview.next_invoice_amount, currency),
        "effective_date": date_value(preview.effective_on),
    }


class ActionChangePlan(FlowAction):
    flow = register(ChangePlanFlow())
