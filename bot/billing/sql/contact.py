"""Contact details of a customer, and the e-mails queued for them (no mail is sent from here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.engine import Connection

from bot.billing.address import checked_address
from bot.billing.backend import NotAllowed
from bot.billing.contact import mask_email, normalize_email, normalize_phone
from bot.billing.models import BillingAddress, Invoice, SentEmail
from bot.billing.sql import queries
from bot.billing.sql.schema import customers, email_outbox

INVOICE_EMAIL_SUBJECT = "email.invoice.subject"  # a locale key: the mailer renders it
QUEUED = "queued"


def update_contact(
    conn: Connection, customer_row: queries.Row, *, email: str | None, phone: str | None
) -> None:
    """Both values are checked before either is stored."""
    values: dict[str, str] = {}
    if email is not None:
        normalized_email = normalize_email(email)
        if normalized_email is None:
            raise NotAllowed("invalid_email")
        values["email"] = normalized_email
    if phone is not None:
        normalized_phone = normalize_phone(phone, customer_row.country)
        if normalized_phone is None:
            raise NotAllowed("invalid_phone")
        values["phone"] = normalized_phone
    if values:
        conn.execute(update(customers).where(customers.c.id == customer_row.id).values(**values))


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
