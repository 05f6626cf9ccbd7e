"""Fixtures shared by the channel tests: the portal's, fake Telegram and Twilio APIs, a clock the test
moves, recorded retry delays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_api import fake_telegram_api
from tests.fakes.twilio_api import fake_twilio_api
from tests.unit.web.conftest import logged  # noqa: F401 (a fixture)


class Clock:
    """Seconds (epoch or monotonic, as the code under test reads them) that the test moves itself."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """The retry delays a client asked for (instead of sleeping them)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeApi]:
    fake = fake_telegram_api().start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram_api(telegram_server: FakeApi) -> FakeApi:
    """The fake Telegram Bot API, with no request recorded and no failure scripted."""
    telegram_server.reset()
    return telegram_server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[FakeApi]:
    fake = fake_twilio_api().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_api(twilio_server: FakeApi) -> FakeApi:
    """The fake Twilio REST API, with no request recorded and no failure scripted."""
    twilio_server.reset()
    return twilio_server
