"""Reading the fields of a posted form."""

from __future__ import annotations

from sanic import Request

from bot.web.payment_details import MAX_FIELD_LENGTH, CardInput


def field(request: Request, name: str) -> str:
    """A form field as posted ("" when absent or absurdly long: the checks then refuse it)."""
    form = request.form or {}
    value = form.get(name)
    if not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH:
        return ""
    return value


def typed_card(request: Request) -> CardInput:
    """The card fields of a posted form (`_card_fields.html`), as typed."""
    return CardInput(
        field(request, "holder"), field(request, "number"), field(request, "expiry"), field(request, "cvv")
    )
