"""Contact details of a customer, and the e-mails queued for them (no mail is sent from here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from bot.billing.address import checked_address
from bot.billing.backend import NotAllowed
from bot.billing.contact import mask_email, normalize_email, normalize_phone
from bot.billing.models import BillingAddress, Customer, Invoice, SentEmail
from bot.billing.sql import mappers, queries
from bot.billing.sql.schema import customers, email_outbox

INVOICE_EMAIL_SUBJECT = "email.invoice.subject"  # a locale key: the mailer renders it
QUEUED = "queued"


def update_contact(
    conn: Connection, customer_row: queries.Row, *, email: str | None, phone: str | None
) -> Customer:
    """The customer with the new values; both are checked before either is stored."""
    new_email = customer_row.email if email is None else normalize_email(email)
    if new_email is None:
        raise NotAllowed("invalid_email")
    new_phone = customer_row.phone if phone is None else normalize_phone(phone, customer_row.country)
    if new_phone is None:
        raise NotAllowed("invalid_phone")
    if email is not None or phone is not None:
        mine = customers.c.id == customer_row.id
        conn.execute(update(customers).where(mine).values(email=new_email, phone=new_phone))
    return replace(mappers.customer(customer_row), email=new_email, phone=new_phone)


def address_of(customer_row: queries.Row) -> BillingAddress:
    return BillingAddress(
        street=customer_row.street or "", postal_code=customer_row.postal_code, city=customer_row.city
    )


def update_address(conn: Connection, customer_row: queries.Row, address: BillingAddress) -> BillingAddress:
    checked = checked_address(address, customer_row.country)
    if checked is None:
        raise NotAllowed("invalid_address")
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_row.id)
        .values(street=checked.street, postal_code=checked.postal_code, city=checked.city)
    )
    return checked


def queue_invoice_email(
    conn: Connection, customer_row: queries.Row, invoice: Invoice, language: str, now: datetime
) -> SentEmail:
    recipient = normalize_email(customer_row.email)
    if recipient is None:
        raise NotAllowed("invalid_email")
    conn.execute(
        insert(email_outbox).values(
            customer_id=customer_row.id,
            recipient=recipient,
            subject_key=INVOICE_EMAIL_SUBJECT,
            invoice_reference=invoice.reference,
            language=language,
            created_at=now,
            status=QUEUED,
        )
    )
    return SentEmail(reference=invoice.reference, to_masked=mask_email(recipient), sent_at=now)
