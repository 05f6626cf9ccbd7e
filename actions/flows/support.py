"""How to reach the support team (from configuration), and the status of the customer's own tickets."""

from __future__ import annotations

from actions.common import ask_for_verification
from actions.flow import Flow, FlowAction, Turn, register
from bot.billing.backend import NotFound
from bot.billing.models import Ticket
from bot.billing.references import parse_reference
from bot.i18n import date_value
from bot.support_contact import describe_hours, support_contact, support_country


class ContactFlow(Flow):
    name = "contact_support"
    needs_verification = False

    def start(self, turn: Turn) -> None:
        contact = support_contact(
            support_country(turn.language, turn.customer.country if turn.customer_id else None)
        )
        hours = "\n".join(
            turn.label("hours_line", days=days, opens=opens, closes=closes)
            for days, opens, closes in describe_hours(contact.hours, turn.language)
        )
        turn.say(
            "utter_contact_support",
            [turn.button("human", "/request_human")],
            phone=contact.phone,
            email=contact.email,
            whatsapp=contact.whatsapp,
            hours=hours,
        )
        turn.finish()


class TicketStatusFlow(Flow):
    name = "ticket_status"
    needs_verification = False
    remembered_entities = ("ticket_reference",)

    def start(self, turn: Turn) -> None:
        reference = turn.values.get("said_ticket_reference")
        if reference:
            self._look_up(turn, str(reference))
            return
        if turn.customer_id is not None:
            tickets = turn.backend.list_tickets(turn.customer_id, 5)
            if tickets:
                turn.say("utter_ticket_list", tickets="\n".join(_line(turn, t) for t in tickets))
                turn.finish()
                return
        turn.ask("reference", "utter_ticket_ask_reference")

    def answer(self, turn: Turn) -> bool:
        reference = turn.entity("ticket_reference") or parse_reference(turn.text)
        if not reference:
            return False
        self._look_up(turn, str(reference))
        return True

    def repeat_question(self, turn: Turn) -> None:
        turn.ask("reference", "utter_ticket_ask_reference")

    def _look_up(self, turn: Turn, reference: str) -> None:
        try:
            ticket = turn.backend.get_ticket(reference, turn.customer_id)
        except NotFound:
            if turn.customer_id is None:
                # A known customer's ticket is only shown to that customer, once verified.
                turn.values["said_ticket_reference"] = reference
                turn.events.extend(ask_for_verification(turn.dispatcher, then="action_ticket_status"))
                turn.next_step = "verification"
                return
            turn.say("utter_ticket_not_found", reference=reference)
            turn.finish()
            return
        turn.say(
            "utter_ticket_status",
            reference=ticket.reference,
            status=_status(turn, ticket),
            updated_date=date_value(ticket.updated_at.date()),
        )
        turn.finish()


def _status(turn: Turn, ticket: Ticket) -> str:
    return turn.label(f"ticket_{ticket.status.value}")


def _line(turn: Turn, ticket: Ticket) -> str:
    return turn.label(
        "ticket_line",
        reference=ticket.reference,
        status=_status(turn, ticket),
        updated_date=date_value(ticket.updated_at.date()),
    )


class ActionContactSupport(FlowAction):
    flow = register(ContactFlow())
    information_only = True


class ActionTicketStatus(FlowAction):
    flow = register(TicketStatusFlow())
