"""Billing details: the payment methods on file (masked), another default, a secure expiring link to
add or replace a card or direct debit (never card data in the chat), a new billing e-mail or phone, a
new billing address (checked for the customer's country, confirmed before it is stored)."""

from __future__ import annotations

from typing import Any

from actions.flow import Flow, FlowAction, Turn, register
from bot.billing.address import parse_address
from bot.billing.backend import NotAllowed
from bot.billing.contact import mask_email
from bot.billing.models import BillingAddress, PaymentMethod

NEW_METHOD, CONTACT, ADDRESS, METHOD_PREFIX = "new_method", "contact", "address", "method-"


class BillingDetailsFlow(Flow):
    name = "update_billing_details"
    remembered_entities = ("email", "phone")

    def remember(self, turn: Turn) -> dict[str, Any]:
        """Also which detail the request named: "changer mon e-mail", "mudei de endereço"."""
        named = turn.picked(CONTACT) or turn.picked(ADDRESS)
        return {**super().remember(turn), **({"said_choice": named} if named else {})}

    def start(self, turn: Turn) -> None:
        email, phone = turn.values.pop("said_email", None), turn.values.pop("said_phone", None)
        named = turn.values.pop("said_choice", None)
        if email or phone:
            self._update_contact(turn, email, phone)
        elif named == CONTACT:
            turn.ask("contact", "utter_contact_ask")
        elif named == ADDRESS:
            self._ask_address(turn)
        else:
            self._menu(turn)

    def answer(self, turn: Turn) -> bool:
        if turn.step in ("address", "address_confirm"):
            return self._answer_address(turn)
        if turn.step == "contact":
            email, phone = turn.entity("email"), turn.entity("phone")
            if not (email or phone):
                return False
            self._update_contact(turn, email, phone)
            return True
        if turn.step != "pick":
            return False
        choice = (
            turn.picked(NEW_METHOD, CONTACT)
            or turn.picked(ADDRESS)
            or turn.entity("choice")
            or self._method_named(turn)
        )
        if choice == NEW_METHOD:
            link = turn.backend.create_payment_method_link(turn.client_id, turn.now)
            turn.say("utter_payment_method_link", url=link.url, minutes=turn.minutes_until(link.expires_at))
            turn.finish()
        elif choice == CONTACT:
            turn.ask("contact", "utter_contact_ask")
        elif choice == ADDRESS:
            self._ask_address(turn)
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
        elif turn.step == "address":
            self._ask_address(turn)
        elif turn.step == "address_confirm":
            self._confirm_address(turn, BillingAddress(*turn.values["address"]))
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
            turn.button("address", f'/inform{{"choice":"{ADDRESS}"}}'),
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

    def _ask_address(self, turn: Turn) -> None:
        current = turn.backend.billing_address(turn.client_id)
        turn.ask("address", "utter_address_ask", address=_address_text(turn, current), example=_example(turn))

    def _answer_address(self, turn: Turn) -> bool:
        """A new address (also a correction at the confirmation), a yes or a no at the confirmation."""
        address = parse_address(turn.text, turn.customer.country)
        if address is not None:
            self._confirm_address(turn, address)
        elif turn.step == "address_confirm" and turn.intent == "affirm":
            self._save_address(turn, BillingAddress(*turn.values["address"]))
        elif turn.step == "address_confirm" and turn.intent == "deny":
            turn.say("utter_address_unchanged")
            turn.finish()
        elif turn.step == "address" and turn.intent in ("inform", "nlu_fallback", None):
            turn.ask("address", "utter_address_invalid", example=_example(turn))
        else:
            return False
        return True

    def _confirm_address(self, turn: Turn, address: BillingAddress) -> None:
        turn.values["address"] = [address.street, address.postal_code, address.city]
        turn.ask(
            "address_confirm",
            "utter_address_confirm",
            turn.yes_no("confirm", "keep"),
            address=_address_text(turn, address),
        )

    def _save_address(self, turn: Turn, address: BillingAddress) -> None:
        before = turn.backend.billing_address(turn.client_id)
        saved = turn.backend.update_billing_address(turn.client_id, address)
        text = _address_text(turn, saved)
        if saved.postal_code != before.postal_code:
            turn.say("utter_address_updated_postal_code", address=text, postal_code=saved.postal_code)
        else:
            turn.say("utter_address_updated", address=text)
        turn.finish()


def _address_text(turn: Turn, address: BillingAddress) -> str:
    key = "address_line" if address.street else "address_line_no_street"
    return turn.label(key, street=address.street, postal_code=address.postal_code, city=address.city)


def _example(turn: Turn) -> str:
    return turn.label(f"address_example_{turn.customer.country.lower()}")


def _line(turn: Turn, method: PaymentMethod) -> str:
    key = "method_line_default" if method.is_default else "method_line"
    return turn.label(key, method=method.masked, expires=method.expires or "")


class ActionUpdateBillingDetails(FlowAction):
    flow = register(BillingDetailsFlow())
