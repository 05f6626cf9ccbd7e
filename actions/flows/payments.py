"""Make a payment: the full balance or a chosen amount, then the means the customer's country offers
(France and Portugal: a card payment link; Brazil: Pix copia e cola, boleto or card)."""

from __future__ import annotations

from decimal import Decimal

from actions.flow import Flow, FlowAction, Turn, register
from bot import i18n
from bot.answers import choose, parse_amount
from bot.billing.models import PaymentMethodKind, PaymentRequest
from bot.billing.money import quantize
from bot.i18n import date_value, money_value


class MakePaymentFlow(Flow):
    name = "make_payment"
    remembered_entities = ("amount", "payment_method")

    def start(self, turn: Turn) -> None:
        summary = turn.backend.get_account_summary(turn.client_id, turn.today)
        if summary.balance <= 0:
            turn.say("utter_payment_nothing_due")
            turn.finish()
            return
        turn.values["balance"] = str(summary.balance)
        turn.values["currency"] = summary.currency
        method = turn.values.pop("said_payment_method", None)
        if method:
            turn.values["method"] = method
        said = turn.values.pop("said_amount", None)
        amount = parse_amount(str(said)) if said else None
        if amount is not None and self._take_amount(turn, amount):
            self._after_amount(turn)
        elif amount is None:
            self._ask_amount(turn)

    def answer(self, turn: Turn) -> bool:
        if turn.step == "amount":
            said = turn.entity("amount") or turn.text
            amount = parse_amount(str(said))
            if amount is None and (turn.intent == "affirm" or turn.picked("pay_all")):
                amount = Decimal(turn.values["balance"])
            if amount is None:
                return False
            if self._take_amount(turn, amount):
                self._after_amount(turn)
            return True
        if turn.step == "method":
            kind = self._method_said(turn)
            if kind is None:
                return False
            self._pay(turn, kind)
            return True
        return False

    def repeat_question(self, turn: Turn) -> None:
        if turn.step == "method":
            self._ask_method(turn)
        else:
            self._ask_amount(turn)

    def _ask_amount(self, turn: Turn) -> None:
        balance = money_value(Decimal(turn.values["balance"]), turn.values["currency"])
        buttons = [turn.button("pay_all", f'/inform{{"amount":"{turn.values["balance"]}"}}', balance=balance)]
        turn.ask("amount", "utter_payment_ask_amount", buttons, balance=balance)

    def _take_amount(self, turn: Turn, amount: Decimal) -> bool:
        balance = Decimal(turn.values["balance"])
        currency = turn.values["currency"]
        amount = quantize(amount, currency)
        if not 0 < amount <= balance:
            turn.ask(
                "amount",
                "utter_payment_amount_invalid",
                [
                    turn.button(
                        "pay_all", f'/inform{{"amount":"{balance}"}}', balance=money_value(balance, currency)
                    )
                ],
                balance=money_value(balance, currency),
            )
            return False
        turn.values["amount"] = str(amount)
        return True

    def _after_amount(self, turn: Turn) -> None:
        options = turn.backend.payment_options(turn.client_id)
        wanted = _kind(turn.values.pop("method", None))
        if wanted in options:
            self._pay(turn, wanted)
        elif len(options) == 1:
            self._pay(turn, options[0])
        else:
            self._ask_method(turn)

    def _ask_method(self, turn: Turn) -> None:
        options = turn.backend.payment_options(turn.client_id)
        buttons = [
            turn.button(f"method_{kind.value}", f'/inform{{"payment_method":"{kind.value}"}}')
            for kind in options
        ]
        amount = money_value(Decimal(turn.values["amount"]), turn.values["currency"])
        turn.ask("method", "utter_payment_ask_method", buttons, amount=amount)

    def _method_said(self, turn: Turn) -> PaymentMethodKind | None:
        options = turn.backend.payment_options(turn.client_id)
        kind = _kind(turn.entity("payment_method"))
        if kind is None:
            aliases = i18n.catalogue(turn.language)["choices"]["payment_method"]
            kind = _kind(choose(turn.text, {k: aliases.get(k.value, []) for k in options}))
        if kind is None and turn.entity("payment_method"):
            turn.say("utter_payment_method_unavailable", methods=method_names(turn, options))
            self._ask_method(turn)
            return None
        return kind if kind in options else None

    def _pay(self, turn: Turn, kind: PaymentMethodKind) -> None:
        amount = Decimal(turn.values["amount"])
        request = turn.backend.create_payment_request(turn.client_id, amount, kind, turn.now)
        params = _request_params(request, turn)
        if kind is PaymentMethodKind.PIX:
            turn.say("utter_payment_pix", **params)
        elif kind is PaymentMethodKind.BOLETO:
            others = [
                k for k in turn.backend.payment_options(turn.client_id) if k is not PaymentMethodKind.BOLETO
            ]
            buttons = [
                turn.button(f"method_{k.value}", f'/inform{{"payment_method":"{k.value}"}}') for k in others
            ]
            turn.ask("method", "utter_payment_boleto", buttons, **params)
            return
        else:
            turn.say("utter_payment_card_link", **params)
        turn.finish()


def _kind(value: object) -> PaymentMethodKind | None:
    try:
        return PaymentMethodKind(str(value))
    except ValueError:
        return None


def method_names(turn: Turn, options: tuple[PaymentMethodKind, ...]) -> str:
    return ", ".join(turn.label(f"method_{kind.value}") for kind in options)


def _request_params(request: PaymentRequest, turn: Turn) -> dict[str, object]:
    return {
        "reference": request.reference,
        "amount": money_value(request.amount, request.currency),
        "url": request.url or "",
        "pix_code": request.pix_code or "",
        "boleto_line": request.boleto_line or "",
        "payable_date": date_value(request.payable_from) if request.payable_from else "",
        "minutes": turn.minutes_until(request.expires_at),
        "expires_date": date_value(request.due_on or request.expires_at.date()),
    }


class ActionMakePayment(FlowAction):
    flow = register(MakePaymentFlow())
