"""`GET`/`POST /pay/<reference>`: the card payment page of a payment request, in the customer's language.

In this demo the page stands in for the payment provider: a well-formed card (Luhn, expiry not past,
3–4 digit CVV) confirms the request with a `demo-…` provider reference, and nothing is charged. The card
number and CVV are checked and forgotten: never stored, logged or shown back.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot import i18n
from bot.billing.backend import BillingBackend, NotAllowed, NotFound
from bot.billing.models import PaymentMethodKind, PaymentRequest, PaymentRequestStatus
from bot.web.context import Portal
from bot.web.forms import typed_card
from bot.web.pages import local_moment, not_found, render, visitor_language
from bot.web.payment_details import InvalidDetails, check_card, keepable_expiry, keepable_holder

logger = logging.getLogger("bot.web.card_payment")
DEMO_PROVIDER_PREFIX = "demo-"


@dataclass(frozen=True)
class Payable:
    request: PaymentRequest
    language: str
    timezone: str

    @property
    def amount(self) -> str:
        return i18n.format_money(self.request.amount, self.request.currency, self.language)


def load(backend: BillingBackend, reference: str) -> Payable:
    request = backend.get_payment_request(reference)
    customer = backend.get_customer(request.customer_id)
    return Payable(request, customer.language, backend.customer_policy(request.customer_id).timezone)


def demo_provider_reference() -> str:
    return DEMO_PROVIDER_PREFIX + secrets.token_hex(8)


def form_page(
    payable: Payable,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    holder: str = "",
    expiry: str = "",
) -> HTTPResponse:
    request = payable.request
    return render(
        "pay.html",
        payable.language,
        status=status,
        amount=payable.amount,
        reference=request.reference,
        expires=local_moment(request.expires_at, payable.timezone, payable.language),
        errors=errors or {},
        holder=holder,
        expiry=expiry,
    )


def paid_page(payable: Payable, *, just_paid: bool) -> HTTPResponse:
    return render(
        "paid.html",
        payable.language,
        amount=payable.amount,
        reference=payable.request.reference,
        just_paid=just_paid,
    )


def blueprint(portal: Portal) -> Blueprint:
    routes = Blueprint("card_payment")

    async def find(request: Request, reference: str) -> Payable | HTTPResponse:
        """The card request still to pay, or the page shown instead: the 404 page (unknown, expired, not
        a card request) or the already-paid page."""
        try:
            payable = await portal.call(load, portal.backend, reference)
        except NotFound:
            return not_found(visitor_language(request, portal.default_language), "payment")
        unpayable = payable.request.status is PaymentRequestStatus.EXPIRED
        if unpayable or payable.request.method is not PaymentMethodKind.CARD:
            return not_found(payable.language, "payment")
        if payable.request.status is PaymentRequestStatus.PAID:
            return paid_page(payable, just_paid=False)
        return payable

    @routes.get("/pay/<reference:str>")
    async def pay_page(request: Request, reference: str) -> HTTPResponse:
        found = await find(request, reference)
        return found if isinstance(found, HTTPResponse) else form_page(found)

    @routes.post("/pay/<reference:str>")
    async def pay(request: Request, reference: str) -> HTTPResponse:
        found = await find(request, reference)
        if isinstance(found, HTTPResponse):
            return found
        now = portal.now()
        typed = typed_card(request)
        try:
            check_card(typed, now.astimezone(ZoneInfo(found.timezone)).date())
        except InvalidDetails as invalid:
            logger.info(
                "portal.card_refused",
                extra={"payment_request": found.request.reference, "fields": sorted(invalid.errors)},
            )
            return form_page(
                found,
                status=400,
                errors=invalid.errors,
                holder=keepable_holder(typed.holder),
                expiry=keepable_expiry(typed.expiry),
            )
        try:
            payment = await portal.call(
                portal.backend.confirm_payment_request,
                found.request.reference,
                demo_provider_reference(),
                now,
            )
        except NotFound:
            return not_found(found.language, "payment")
        except NotAllowed as refused:
            if refused.reason == "payment_request_already_paid":  # paid meanwhile, e.g. a second tab
                return paid_page(found, just_paid=False)
            return not_found(found.language, "payment")
        logger.info(
            "portal.card_payment_confirmed",
            extra={"payment_request": found.request.reference, "payment_id": payment.id},
        )
        return paid_page(found, just_paid=True)

    return routes
