"""Signed links, the link secret and its settings, and contact details."""

from __future__ import annotations

import base64
import stat
import string
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.billing.backend import NotFound
from bot.billing.contact import mask_email, normalize_email, normalize_phone
from bot.billing.invoice_links import InvoiceLinkSubject, invoice_token, read_invoice_token
from bot.billing.links import read_link, sign_link
from bot.billing.models import PaymentMethodKind
from bot.billing.policy import policy_for
from bot.settings import DEMO_BOLETO_BANK_CODE, DEMO_PIX_KEY, Settings, stored_secret

NOW = datetime(2026, 3, 11, 10, 30, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=60)
SECRET = "s3cret"


# -- signed links ---------------------------------------------------------------------------------------
def test_a_link_reads_back_until_it_expires() -> None:
    token = sign_link(SECRET, "invoice_pdf", "12:F202603-0042:fr", LATER)
    assert token.replace("-", "").replace("_", "").replace(".", "").isalnum()
    assert read_link(SECRET, "invoice_pdf", token, NOW) == "12:F202603-0042:fr"
    assert read_link(SECRET, "invoice_pdf", token, LATER - timedelta(seconds=1)) == "12:F202603-0042:fr"
    for refused in (
        lambda: read_link(SECRET, "invoice_pdf", token, LATER),  # expired
        lambda: read_link(SECRET, "payment", token, NOW),  # another purpose
        lambda: read_link("other", "invoice_pdf", token, NOW),  # another secret
    ):
        with pytest.raises(NotFound):
            refused()


@pytest.mark.parametrize(
    "token", ["", ".", "abc", "a.b.c", "é.é", "\x00.\x00", "A" * 5000 + ".A", "AAAA.AAA="]
)
def test_malformed_tokens_are_not_found(token: str) -> None:
    with pytest.raises(NotFound):
        read_link(SECRET, "invoice_pdf", token, NOW)


def test_only_the_canonical_encoding_is_read() -> None:
    """The MAC's 32 bytes leave 2 unused bits in the last base64 character: setting one decodes to the
    same bytes, so only the canonical-encoding check refuses the token."""
    token = sign_link(SECRET, "invoice_pdf", "12:F202603-0042:fr", LATER)
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    twin = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]
    assert base64.urlsafe_b64decode(twin.split(".")[1] + "=") == base64.urlsafe_b64decode(
        token.split(".")[1] + "="
    )
    with pytest.raises(NotFound):
        read_link(SECRET, "invoice_pdf", twin, NOW)


def test_link_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        sign_link("", "p", "s", LATER)
    with pytest.raises(ValueError):
        sign_link(SECRET, "p", "s", LATER.replace(tzinfo=None))
    with pytest.raises(ValueError):
        read_link("", "p", "x.y", NOW)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.data())
def test_any_altered_token_is_refused(subject: str, data: st.DataObject) -> None:
    token = sign_link(SECRET, "invoice_pdf", subject, LATER)
    assert read_link(SECRET, "invoice_pdf", token, NOW) == subject
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from("ABCabc019-_."))
    assume(replacement != token[position])
    with pytest.raises(NotFound):
        read_link(SECRET, "invoice_pdf", token[:position] + replacement + token[position + 1 :], NOW)


def test_invoice_link_subjects() -> None:
    subject = InvoiceLinkSubject(12, "F202603-0042", "pt")
    token = invoice_token(SECRET, subject, LATER)
    assert read_invoice_token(SECRET, token, NOW) == subject
    assert read_invoice_token(SECRET, token + ".pdf", NOW) == subject
    with pytest.raises(NotFound):  # a token of another purpose, even with our secret
        read_invoice_token(SECRET, sign_link(SECRET, "payment", subject.encode(), LATER), NOW)
    for not_a_subject in ("x:y", "x:F202603-0042:pt", "١٢:F202603-0042:pt"):  # not 3 parts, no ASCII id
        with pytest.raises(NotFound):
            read_invoice_token(SECRET, sign_link(SECRET, "invoice_pdf", not_a_subject, LATER), NOW)


# -- the link secret and the settings -------------------------------------------------------------------
def test_the_stored_secret_is_made_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "link-secret"
    secret = stored_secret(path)
    assert len(secret) >= 40 and stored_secret(path) == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["link-secret"]  # no temporary file left


