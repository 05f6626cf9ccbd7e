"""Invoice PDF: every text from the locale catalogue (`pdf.*`), money and dates formatted per language.

A Unicode TrueType font (DejaVu Sans) shows "é", "ç", "ã", "€" and the narrow no-break space Babel puts
in French amounts. Without it (Debian package `fonts-dejavu-core`), the PDF falls back to a core font
after replacing what its Windows-1252 encoding cannot show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.billing.models import Customer, Invoice, InvoiceLine, InvoiceStatus
from bot.i18n import format_money, text

FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)
FONT_FAMILY = "DejaVu"
CORE_FONT = "helvetica"
CORE_ENCODING = "windows-1252"

_PAGE_MARGIN = 18.0
_AMOUNT_WIDTH = 42.0
_LINE_HEIGHT = 7.0
_MUTED = (100, 100, 100)
_RULE = (180, 180, 180)


@dataclass(frozen=True)
class Fonts:
    regular: Path | None
    bold: Path | None

    @property
    def unicode(self) -> bool:
        return self.regular is not None


def find_fonts(candidates: Sequence[Path] = FONT_CANDIDATES) -> Fonts:
    for regular in candidates:
        if regular.is_file():
            bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
            return Fonts(regular, bold if bold.is_file() else regular)
    return Fonts(None, None)


def render_invoice(
    invoice: Invoice,
    customer: Customer,
    language: str,
    generated_on: date,
    fonts: Fonts | None = None,
) -> bytes:
    """The invoice as PDF bytes, in `language` (a supported catalogue language)."""
    document = _InvoiceDocument(fonts or find_fonts(), language, invoice.currency)
    title = text(language, "pdf.title", reference=invoice.reference)
    document.set_title(document.safe(title))
    document.set_subject(invoice.reference)
    document.set_creation_date(datetime.combine(generated_on, datetime.min.time(), tzinfo=timezone.utc))
    document.add_page()
    document.heading(text(language, "pdf.seller"), title)
    document.parties(invoice, customer)
    document.lines_table(invoice.lines)
    document.totals(invoice)
    document.footer_text(text(language, "pdf.footer", date=generated_on))
    return bytes(document.output())


class _InvoiceDocument(FPDF):
    def __init__(self, fonts: Fonts, language: str, currency: str) -> None:
        super().__init__(format="A4")
        self.language = language
        self.currency = currency
        self.typefaces = fonts
        self.set_margins(_PAGE_MARGIN, _PAGE_MARGIN, _PAGE_MARGIN)
        self.set_auto_page_break(auto=True, margin=_PAGE_MARGIN)
        if fonts.regular is not None and fonts.bold is not None:
            self.add_font(FONT_FAMILY, "", fonts.regular)
            self.add_font(FONT_FAMILY, "B", fonts.bold)
        else:
            self.core_fonts_encoding = CORE_ENCODING

    # -- text helpers ---------------------------------------------------------------------------
    def safe(self, value: str) -> str:
        """`value` as the current font can show it."""
        if self.typefaces.unicode:
            return value
        value = value.replace("\u202f", "\u00a0")  # narrow no-break space: not in Windows-1252
        return value.encode(CORE_ENCODING, errors="replace").decode(CORE_ENCODING)

    def use_font(self, size: float, bold: bool = False) -> None:
        family = FONT_FAMILY if self.typefaces.unicode else CORE_FONT
        self.set_font(family, "B" if bold else "", size)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.language)

    def write_line(self, value: str, size: float = 10, bold: bool = False, width: float = 0) -> None:
        self.use_font(size, bold)
        self.cell(width, _LINE_HEIGHT, self.safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule(self) -> None:
        self.set_draw_color(*_RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())

    # -- sections -------------------------------------------------------------------------------
    def heading(self, seller: str, title: str) -> None:
        self.write_line(seller, size=11, bold=True)
        self.ln(2)
        self.write_line(title, size=18, bold=True)
        self.ln(4)

    def parties(self, invoice: Invoice, customer: Customer) -> None:
        language = self.language
        self.set_text_color(*_MUTED)
        self.write_line(text(language, "pdf.customer"), size=9)
        self.set_text_color(0, 0, 0)
        self.write_line(customer.name, size=11, bold=True)
        self.write_line(text(language, "pdf.customer_number", number=customer.number))
        self.ln(2)
        self.write_line(text(language, "pdf.issued_on", date=invoice.issued_on))
        self.write_line(text(language, "pdf.due_on", date=invoice.due_on), bold=True)
        self.ln(6)

    def lines_table(self, lines: Sequence[InvoiceLine]) -> None:
        description_width = self.epw - _AMOUNT_WIDTH
        self.use_font(10, bold=True)
        self.cell(description_width, _LINE_HEIGHT, self.safe(text(self.language, "pdf.description")))
        self.cell(
            _AMOUNT_WIDTH,
            _LINE_HEIGHT,
            self.safe(text(self.language, "pdf.amount")),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.rule()
        self.ln(1)
        for line in lines:
            self.use_font(10)
            label = text(self.language, f"pdf.lines.{line.kind.value}", label=line.label)
            self.cell(description_width, _LINE_HEIGHT, self.safe(label))
            self.cell(
                _AMOUNT_WIDTH,
                _LINE_HEIGHT,
                self.safe(self.money(line.amount)),
                align="R",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            if line.period_start is not None and line.period_end is not None:
                self.set_text_color(*_MUTED)
                period = text(self.language, "pdf.period", start=line.period_start, end=line.period_end)
                self.write_line(period, size=8)
                self.set_text_color(0, 0, 0)
        self.ln(1)
        self.rule()
        self.ln(2)

    def totals(self, invoice: Invoice) -> None:
        self.total_row(text(self.language, "pdf.total"), invoice.total, bold=True)
        if invoice.amount_paid:
            self.total_row(text(self.language, "pdf.paid"), invoice.amount_paid)
        if invoice.status is InvoiceStatus.PAID:
            self.ln(3)
            self.write_line(text(self.language, "pdf.status_paid"), size=12, bold=True)
        else:
            self.total_row(text(self.language, "pdf.balance_due"), invoice.balance, bold=True)

    def total_row(self, label: str, amount: Decimal, bold: bool = False) -> None:
        self.use_font(10, bold)
        self.cell(self.epw - _AMOUNT_WIDTH, _LINE_HEIGHT, self.safe(label), align="R")
        self.cell(
            _AMOUNT_WIDTH,
            _LINE_HEIGHT,
            self.safe(self.money(amount)),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def footer_text(self, value: str) -> None:
        self.ln(10)
        self.set_text_color(*_MUTED)
        self.use_font(8)
        self.multi_cell(0, 4.5, self.safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
