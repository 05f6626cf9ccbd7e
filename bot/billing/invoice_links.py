"""Invoice PDF links: what a signed link names (customer, invoice, language) and its token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.billing.backend import NotFound
from bot.billing.links import read_link, sign_link

PURPOSE = "invoice_pdf"
SUFFIX = ".pdf"


@dataclass(frozen=True)
class InvoiceLinkSubject:
    customer_id: int
    reference: str
    language: str

    def encode(self) -> str:
        return f"{self.customer_id}:{self.reference}:{self.language}"


def invoice_token(secret: str, subject: InvoiceLinkSubject, expires_at: datetime) -> str:
    return sign_link(secret, PURPOSE, subject.encode(), expires_at)


def read_invoice_token(secret: str, token: str, now: datetime) -> InvoiceLinkSubject:
    """The subject of a valid, unexpired invoice token (the ".pdf" of the URL may be left on)."""
    subject = read_link(secret, PURPOSE, token.removesuffix(SUFFIX), now)
    customer_id, reference, language = _three_parts(subject)
    return InvoiceLinkSubject(int(customer_id), reference, language)


def _three_parts(subject: str) -> tuple[str, str, str]:
    parts = subject.split(":")
    if len(parts) != 3 or not (parts[0].isascii() and parts[0].isdigit()):
        raise NotFound("link")  # signed by us, so only with a secret shared with another purpose
    return parts[0], parts[1], parts[2]
