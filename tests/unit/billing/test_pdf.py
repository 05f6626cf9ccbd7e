from __future__ import annotations

import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.billing.models import AccountStatus, Customer, Invoice, InvoiceLine, InvoiceStatus, LineKind
from bot.billing.pdf import FONT_CANDIDATES, Fonts, find_fonts, render_invoice

CUSTOMER = Customer(
    1, "482130", "Camille Martin", "c@example.com", "+33612345678", "FR", "EUR", "fr", AccountStatus.ACTIVE,
    date(2023, 1, 2),
)  # fmt: skip
INVOICE = Invoice(
    id=1,
    reference="F202603-0007",
    customer_id=1,
    issued_on=date(2026, 3, 2),
    due_on=date(2026, 3, 22),
    currency="EUR",
    lines=(
        InvoiceLine(LineKind.PRORATA, "Fibre Pro", Decimal("25.80"), date(2026, 3, 2), date(2026, 3, 21)),
        InvoiceLine(
            LineKind.SUBSCRIPTION, "Fibre Pro", Decimal("1039.99"), date(2026, 3, 22), date(2026, 4, 21)
        ),
        InvoiceLine(LineKind.LATE_FEE, "", Decimal("7.50")),
        InvoiceLine(LineKind.CREDIT, "Fibre Pro", Decimal("-3.00")),
    ),
    amount_paid=Decimal("10.00"),
    status=InvoiceStatus.OPEN,
)


@pytest.mark.parametrize("language", ["fr", "pt"])
def test_invoice_pdf_with_the_unicode_font(language: str) -> None:
    if not find_fonts().unicode:
        pytest.skip("DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
    document = render_invoice(INVOICE, CUSTOMER, language, date(2026, 3, 11))
    assert document.startswith(b"%PDF")
    assert b"F202603-0007" in document  # the document title
    assert b"DejaVu" in document  # the font is embedded


def test_invoice_pdf_falls_back_to_a_core_font() -> None:
    paid = Invoice(**{**INVOICE.__dict__, "status": InvoiceStatus.PAID, "amount_paid": INVOICE.total})
    for language in ("fr", "pt"):
        document = render_invoice(paid, CUSTOMER, language, date(2026, 3, 11), fonts=Fonts(None, None))
        assert document.startswith(b"%PDF") and b"F202603-0007" in document
        assert b"Helvetica" in document


def test_the_pdf_shows_the_amounts_in_the_content() -> None:
    document = render_invoice(INVOICE, CUSTOMER, "fr", date(2026, 3, 11), fonts=Fonts(None, None))
    streams = [zlib.decompress(chunk.split(b"stream\n", 1)[1]) for chunk in document.split(b"endstream")[:-1]]
    content = b"".join(streams).decode("cp1252")
    assert "1\xa0039,99\xa0€" in content  # the narrow no-break space became a no-break space
    assert "Facture F202603-0007" in content and "Désignation" in content


def test_font_lookup() -> None:
    assert find_fonts([Path("/nonexistent/DejaVuSans.ttf")]) == Fonts(None, None)
    present = [path for path in FONT_CANDIDATES if path.is_file()]
    if present:
        assert find_fonts().regular == present[0]
