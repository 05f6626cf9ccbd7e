"""Invoice copy: recent invoices, picked by month or reference, delivered as a PDF in the customer's
language behind a signed expiring link (an attachment where the channel takes one), or by e-mail."""

from __future__ import annotations

from actions.flow import Flow, FlowAction, Turn, register
from bot import i18n
from bot.billing.backend import NotFound
from bot.billing.models import Invoice
from bot.dates.periods import resolve_month
from bot.i18n import date_value, money_value

EMAIL = "email"


class InvoiceCopyFlow(Flow):
    name = "invoice_copy"
    remembered_entities = ("invoice_reference", "period")

    def start(self, turn: Turn) -> None:
        invoices = turn.backend.list_invoices(turn.client_id, 6)
        if not invoices:
            turn.say("utter_invoice_none")
            turn.finish()
            return
        reference = turn.values.pop("said_invoice_reference", None)
        period = turn.values.pop("said_period", None)
        chosen = self._find(turn, invoices, reference, period)
        if chosen is not None:
            self._deliver(turn, chosen)
        elif reference or period:
            turn.say("utter_invoice_not_found")
            self._list(turn, invoices)
        else:
            self._list(turn, invoices)

    def answer(self, turn: Turn) -> bool:
        if turn.step == "delivered" and (turn.picked(EMAIL) or turn.intent == "affirm"):
            sent = turn.backend.send_invoice_email(
                turn.client_id, turn.values["invoice"], turn.language, turn.now
            )
            turn.say("utter_invoice_emailed", reference=sent.reference, email=sent.to_masked)
            turn.finish()
            return True
        invoices = turn.backend.list_invoices(turn.client_id, 12)
        reference = turn.entity("invoice_reference")
        chosen = self._find(turn, invoices, reference, turn.entity("period") or turn.text)
        if chosen is not None:
            self._deliver(turn, chosen)
            return True
        if reference:
            turn.say("utter_invoice_not_found")
            self._list(turn, invoices[:6])
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        self._list(turn, turn.backend.list_invoices(turn.client_id, 6))

    def _find(self, turn: Turn, invoices: list[Invoice], reference: object, period: object) -> Invoice | None:
        if reference:
            try:
                return turn.backend.get_invoice(turn.client_id, str(reference))
            except NotFound:
                return None
        month = resolve_month(str(period), turn.language, turn.today) if period else None
        if month is None:
            return None
        return next((i for i in invoices if (i.issued_on.year, i.issued_on.month) == month), None)

    def _list(self, turn: Turn, invoices: list[Invoice]) -> None:
        lines = [
            turn.label(
                "invoice_line",
                reference=invoice.reference,
                issued_date=date_value(invoice.issued_on),
                total=money_value(invoice.total, invoice.currency),
            )
            for invoice in invoices
        ]
        buttons = [
            {
                "title": turn.label(
                    "invoice_button",
                    month=i18n.format_month(invoice.issued_on, turn.language),
                    total=money_value(invoice.total, invoice.currency),
                ),
                "payload": f'/inform{{"invoice_reference":"{invoice.reference}"}}',
            }
            for invoice in invoices[:4]
        ]
        turn.ask("pick", "utter_invoice_list", buttons, invoices="\n".join(lines))

    def _deliver(self, turn: Turn, invoice: Invoice) -> None:
        link = turn.backend.invoice_link(turn.client_id, invoice.reference, turn.language, turn.now)
        turn.values["invoice"] = invoice.reference
        turn.ask(
            "delivered",
            "utter_invoice_link",
            [turn.button("send_email", f'/inform{{"choice":"{EMAIL}"}}')],
            reference=invoice.reference,
            issued_date=date_value(invoice.issued_on),
            total=money_value(invoice.total, invoice.currency),
            url=link.url,
            minutes=turn.minutes_until(link.expires_at),
            attachment={"type": "file", "url": link.url, "name": f"{invoice.reference}.pdf"},
        )


class ActionInvoiceCopy(FlowAction):
    flow = register(InvoiceCopyFlow())
