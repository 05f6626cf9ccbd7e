"""Billing details: the payment methods on file (masked), another default, a secure expiring link to
add or replace a card or direct debit (never card data in the chat), a new billing e-mail or phone."""

from __future__ import annotations

from actions.flow import Flow, FlowAction, Turn, register
from bot.billing.backend import NotAllowed
from bot.billing.contact import mask_email
from bot.billing.models import PaymentMethod

NEW_METHOD, CONTACT, METHOD_PREFIX = "new_method", "contact", "method-"


class BillingDetailsFlow(Flow):
    name = "update_billing_details"
    remembered_entities = ("email", "phone")

    def start(self, turn: Turn) -> None:
        email, phone = turn.values.pop("said_email", None), turn.values.pop("said_phone", None)
        if email or phone:
            self._update_contact(turn, email, phone)
            return
        self._menu(turn)

    def answer(self, turn: Turn) -> bool:
        if turn.step == "contact":
            email, phone = turn.entity("email"), turn.entity("phone")
            if not (email or phone):
                return False
            self._update_contact(turn, email, phone)
            return True
        if turn.step != "pick":
            return False
        choice = turn.picked(NEW_METHOD, CONTACT) or turn.entity("choice") or self._method_named(turn)
        if choice == NEW_METHOD:
            link = turn.backend.create_payment_method_link(turn.client_id, turn.now)
            turn.say("utter_payment_method_link", url=link.url, minutes=turn.minutes_until(link.expires_at))
            turn.finish()
        elif choice == CONTACT:
            turn.ask("contact", "utter_contact_ask")
        elif (
            isinstance(choice, str)
            and choice.startswith(METHOD_PREFIX)
            and choice[len(METHOD_PREFIX) :].isdigit()
        ):
            method = turn.backend.set_default_payment_method(
                turn.client_id, int(choice[len(METHOD_PREFIX) :])
            )
            turn.say("utter_default_method_set", method=method.masked)
            turn.finish()
        elif turn.entity("email") or turn.entity("phone"):
            self._update_contact(turn, turn.entity("email"), turn.entity("phone"))
        else:
            return False
        return True

    def repeat_question(self, turn: Turn) -> None:
        if turn.step == "contact":
            turn.ask("contact", "utter_contact_ask")
        else:
            self._menu(turn)

    def _menu(self, turn: Turn) -> None:
        methods = turn.backend.list_payment_methods(turn.client_id)
        buttons = [
            turn.button("make_default", f'/inform{{"choice":"{METHOD_PREFIX}{m.id}"}}', method=m.masked)
            for m in methods
            if not m.is_default
        ]
        buttons += [
            turn.button("new_method", f'/inform{{"choice":"{NEW_METHOD}"}}'),
            turn.button("contact", f'/inform{{"choice":"{CONTACT}"}}'),
        ]
        if not methods:
            turn.ask("pick", "utter_billing_details_none", buttons)
            return
        turn.ask(
            "pick", "utter_billing_details_menu", buttons, methods="\n".join(_line(turn, m) for m in methods)
        )

    def _method_named(self, turn: Turn) -> str | None:
        """ "la carte", "o pix": the one method on file of the kind named."""
        kind = turn.entity("payment_method")
        matching = [m for m in turn.backend.list_payment_methods(turn.client_id) if m.kind.value == kind]
        return f"{METHOD_PREFIX}{matching[0].id}" if len(matching) == 1 else None

    def _update_contact(self, turn: Turn, email: object, phone: object) -> None:
        try:
            customer = turn.backend.update_contact(
                turn.client_id,
                email=str(email) if email else None,
                phone=str(phone) if phone else None,
            )
        except NotAllowed as refusal:
            if refusal.reason not in ("invalid_email", "invalid_phone"):
                raise
            turn.ask("contact", f"utter_contact_{refusal.reason}")
            return
        turn.say("utter_contact_updated", email=mask_email(customer.email), phone=customer.phone)
        turn.finish()


def _line(turn: Turn, method: PaymentMethod) -> str:
    key = "method_line_default" if method.is_default else "method_line"
    return turn.label(key, method=method.masked, expires=method.expires or "")


class ActionUpdateBillingDetails(FlowAction):
    flow = register(BillingDetailsFlow())
