"""`POST /webhooks/payments`: the payment provider confirms that a payment request was paid.

Body `{"reference": "PG-…", "provider_reference": "…", "status": "paid"}`, signed as described in
`bot.billing.webhook_signature`. Answers (JSON): 401 unsigned, wrongly signed or replayed (outside the
time tolerance); 400 malformed; 404 unknown reference; 409 refused by the backend (`reason`); 200 with
the payment, also for the same confirmation delivered again (the backend records it once).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.billing import webhook_signature
from bot.billing.backend import BackendUnavailable, NotAllowed, NotFound
from bot.billing.models import Payment
from bot.web.context import Portal

logger = logging.getLogger("bot.web.payment_webhook")
PATH = "/webhooks/payments"
PAID = "paid"
MAX_FIELD_LENGTH = 64


@dataclass(frozen=True)
class Confirmation:
    reference: str
    provider_reference: str


class Malformed(ValueError):
    pass


def parse_confirmation(body: bytes) -> Confirmation:
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:  # too deeply nested
        raise Malformed("invalid_json") from error
    if not isinstance(data, dict):
        raise Malformed("invalid_json")
    confirmation = Confirmation(_text(data, "reference"), _text(data, "provider_reference"))
    if data.get("status") != PAID:
        raise Malformed("unsupported_status")
    return confirmation


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_FIELD_LENGTH or not value.isprintable():
        raise Malformed("invalid_fields")
    return value


def payment_json(payment: Payment, reference: str) -> dict[str, Any]:
    return {
        "status": PAID,
        "reference": reference,
        "payment_id": payment.id,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "paid_at": payment.paid_at.isoformat(),
    }


def error(status: int, code: str) -> HTTPResponse:
    return json_response({"error": code}, status=status)


def blueprint(portal: Portal) -> Blueprint:
    routes = Blueprint("payment_webhook")

    @routes.post(PATH)
    async def payment_confirmed(request: Request) -> HTTPResponse:
        body = request.body or b""
        header = request.headers.get(webhook_signature.SIGNATURE_HEADER)  # case-insensitive
        now = portal.now()
        try:
            webhook_signature.verify(portal.webhook_secret, body, header, now)
        except webhook_signature.StaleSignature:
            logger.warning("portal.webhook_replay_refused")
            return error(401, "stale_signature")
        except webhook_signature.InvalidSignature:
            logger.warning("portal.webhook_signature_refused")
            return error(401, "invalid_signature")
        try:
            confirmation = parse_confirmation(body)
        except Malformed as malformed:
            return error(400, str(malformed))
        try:
            payment = await portal.call(
                portal.backend.confirm_payment_request,
                confirmation.reference,
                confirmation.provider_reference,
                now,
            )
        except NotFound:
            return error(404, "unknown_reference")
        except NotAllowed as refused:
            logger.info(
                "portal.webhook_refused",
                extra={"payment_request": confirmation.reference, "reason": refused.reason},
            )
            return json_response({"error": "not_allowed", "reason": refused.reason}, status=409)
        except BackendUnavailable:
            return error(503, "unavailable")  # the provider retries later
        logger.info(
            "portal.webhook_payment_confirmed",
            extra={"payment_request": confirmation.reference, "payment_id": payment.id},
        )
        return json_response(payment_json(payment, confirmation.reference))

    return routes
