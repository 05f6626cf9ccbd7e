"""Configuration from environment variables, with safe defaults for a local `make run`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import DEFAULT_LANGUAGE, normalize_language

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    billing_database_url: str
    default_language: str
    public_base_url: str
    action_port: int
    timezone: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            billing_database_url=_env(
                "BILLING_DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'billing.db'}"
            ),
            default_language=normalize_language(_env("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE))
            or DEFAULT_LANGUAGE,
            public_base_url=_env("PUBLIC_BASE_URL", "http://127.0.0.1:5005").rstrip("/"),
            action_port=int(_env("ACTION_PORT", "5055")),
            timezone=_env("BILLING_TIMEZONE", "Europe/Paris"),
        )
