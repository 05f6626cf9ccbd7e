"""`python -m bot.cli simulate-payment <REFERENCE>`: play the payment provider for a demo, sending the
portal a signed confirmation that a payment request (a Pix code, a boleto...) was paid."""

from __future__ import annotations

import json
import secrets
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone

from bot.billing import webhook_signature
from bot.web.payment_webhook import PAID, PATH

TIMEOUT_SECONDS = 10
SIMULATED_PREFIX = "sim-"


def confirmation_body(reference: str, provider_reference: str) -> bytes:
    return json.dumps(
        {"reference": reference, "provider_reference": provider_reference, "status": PAID}
    ).encode("utf-8")


def signed_request(base_url: str, secret: str, body: bytes, at: datetime) -> urllib.request.Request:
    if not base_url.startswith(("http://", "https://")):
        raise ValueError("the portal URL must start with http:// or https://")
    return urllib.request.Request(  # noqa: S310 (scheme checked above)
        base_url.rstrip("/") + PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            webhook_signature.SIGNATURE_HEADER: webhook_signature.sign(secret, body, at),
        },
    )


def simulate_payment(reference: str, base_url: str, secret: str) -> int:
    body = confirmation_body(reference.strip().upper(), SIMULATED_PREFIX + secrets.token_hex(8))
    request = signed_request(base_url, secret, body, datetime.now(timezone.utc))
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read()
    except urllib.error.URLError as error:
        print(
            f"The portal is not reachable at {base_url} ({error.reason}): start it with "
            "`python -m bot.cli web` (or `make run`).",
            file=sys.stderr,
        )
        return 2
    try:
        result = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        result = {}
    if status == 200:
        print(
            f"Paid: {result.get('reference')} {result.get('amount')} {result.get('currency')} "
            f"(payment {result.get('payment_id')})"
        )
        return 0
    reason = result.get("reason") or result.get("error") or answer[:200].decode("utf-8", "replace")
    print(f"Refused by the portal (HTTP {status}): {reason}", file=sys.stderr)
    return 1
