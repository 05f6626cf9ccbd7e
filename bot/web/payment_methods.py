"""`GET`/`POST /secure/payment-method/<token>`: the single-use page where a customer adds a card or,
where their country keeps one on file (France, Portugal), a SEPA direct debit, which becomes their
default payment method.

Viewing the page leaves the link usable; a valid submission uses it up and adds the method in one
transaction. Only the brand and last four digits (or the IBAN's country, check digits and last four),
the holder and the expiry are kept. The token is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.billing.backend import BillingBackend, NotAllowed, NotFound
from bot.billing.models import NewPaymentMethod, PaymentMethodKind
from bot.web.context import Portal
from bot.web.forms import field, typed_card
from bot.web.pages import not_found, portal_text, render, visitor_language
from bot.web.payment_details import (
    InvalidDetails,
    check_card,
    check_iban,
    keepable_expiry,
    keepable_holder,
    mask_card,
)

logger = logging.getLogger("bot.web.payment_methods")
CARD, SEPA = PaymentMethodKind.CARD.value, PaymentMethodKind.SEPA_DEBIT.value


@dataclass(frozen=True)
class Owner:
    customer_id: int
    language: str
    timezone: str
    offers_sepa: bool  # the country keeps SEPA debits on file (CountryPolicy.methods_on_file)


def load_owner(backend: BillingBackend, token: str, now: datetime) -> Owner:
    customer_id = backend.check_payment_method_link(token, now)
    customer = backend.get_customer(customer_id)
    policy = backend.customer_policy(customer_id)
    return Owner(
        customer_id,
        customer.language,
        policy.timezone,
        offers_sepa=PaymentMethodKind.SEPA_DEBIT in policy.methods_on_file,
    )


def form_page(
    owner: Owner,
    *,
    status: int = 200,
    kind: str = "",
    errors: dict[str, str] | None = None,
    holder: str = "",
    expiry: str = "",
) -> HTTPResponse:
    return render(
        "payment_method.html",
        owner.language,
        status=status,
        offers_sepa=owner.offers_sepa,
        kind=kind,
        errors=errors or {},
        holder=holder,
        expiry=expiry,
    )


def new_method(request: Request, owner: Owner, now: datetime) -> NewPaymentMethod:
    """The method the form describes, reduced to what may be stored; `InvalidDetails` otherwise."""
    kind = field(request, "kind")
    if kind == CARD:
        card = check_card(typed_card(request), now.astimezone(ZoneInfo(owner.timezone)).date())
        brand = portal_text(owner.language, f"card_brands.{card.brand.value}")
        return NewPaymentMethod(
            PaymentMethodKind.CARD, mask_card(brand, card.last4), card.holder, card.expires
        )
    if kind == SEPA and owner.offers_sepa:
        account = check_iban(field(request, "holder"), field(request, "iban"))
        return NewPaymentMethod(PaymentMethodKind.SEPA_DEBIT, account.masked, account.holder)
    raise InvalidDetails({"kind": "kind"})


def blueprint(portal: Portal) -> Blueprint:
    routes = Blueprint("payment_methods")

    async def find(request: Request, token: str) -> Owner | HTTPResponse:
        try:
            return await portal.call(load_owner, portal.backend, token, portal.now())
        except NotFound:
            logger.info("portal.payment_method_link_refused")
            return not_found(visitor_language(request, portal.default_language), "payment_method")

    @routes.get("/secure/payment-method/<token:str>")
    async def payment_method_page(request: Request, token: str) -> HTTPResponse:
        found = await find(request, token)
        return found if isinstance(found, HTTPResponse) else form_page(found)

    @routes.post("/secure/payment-method/<token:str>")
    async def add_payment_method(request: Request, token: str) -> HTTPResponse:
        found = await find(request, token)
        if isinstance(found, HTTPResponse):
            return found
        now = portal.now()
        try:
            method = new_method(request, found, now)
        except InvalidDetails as invalid:
            logger.info(
                "portal.payment_method_refused",
                extra={"customer_id": found.customer_id, "fields": sorted(invalid.errors)},
            )
            return form_page(
                found,
                status=400,
                kind=field(request, "kind"),
                errors=invalid.errors,
                holder=keepable_holder(field(request, "holder")),
                expiry=keepable_expiry(field(request, "expiry")),
            )
        try:
            added = await portal.call(portal.backend.add_payment_method_with_link, token, method, now)
        except NotFound:  # used up meanwhile by another submission
            return not_found(found.language, "payment_method")
        except NotAllowed:
            return form_page(found, status=400, kind=method.kind.value, errors={"form": "invalid"})
        logger.info(
            "portal.payment_method_added",
            extra={"customer_id": added.customer_id, "method_id": added.id, "kind": added.kind.value},
        )
        return render("payment_method_added.html", found.language, method=added.masked)

    return routes
