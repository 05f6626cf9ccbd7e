"""The Telegram channel's settings, from the environment.

- `TELEGRAM_BOT_TOKEN`: the token @BotFather gave; empty, the channel is off (its routes answer 503).
- `TELEGRAM_WEBHOOK_SECRET`: the secret Telegram sends back in `X-Telegram-Bot-Api-Secret-Token` with
  every update (1-256 characters of A-Z, a-z, 0-9, _ and -); empty, a random one is made once in
  var/telegram-webhook-secret, which the server and `python -m bot.cli telegram-webhook set` then share.
  Several hosts need the variable (or the same file).
- `TELEGRAM_API_URL`: the Bot API server (https://api.telegram.org; a fake one in the tests).
- `TELEGRAM_WEBHOOK_URL`: the public URL of `/webhooks/telegram/webhook`, for `telegram-webhook set`.
- `TELEGRAM_SEND_ATTEMPTS`, `TELEGRAM_RETRY_DELAY_S`, `TELEGRAM_MAX_RETRY_AFTER_S`: how a Bot API call
  that fails is retried (bot/channels/telegram_output.py).
- `CHANNEL_MEMORY_REDIS_URL`: where the update ids and used keyboards are remembered, shared by every Rasa
  instance (redis://host:6379/2); empty, in each process (bot/channels/memory.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from telegram import Bot

from bot.channels.memory import MEMORY_URL_ENV
from bot.channels.retry import RetryPolicy
from bot.settings import PROJECT_DIR, _env, stored_secret

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (the variable's name, not a secret)
SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"  # noqa: S105
SECRET_FILE = PROJECT_DIR / "var" / "telegram-webhook-secret"
DEFAULT_API_URL = "https://api.telegram.org"
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
WEBHOOK_MAX_CONNECTIONS = 40  # Telegram's default: updates it may deliver at once (1-100)
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Libraries that log the Bot API URL, which holds the token: httpx (every request, at INFO) and PTB.
_URL_LOGGERS = ("httpx", "telegram.Bot")


@dataclass(frozen=True)
class TelegramSettings:
    bot_token: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    webhook_url: str = ""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    download_timeout_s: float = 30.0
    memory_redis_url: str = field(default="", repr=False)  # may hold Redis's password

    def __post_init__(self) -> None:
        if self.bot_token and not _SECRET.fullmatch(self.webhook_secret):
            raise ValueError(f"{SECRET_ENV} must be 1-256 characters among A-Z, a-z, 0-9, _ and -")

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)

    @classmethod
    def from_env(cls) -> TelegramSettings:
        token = _env(TOKEN_ENV, "")
        # The secret file is made only for a channel that is on.
        secret = _env(SECRET_ENV, "") or (stored_secret(SECRET_FILE) if token else "")
        return cls(
            bot_token=token,
            webhook_secret=secret,
            api_url=_env("TELEGRAM_API_URL", DEFAULT_API_URL).rstrip("/"),
            webhook_url=_env("TELEGRAM_WEBHOOK_URL", ""),
            retry=RetryPolicy(
                attempts=int(_env("TELEGRAM_SEND_ATTEMPTS", "3")),
                base_delay_s=float(_env("TELEGRAM_RETRY_DELAY_S", "1")),
                max_retry_after_s=float(_env("TELEGRAM_MAX_RETRY_AFTER_S", "30")),
            ),
            memory_redis_url=_env(MEMORY_URL_ENV, ""),
        )


def make_bot(settings: TelegramSettings) -> Bot:
    """A python-telegram-bot `Bot` on the configured API server (not initialized: no call made yet),
    its token masked in the logs of the libraries it uses."""
    for name in _URL_LOGGERS:
        library_logger = logging.getLogger(name)
        if not any(
            isinstance(f, TokenMask) and f.token == settings.bot_token for f in library_logger.filters
        ):
            library_logger.addFilter(TokenMask(settings.bot_token))
    return Bot(
        settings.bot_token,
        base_url=f"{settings.api_url}/bot",
        base_file_url=f"{settings.api_url}/file/bot",
    )


class TokenMask(logging.Filter):
    """Replaces the token by `<token>` in the records of the logger it filters."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), ()
        return True
