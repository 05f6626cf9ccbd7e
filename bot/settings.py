"""Configuration from environment variables, with safe defaults for a local `make run`."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.i18n import DEFAULT_LANGUAGE, normalize_language

PROJECT_DIR = Path(__file__).resolve().parent.parent
LINK_SECRET_FILE = PROJECT_DIR / "var" / "link-secret"
PAYMENT_WEBHOOK_SECRET_FILE = PROJECT_DIR / "var" / "payment-webhook-secret"
DEFAULT_WEB_PORT = "5080"

# Demo collection details: valid formats, clearly not a real account. The Pix key is the random key
# of the Banco Central's BR Code manual example; bank code 999 belongs to no bank.
DEMO_PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"
DEMO_PIX_MERCHANT_NAME = "DEMO TELECOM"
DEMO_PIX_MERCHANT_CITY = "SAO PAULO"
DEMO_BOLETO_BANK_CODE = "999"

_SECRET_BYTES = 32
_BANK_CODE = re.compile(r"\d{3}")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def stored_secret(path: Path) -> str:
    """The secret kept in `path`, made on first use (mode 0600). Processes starting together agree:
    the file appears whole (hard link of a finished temporary file) or not at all."""
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(_SECRET_BYTES) + "\n")
        with contextlib.suppress(FileExistsError):  # another process won the race: use its secret
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def _positive_int(name: str, default: str) -> int:
    value = int(_env(name, default))
    if value < 1:
        raise ValueError(f"{name} must be a positive number")
    return value


@dataclass(frozen=True)
class Settings:
    billing_database_url: str
    default_language: str
    public_base_url: str
    action_port: int
    timezone: str
    link_minutes: int
    pix_key: str
    pix_merchant_name: str
    pix_merchant_city: str
    boleto_bank_code: str
    web_host: str
    web_port: int
    handoff_minutes_per_ticket: int  # an agent's time per waiting ticket, for the wait told to customers
    console_host: str
    console_port: int
    console_secure_cookies: bool  # true behind HTTPS
    rasa_url: str  # the Rasa server, for the console (its HTTP API)
    rasa_api_token: str  # the Rasa server's --auth-token

    # The secrets are read (or made, in var/) when first needed: a process that only wants the language
    # or the database URL, such as the Rasa server's NLG, leaves them alone.
    @cached_property
    def link_secret(self) -> str:
        return os.environ.get("LINK_SECRET", "").strip() or stored_secret(LINK_SECRET_FILE)

    @cached_property
    def payment_webhook_secret(self) -> str:
        return os.environ.get("PAYMENT_WEBHOOK_SECRET", "").strip() or stored_secret(
            PAYMENT_WEBHOOK_SECRET_FILE
        )

    @classmethod
    def from_env(cls) -> Settings:
        bank_code = _env("BOLETO_BANK_CODE", DEMO_BOLETO_BANK_CODE)
        if not _BANK_CODE.fullmatch(bank_code):
            raise ValueError("BOLETO_BANK_CODE must be 3 digits")
        web_port = _positive_int("WEB_PORT", DEFAULT_WEB_PORT)
        return cls(
            billing_database_url=_env(
                "BILLING_DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'billing.db'}"
            ),
            default_language=normalize_language(_env("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE))
            or DEFAULT_LANGUAGE,
            public_base_url=_env("PUBLIC_BASE_URL", f"http://127.0.0.1:{web_port}").rstrip("/"),
            action_port=int(_env("ACTION_PORT", "5055")),
            timezone=_env("BILLING_TIMEZONE", "Europe/Paris"),
            link_minutes=_positive_int("LINK_MINUTES", "60"),
            pix_key=_env("PIX_KEY", DEMO_PIX_KEY),
            pix_merchant_name=_env("PIX_MERCHANT_NAME", DEMO_PIX_MERCHANT_NAME),
            pix_merchant_city=_env("PIX_MERCHANT_CITY", DEMO_PIX_MERCHANT_CITY),
            boleto_bank_code=bank_code,
            web_host=_env("WEB_HOST", "127.0.0.1"),
            web_port=web_port,
            handoff_minutes_per_ticket=_positive_int("HANDOFF_MINUTES_PER_TICKET", "5"),
            console_host=_env("CONSOLE_HOST", "127.0.0.1"),
            console_port=_positive_int("CONSOLE_PORT", "5090"),
            console_secure_cookies=_env("CONSOLE_SECURE_COOKIES", "false").lower() in ("1", "true", "yes"),
            rasa_url=_env("RASA_URL", f"http://127.0.0.1:{_env('RASA_PORT', '5005')}").rstrip("/"),
            rasa_api_token=os.environ.get("RASA_API_TOKEN", "").strip(),
        )


# TensorFlow's thread pools in each Rasa process: one thread each unless set. Several Rasa processes share
# the cores, and each message is a few small model calls that more threads only synchronise. Measured with
# bench.serving's layout on 2 cores, 10 conversations at once, twice: 36.3 and 44.8 msg/s (p95 579 and
# 451 ms) against 26.1 and 30.6 msg/s (p95 910 and 813 ms) with TensorFlow's own default.
RASA_PROCESS_DEFAULTS = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def rasa_process_env(environ: dict[str, str]) -> dict[str, str]:
    """`environ` for a Rasa server process, with RASA_PROCESS_DEFAULTS where it sets nothing (or blank)."""
    blank = {
        name: value for name, value in RASA_PROCESS_DEFAULTS.items() if not environ.get(name, "").strip()
    }
    return {**environ, **blank}
