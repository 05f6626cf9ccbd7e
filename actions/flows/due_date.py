"""Change the due day: the allowed days, the requested day however written, the pro-rata effect on
the next invoice, confirmation, then the change; the backend's limits (once every few months) apply."""

from __future__ import annotations

from actions.flow import Flow, FlowAction, Turn, register
from bot.billing.models import DueDayChange
from bot.dates import resolve_day_of_month
from bot.i18n import date_value, money_value


class DueDateFlow(Flow):
    name = "change_due_date"
    remembered_entities = ("date",)

    def start(self, turn: Turn) -> None:
        options = turn.backend.due_day_options(turn.client_id, turn.today)
        if not options.can_change and options.next_change_possible_on is not None:
            turn.say(
                "utter_due_day_locked",
                current_day=options.current_day,
                possible_date=date_value(options.next_change_possible_on),
            )
            turn.finish()
            return
        said = turn.values.pop("said_date", None)
        day = resolve_day_of_month(said, turn.language) if said else None
        if day is not None:
            self._preview(turn, day)
        else:
            self._ask_day(turn)

    def answer(self, turn: Turn) -> bool:
        day = self._day_said(turn)
        confirmed = turn.step == "confirm" and turn.intent == "affirm"
        if day is not None and not (confirmed and day == turn.values.get("day")):
            self._preview(turn, day)
            return True
        if confirmed:
            change = turn.backend.change_due_day(turn.client_id, int(turn.values["day"]), turn.today)
            turn.say("utter_due_day_changed", **_params(change, turn))
            turn.finish()
            return True
        if turn.step == "confirm" and turn.intent == "deny":
            turn.say("utter_due_day_unchanged")
            turn.finish()
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        if turn.step == "confirm":
            self._preview(turn, int(turn.values["day"]))
        else:
            self._ask_day(turn)

    def _day_said(self, turn: Turn) -> int | None:
        for candidate in (turn.entity("date"), turn.text):
            if candidate:
                day = resolve_day_of_month(str(candidate), turn.language)
                if day is not None:
                    return day
        bare = turn.text.strip()
        return int(bare) if bare.isdigit() and 1 <= int(bare) <= 31 else None

    def _ask_day(self, turn: Turn) -> None:
        options = turn.backend.due_day_options(turn.client_id, turn.today)
        days = [day for day in options.allowed_days if day != options.current_day]
        buttons = [turn.button("day", f'/inform{{"date":"{day}"}}', day=day) for day in days]
        turn.ask(
            "pick_day",
            "utter_due_day_ask",
            buttons,
            current_day=options.current_day,
            allowed_days=", ".join(str(day) for day in days),
        )

    def _preview(self, turn: Turn, day: int) -> None:
        options = turn.backend.due_day_options(turn.client_id, turn.today)
        if day == options.current_day:
            turn.say("utter_due_day_same", current_day=day)
            self._ask_day(turn)
            return
        if day not in options.allowed_days:
            turn.say("utter_due_day_not_allowed", day=day)
            self._ask_day(turn)
            return
        change = turn.backend.preview_due_day_change(turn.client_id, day, turn.today)
        turn.values["day"] = day
        response = "utter_due_day_preview_charge"
        if change.prorata_amount < 0:
            response = "utter_due_day_preview_credit"
        elif change.prorata_amount == 0:
            response = "utter_due_day_preview"
        turn.ask("confirm", response, turn.yes_no("confirm", "keep"), **_params(change, turn))


def _params(change: DueDayChange, turn: Turn) -> dict[str, object]:
    currency = turn.customer.currency
    return {
        "new_day": change.new_day,
        "old_day": change.old_day,
        "next_due_date": date_value(change.next_due_on),
        "prorata": money_value(abs(change.prorata_amount), currency),
    }


class ActionChangeDueDate(FlowAction):
    flow = register(DueDateFlow())
