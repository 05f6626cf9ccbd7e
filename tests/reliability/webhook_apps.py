"""The webhooks of the assistant as in-process Sanic apps, for the "Bad input" checks (test_bad_input.py):
Telegram, WhatsApp (Twilio), the REST channel and the portal's payment webhook, each started once on an
event loop the test owns, so that hypothesis' (synchronous) examples can send their requests one after the
other to the same running app. Built with the unit tests' builders (settings, fakes, `lifespan`).

The Rasa side is a `Recorder`: it records the messages the channel hands over, and never fails, so that
any error logged while a webhook handles a request is the webhook's own (`LogCapture`)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, contextmanager
from types import TracebackType
from typing import Any, TypeVar

import httpx
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.billing.sql.backend import SqlBillingBackend
from bot.channels.rest import RedactingRestInput
from bot.channels.telegram_channel import TelegramInput
from bot.channels.whatsapp import WhatsAppInput
from bot.web.app import create_app
from bot.web.context import Portal
from tests.fakes.http_api import FakeApi
from tests.unit.channels.test_telegram_output import settings_for
from tests.unit.channels.test_whatsapp_output import FAST_RETRIES, make_settings
from tests.unit.web.conftest import WEBHOOK_SECRET, Clock, lifespan

T = TypeVar("T")
BASE_URL = "http://webhooks.test"  # where the tests reach the apps
TELEGRAM_PREFIX = "/webhooks/telegram"
WHATSAPP_PREFIX = "/webhooks/whatsapp"
REST_PREFIX = "/webhooks/rest"
REQUEST_TIMEOUT_S = 10.0  # a request that takes longer hangs: the check fails rather than wait forever


class Recorder:
    """Rasa's `on_new_message`: records the messages, answers nothing, never fails."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)

    def texts(self) -> list[str | None]:
        return [message.text for message in self.messages]


class LogCapture(logging.Handler):
    """The records of at least `level` that our loggers ("bot", which does not propagate once
    configured), Sanic's and the root logger receive while it is installed."""

    LOGGERS = ("bot", "sanic.error", "sanic.root", "")

    def __init__(self, level: int = logging.ERROR) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:  # a record propagated to several of our loggers counts once
            self._seen.add(id(record))
            self.records.append(record)

    def events(self) -> list[str]:
        return [record.getMessage() for record in self.records]

    @contextmanager
    def installed(self) -> Iterator[LogCapture]:
        loggers = [logging.getLogger(name or None) for name in self.LOGGERS]
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.addHandler(self)
            if logger.getEffectiveLevel() > self.level:
                logger.setLevel(self.level)
        try:
            yield self
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.removeHandler(self)
                logger.setLevel(level)


class OwnedLoop:
    """An event loop the test owns: work submitted with `run` runs on it, and what it started (the app's
    lifespan task, the channel's background tasks) goes on at the next `run`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, work: Coroutine[Any, Any, T], timeout_s: float = REQUEST_TIMEOUT_S) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(work, timeout_s))

    def close(self) -> None:
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


class RunningApp:
    """A Sanic app started (ASGI lifespan) on an owned loop, and an httpx client to it, until closed.
    Requests are sent synchronously: `post` returns the response."""

    def __init__(self, app: Sanic) -> None:
        self.app = app
        self.owned = OwnedLoop()
        self._lifespan: AbstractAsyncContextManager[None] = lifespan(app)
        self.http: httpx.AsyncClient | None = None

    def __enter__(self) -> RunningApp:
        self.owned.run(self._lifespan.__aenter__())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE_URL)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.http is not None:
            self.owned.run(self.http.aclose())
        self.owned.run(self._lifespan.__aexit__(None, None, None))
        self.owned.close()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.owned.run(work)

    def post(
        self,
        path: str,
        content: bytes = b"",
        headers: Mapping[str, str | bytes] | None = None,
    ) -> httpx.Response:
        assert self.http is not None, "not started"
        raw = [(name.encode(), _octets(value)) for name, value in (headers or {}).items()]
        return self.run(self.http.post(path, content=content, headers=raw))

    def get(self, path: str) -> httpx.Response:
        assert self.http is not None, "not started"
        return self.run(self.http.get(path))


def _octets(value: str | bytes) -> bytes:
    """A header's value as sent: bytes as they are (a header may hold any octets), text in UTF-8."""
    return value if isinstance(value, bytes) else value.encode("utf-8")


def _app(kind: str) -> Sanic:
    """A Sanic app of a unique name (Sanic 21.12 refuses two apps of one name in a process)."""
    return Sanic(f"bad_input_{kind}_{uuid.uuid4().hex[:12]}", configure_logging=False)


def telegram_app(telegram_api: FakeApi, rasa: Recorder) -> tuple[Sanic, TelegramInput]:
    """The Telegram channel (bot token and webhook secret of the unit tests), Bot API on the fake."""
    channel = TelegramInput(settings_for(telegram_api))
    app = _app("telegram")
    app.blueprint(channel.blueprint(rasa), url_prefix=TELEGRAM_PREFIX)
    return app, channel


def whatsapp_app(twilio_api: FakeApi, rasa: Recorder) -> tuple[Sanic, WhatsAppInput]:
    """The WhatsApp channel (auth token of the unit tests, public base URL https://bot.example.test, the
    URL that Twilio signs)."""
    channel = WhatsAppInput(make_settings(twilio_api.url), retry=FAST_RETRIES)
    app = _app("whatsapp")
    app.blueprint(channel.blueprint(rasa), url_prefix=WHATSAPP_PREFIX)
    return app, channel


def rest_app(token: str, rasa: Recorder) -> Sanic:
    app = _app("rest")
    app.blueprint(RedactingRestInput(token).blueprint(rasa), url_prefix=REST_PREFIX)
    return app


def portal_app(backend: SqlBillingBackend, clock: Clock) -> Sanic:
    """The customer portal (payment webhook secret of the unit tests), on the unit tests' billing data."""
    portal = Portal(backend, "fr", WEBHOOK_SECRET, clock=clock)
    return create_app(portal, name=f"bad_input_portal_{uuid.uuid4().hex[:12]}")
