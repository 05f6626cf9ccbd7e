"""`POST /webhooks/payments`: the payment provider's signed confirmation of a payment request."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.engine import Engine

from bot.billing.models import PaymentMethodKind, PaymentRequestStatus
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import payments
from bot.billing.webhook_signature import SIGNATURE_HEADER, sign
from bot.web.simulate import confirmation_body, signed_request

from .conftest import NOW, PORTAL_URL, TODAY, WEBHOOK_SECRET, Clock, Ids
from .helpers import count

CARLOS, JULIEN = "845120", "517204"
PATH = "/webhooks/payments"


def pix_request(backend: SqlBillingBackend, customer_id: int, amount: str = "299.70") -> str:
    return backend.create_payment_request(customer_id, Decimal(amount), PaymentMethodKind.PIX, NOW).reference


def body_of(reference: str, provider_reference: str = "e2e-pix-0001") -> bytes:
    return json.dumps(
        {"reference": reference, "provider_reference": provider_reference, "status": "paid"}
    ).encode()


async def post(
    client: httpx.AsyncClient, body: bytes, *, at: datetime = NOW, secret: str = WEBHOOK_SECRET
) -> httpx.Response:
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body, at)}
    return await client.post(PATH, content=body, headers=headers)


async def test_a_signed_confirmation_pays_the_request_once(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, portal_db: Engine, customer_ids: Ids
) -> None:
    carlos = customer_ids[CARLOS]
    reference = pix_request(portal_backend, carlos)
    balance = portal_backend.get_account_summary(carlos, TODAY).balance
    response = await post(client, body_of(reference))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "paid" and answer["reference"] == reference
    assert (answer["amount"], answer["currency"]) == ("299.70", "BRL")
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PAID
    assert portal_backend.get_account_summary(carlos, TODAY).balance == balance - Decimal("299.70")
    recorded = count(portal_db, payments)

    replayed = await post(client, body_of(reference))  # the provider retries: same body, same signature
    assert replayed.status_code == 200 and replayed.json()["payment_id"] == answer["payment_id"]
    assert count(portal_db, payments) == recorded
    assert portal_backend.get_account_summary(carlos, TODAY).balance == balance - Decimal("299.70")

    other = await post(client, body_of(reference, "e2e-pix-0002"))
    assert other.status_code == 409 and other.json()["reason"] == "payment_request_already_paid"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "v1=abc",
        "t=notanumber,v1=00",
        "t=1773225000",
        "t=1773225000,v1=" + "0" * 64,
        "t=1773225000,v1=é",
    ],
)
async def test_unsigned_or_wrongly_signed_requests_are_401(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    portal_db: Engine,
    customer_ids: Ids,
    signature: str | None,
) -> None:
    reference = pix_request(portal_backend, customer_ids[CARLOS])
    headers = {} if signature is None else {SIGNATURE_HEADER.encode(): signature.encode("utf-8")}
    response = await client.post(PATH, content=body_of(reference), headers=headers)
    assert response.status_code == 401 and response.json() == {"error": "invalid_signature"}
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PENDING


async def test_a_signature_of_another_secret_or_body_is_401(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, portal_db: Engine, customer_ids: Ids
) -> None:
    reference = pix_request(portal_backend, customer_ids[CARLOS])
    recorded = count(portal_db, payments)
    assert (await post(client, body_of(reference), secret="another-secret")).status_code == 401
    signed_for_other = sign(WEBHOOK_SECRET, body_of(reference, "x"), NOW)
    response = await client.post(
        PATH, content=body_of(reference), headers={SIGNATURE_HEADER: signed_for_other}
    )
    assert response.status_code == 401
    assert count(portal_db, payments) == recorded


@pytest.mark.parametrize(
    "shift", [timedelta(minutes=-5, seconds=-1), timedelta(minutes=5, seconds=1), timedelta(days=-1)]
)
async def test_old_or_future_timestamps_are_refused_as_replays(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    portal_db: Engine,
    customer_ids: Ids,
    shift: timedelta,
) -> None:
    reference = pix_request(portal_backend, customer_ids[CARLOS])
    recorded = count(portal_db, payments)
    response = await post(client, body_of(reference), at=NOW + shift)
    assert response.status_code == 401 and response.json() == {"error": "stale_signature"}
    assert count(portal_db, payments) == recorded
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PENDING


async def test_a_timestamp_within_five_minutes_is_accepted(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids
) -> None:
    reference = pix_request(portal_backend, customer_ids[CARLOS])
    assert (await post(client, body_of(reference), at=NOW - timedelta(minutes=5))).status_code == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b"[]", "invalid_json"),
        (b'{"reference": "PG-222222", "status": "paid"}', "invalid_fields"),
        (b'{"reference": 12, "provider_reference": "p", "status": "paid"}', "invalid_fields"),
        (b'{"reference": "PG-222222", "provider_reference": "", "status": "paid"}', "invalid_fields"),
        (
            b'{"reference": "PG-222222", "provider_reference": "' + b"x" * 65 + b'", "status": "paid"}',
            "invalid_fields",
        ),
        (b'{"reference": "PG-222222", "provider_reference": "p"}', "unsupported_status"),
        (b'{"reference": "PG-222222", "provider_reference": "p", "status": "failed"}', "unsupported_status"),
    ],
)
async def test_malformed_bodies_are_400(
    client: httpx.AsyncClient, portal_db: Engine, body: bytes, error: str
) -> None:
    recorded = count(portal_db, payments)
    response = await post(client, body)
    assert response.status_code == 400 and response.json() == {"error": error}
    assert count(portal_db, payments) == recorded


async def test_unknown_and_expired_requests(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    portal_db: Engine,
    customer_ids: Ids,
    clock: Clock,
) -> None:
    unknown = await post(client, body_of("PG-222222"))
    assert unknown.status_code == 404 and unknown.json() == {"error": "unknown_reference"}
    reference = pix_request(portal_backend, customer_ids[CARLOS])
    clock.now = NOW + timedelta(minutes=30)  # a Pix code lasts 30 minutes
    expired = await post(client, body_of(reference), at=clock.now)
    assert expired.status_code == 409
    assert expired.json() == {"error": "not_allowed", "reason": "payment_request_expired"}
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.EXPIRED


async def test_the_simulator_sends_what_the_portal_accepts(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids
) -> None:
    reference = portal_backend.create_payment_request(
        customer_ids[JULIEN], Decimal("19.99"), PaymentMethodKind.CARD, NOW
    ).reference
    body = confirmation_body(reference, "sim-0001")
    request = signed_request(PORTAL_URL + "/", WEBHOOK_SECRET, body, NOW)
    assert request.full_url == PORTAL_URL + PATH and request.get_method() == "POST"
    headers = dict(request.header_items())
    response = await client.post(PATH, content=body, headers=headers)
    assert response.status_code == 200 and response.json()["amount"] == "19.99"
    with pytest.raises(ValueError):
        signed_request("file:///etc/passwd", WEBHOOK_SECRET, body, NOW)
