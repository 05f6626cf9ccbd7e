"""Payment requests as pure rules: what may be requested, and what a card, Pix or boleto request gives
the customer (page address, copy-and-paste code, linha digitável) and until when. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.billing import payment_codes, rules
from bot.billing.backend import NotAllowed
from bot.billing.models import PaymentMethodKind
from bot.billing.money import quantize
from bot.billing.policy import CountryPolicy
from bot.billing.references import random_part_number

PIX_VALIDITY = timedelta(minutes=30)
BOLETO_DUE_DAYS = 3
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Collection:
    """Where the operator collects: its Pix key and name, its boleto bank."""

    pix_key: str
    merchant_name: str
    merchant_city: str
    boleto_bank_code: str


@dataclass(frozen=True)
class Instrument:
    """What the customer pays a request with, and until when."""

    expires_at: datetime
    url: str | None = None
    pix_code: str | None = None
    boleto_line: str | None = None
    payable_from: date | None = None
    due_on: date | None = None


def checked_amount(
    amount: Decimal, method: PaymentMethodKind, balance: Decimal, policy: CountryPolicy
) -> Decimal:
    """The amount in the currency's minor unit, or `NotAllowed`, checked in this order: nothing_due,
    amount_not_positive, amount_above_balance, method_not_available."""
    if balance <= 0:
        raise NotAllowed("nothing_due")
    exact = quantize(amount, policy.currency)  # a float is a TypeError there
    if exact <= 0:
        raise NotAllowed("amount_not_positive")
    if exact > balance:
        raise NotAllowed("amount_above_balance")
    if method not in policy.payment_options:
        raise NotAllowed("method_not_available")
    return exact


def card_instrument(reference: str, now: datetime, base_url: str, lifetime: timedelta) -> Instrument:
    """The operator's card payment page for the request, valid as long as a link."""
    return Instrument(expires_at=now + lifetime, url=f"{base_url}/pay/{reference}")


def pix_instrument(reference: str, amount: Decimal, now: datetime, collection: Collection) -> Instrument:
    code = payment_codes.pix_copy_and_paste(
        key=collection.pix_key,
        merchant_name=collection.merchant_name,
        merchant_city=collection.merchant_city,
        amount=amount,
        txid=reference.replace("-", ""),
    )
    return Instrument(expires_at=now + PIX_VALIDITY, pix_code=code)


def boleto_free_field(reference: str) -> str:
    """The bank's 25-digit free field: here simply the request's number (a real bank puts its agency,
    account and "nosso número" there, per its own layout)."""
    return f"{random_part_number(reference):025d}"


def boleto_instrument(
    reference: str, amount: Decimal, now: datetime, policy: CountryPolicy, collection: Collection
) -> Instrument:
    """Due in 3 days (local calendar), payable once registered at the bank (the next business day),
    expiring at the end of its due date."""
    zone = ZoneInfo(policy.timezone)
    today = now.astimezone(zone).date()
    due_on = today + timedelta(days=BOLETO_DUE_DAYS)
    barcode = payment_codes.boleto_barcode(
        bank_code=collection.boleto_bank_code,
        due_on=due_on,
        amount=amount,
        free_field=boleto_free_field(reference),
    )
    return Instrument(
        expires_at=datetime.combine(due_on + ONE_DAY, time(0), tzinfo=zone).astimezone(timezone.utc),
        boleto_line=payment_codes.boleto_digitable_line(barcode),
        payable_from=rules.next_business_day(today + ONE_DAY),
        due_on=due_on,
    )


def instrument_for(
    method: PaymentMethodKind,
    reference: str,
    amount: Decimal,
    now: datetime,
    policy: CountryPolicy,
    collection: Collection,
    *,
    base_url: str,
    link_lifetime: timedelta,
) -> Instrument:
    if method is PaymentMethodKind.PIX:
        return pix_instrument(reference, amount, now, collection)
    if method is PaymentMethodKind.BOLETO:
        return boleto_instrument(reference, amount, now, policy, collection)
    if method is PaymentMethodKind.CARD:
        return card_instrument(reference, now, base_url, link_lifetime)
    raise NotAllowed("method_not_available")  # a direct debit is not paid on request