def test_processes_starting_together_agree_on_the_secret(tmp_path: Path) -> None:
    path = tmp_path / "link-secret"
    with ProcessPoolExecutor(max_workers=6) as pool:
        secrets = set(pool.map(stored_secret, [path] * 24))
    assert secrets == {path.read_text().strip()}


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LINK_SECRET", "LINK_MINUTES", "PIX_KEY", "PIX_MERCHANT_NAME", "BOLETO_BANK_CODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("bot.settings.LINK_SECRET_FILE", Path("/nonexistent/never/read"))
    monkeypatch.setenv("LINK_SECRET", "from-env")
    defaults = Settings.from_env()
    assert defaults.link_secret == "from-env" and defaults.link_minutes == 60
    assert (defaults.pix_key, defaults.boleto_bank_code) == (DEMO_PIX_KEY, DEMO_BOLETO_BANK_CODE)
    monkeypatch.setenv("LINK_MINUTES", "15")
    monkeypatch.setenv("PIX_KEY", "pix@example.com")
    monkeypatch.setenv("BOLETO_BANK_CODE", "341")
    configured = Settings.from_env()
    assert (configured.link_minutes, configured.pix_key, configured.boleto_bank_code) == (
        15,
        "pix@example.com",
        "341",
    )
    for name, bad in (("LINK_MINUTES", "0"), ("BOLETO_BANK_CODE", "34")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValueError):
            Settings.from_env()
        monkeypatch.delenv(name)


def test_without_link_secret_the_stored_one_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LINK_SECRET", raising=False)
    monkeypatch.setattr("bot.settings.LINK_SECRET_FILE", tmp_path / "link-secret")
    assert (
        Settings.from_env().link_secret
        == Settings.from_env().link_secret
        == stored_secret(tmp_path / "link-secret")
    )


# -- payment options in the policies --------------------------------------------------------------------
def test_payment_options_per_country() -> None:
    card, pix, boleto = PaymentMethodKind.CARD, PaymentMethodKind.PIX, PaymentMethodKind.BOLETO
    assert policy_for("BR").payment_options == (pix, boleto, card)
    assert policy_for("FR").payment_options == policy_for("PT").payment_options == (card,)
    assert (policy_for("BR").timezone, policy_for("PT").timezone) == ("America/Sao_Paulo", "Europe/Lisbon")
    for bad in ((), (card, card)):
        with pytest.raises(ValueError):
            replace(policy_for("BR"), payment_options=bad)
    with pytest.raises(ValueError):  # Pix and boleto are Brazilian
        replace(policy_for("FR"), payment_options=(card, pix))
    with pytest.raises(ValueError):
        replace(policy_for("FR"), timezone="Europe/Nowhere")


def test_methods_kept_on_file_per_country() -> None:
    card, sepa, pix = PaymentMethodKind.CARD, PaymentMethodKind.SEPA_DEBIT, PaymentMethodKind.PIX
    assert policy_for("FR").methods_on_file == policy_for("PT").methods_on_file == (card, sepa)
    assert policy_for("BR").methods_on_file == (card,)
    for bad in ((), (card, pix)):  # Pix is paid per request, never kept on file
        with pytest.raises(ValueError):
            replace(policy_for("FR"), methods_on_file=bad)
    with pytest.raises(ValueError):  # a SEPA debit collects euros
        replace(policy_for("BR"), methods_on_file=(card, sepa))


# -- contact details ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" Camille.Martin@Example.COM ", "Camille.Martin@example.com"),
        ("a+billing@mail.example.fr", "a+billing@mail.example.fr"),
        ("o'neil_2@sub-domain.example.pt", "o'neil_2@sub-domain.example.pt"),
    ],
)
def test_valid_emails_are_normalized(typed: str, stored: str) -> None:
    assert normalize_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "camille",
        "camille@",
        "@example.com",
        "camille@example",
        "camille@@example.com",
        "ca mille@example.com",
        "camille.@example.com",
        ".camille@example.com",
        "cam..ille@example.com",
        "camille@-example.com",
        "camille@example.c0m",
        "camille@exa_mple.com",
        "joão@example.com",
        "x" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        "camille@exam\x00ple.com",
    ],
)
def test_invalid_emails(typed: str) -> None:
    assert normalize_email(typed) is None


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("0033612345678", "FR", "+33612345678"),
        ("01 84 88 00 00", "fr", "+33184880000"),
        ("(11) 98765-4321", "BR", "+5511987654321"),
        ("+55 21 99876-5432", "BR", "+5521998765432"),
        ("912 345 678", "PT", "+351912345678"),
        ("+351 210 000 000", "PT", "+351210000000"),
    ],
)
def test_valid_phones_are_stored_in_e164(typed: str, country: str, stored: str) -> None:
    assert normalize_phone(typed, country) == stored


@pytest.mark.parametrize(
    ("typed", "country"),
    [
        ("+55 11 98765-4321", "FR"),  # a Brazilian number for a French customer
        ("+33 6 12 34 56 78", "PT"),
        ("06 12 34", "FR"),
        ("not a number", "BR"),
        ("(11) 1234", "BR"),
        ("+262 692 12 34 56", "FR"),  # La Réunion has its own country code
        ("", "PT"),
        ("9" * 100, "FR"),
    ],
)
def test_invalid_phones(typed: str, country: str) -> None:
    assert normalize_phone(typed, country) is None


def test_masked_emails_show_the_first_character_and_the_domain() -> None:
    assert mask_email("camille.martin@gmail.com") == "c•••••@gmail.com"
    assert mask_email("a@example.org") == "a•••••@example.org"
    assert mask_email("not an address") == "•••••"
