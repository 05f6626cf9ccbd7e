"""Fixtures of the portal tests: the Sanic app driven in-process over ASGI (httpx), on a real SQLite
billing database seeded with the demo data of `TODAY`, and a fixed clock.

The billing fixtures (`seeded`, `ids`, on SQLite and PostgreSQL) are imported for the backend tests of
the methods the portal added.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from typing import Any

import httpx
import pytest
from sanic import Sanic
from sanic.touchup import TouchUp
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.billing.database import make_engine, migrate
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import customers
from bot.web.app import create_app
from bot.web.context import Portal
from tests.unit.billing.configured import COLLECTION, LINK_MINUTES, LINK_SECRET
from tests.unit.billing.conftest import (  # noqa: F401 (fixtures, for the backend tests)
    BASE_URL,
    NOW,
    TODAY,
    database_url,
    empty,
    engine,
    ids,
    postgres_url,
    reseed,
    seeded,
    sqlite_url,
)

WEBHOOK_SECRET = "test-webhook-secret"
PORTAL_URL = "http://portal.test"
Ids = dict[str, int]


class Clock:
    """The portal's and the backend's clock, set by a test (never the real time)."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def portal_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('portal') / 'billing.db'}"
    migrate(url)
    portal = make_engine(url)
    yield portal
    portal.dispose()


@pytest.fixture
def portal_db(portal_engine: Engine) -> Engine:
    return reseed(portal_engine)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def portal_backend(portal_db: Engine, clock: Clock) -> SqlBillingBackend:
    return SqlBillingBackend(
        portal_db,
        public_base_url=BASE_URL,
        clock=clock,  # the backend reads it for the status of payment requests
        link_secret=LINK_SECRET,
        link_minutes=LINK_MINUTES,
        collection=COLLECTION,
    )


@pytest.fixture
def customer_ids(portal_db: Engine) -> Ids:
    with portal_db.connect() as conn:
        return {row.number: row.id for row in conn.execute(select(customers.c.number, customers.c.id))}


@asynccontextmanager
async def lifespan(app: Sanic) -> AsyncIterator[None]:
    """Start the app as an ASGI server would (the lifespan protocol finalizes its routes). The task is
    cancelled at the end rather than sent `lifespan.shutdown`, which Sanic 21.12 mishandles."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    started = asyncio.ensure_future(outbox.get())
    await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
    if not started.done():  # the app failed to start: raise its error rather than wait forever
        started.cancel()
        task.result()
    assert started.result()["type"] == "lifespan.startup.complete", started.result()
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def untouched_after_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """At its start, a Sanic 21.12 app "touches up" methods of Sanic's classes: rewrites them from their
    source without the signals nobody listens to, which fails on methods already rewritten. Put them
    back after each test, so that every app started in this process (ours, other tests') can do it."""
    if any(getattr(target, "__touched__", False) for target, _ in TouchUp._registry):
        # Rewritten for good by an app started before: ours listen to no signal, as that one.
        monkeypatch.setattr(TouchUp, "run", classmethod(lambda cls, app: None))
        return
    for target, method in TouchUp._registry:
        monkeypatch.setattr(target, method, getattr(target, method))
        monkeypatch.setattr(target, "__touched__", False, raising=False)


@pytest.fixture
async def client(
    portal_backend: SqlBillingBackend, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    untouched_after_the_test(monkeypatch)
    app = create_app(Portal(portal_backend, "fr", WEBHOOK_SECRET, clock=clock))
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PORTAL_URL) as http:
            yield http


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record of our loggers (`bot.logs.configure` stops their propagation) and of Sanic's."""
    ours = logging.getLogger("bot")
    ours.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="bot")
    try:
        yield caplog
    finally:
        ours.removeHandler(caplog.handler)


CLIENT_LOGGERS = ("httpx", "httpcore")  # the tests' HTTP client, which logs the URLs it requests


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Messages and `extra` values of every record the portal logged, as one text to search."""
    parts = []
    for record in caplog.records:
        if record.name.split(".")[0] in CLIENT_LOGGERS:
            continue
        parts.append(record.getMessage())
        parts.extend(str(value) for value in vars(record).values())
    return "\n".join(parts)


def path_of(url: str) -> str:
    """The path of a link made by the backend (its base URL is the tests')."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
