"""Starts the real action server and Rasa server (REST channel, HTTP API with a token) on free ports,
against a freshly migrated and seeded SQLite billing database, for the whole test session."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conversation.channel_apis import channel_env
from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_api import fake_telegram_api
from tests.fakes.twilio_api import fake_twilio_api
from tests.processes import PROJECT_DIR, free_port
from tests.stack import Assistant, Layout, running_portal, running_stack


def start_assistant(
    workdir: Path, database_url: str, endpoints: str, extra_env: dict[str, str] | None = None
) -> Iterator[Assistant]:
    """Migrates and seeds `database_url`, starts both servers with `endpoints`, stops them afterwards."""
    model = os.environ.get("RASA_MODEL")
    if not model:
        pytest.fail("RASA_MODEL is not set: run the conversation tests with `make conversation`")
    with running_stack(workdir, database_url, model, Layout(endpoints=endpoints), extra_env) as stack:
        yield stack.assistant


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeApi]:
    """The Telegram Bot API the assistant's Telegram channel calls."""
    api = fake_telegram_api().start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def fake_twilio() -> Iterator[FakeApi]:
    """The Twilio REST API the assistant's WhatsApp channel calls."""
    api = fake_twilio_api().start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, fake_telegram: FakeApi, fake_twilio: FakeApi
) -> Iterator[Assistant]:
    """The embedded default of `make run`: in-memory tracker store, SQLite billing database; the
    Telegram and WhatsApp channels on, talking to fake APIs (tests/conversation/channel_apis.py)."""
    workdir = tmp_path_factory.mktemp("embedded")
    yield from start_assistant(
        workdir,
        f"sqlite:///{workdir / 'billing.db'}",
        "endpoints.yml",
        channel_env(fake_telegram, fake_twilio),
    )


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


# -- The web chat widget in a browser (test_widget_browser.py): the portal serves the demo support page
# -- with the widget, which talks to the assistant's Rasa server over socket.io.
CHROMIUM = "/usr/bin/chromium"  # Playwright's own browser download is blocked here


@pytest.fixture(scope="session", autouse=True)
def widget_portal_port() -> Iterator[int]:
    """The portal's port, chosen before the Rasa server starts (autouse) so that its web chat channel
    allows that origin (WIDGET_ALLOWED_ORIGINS)."""
    port = free_port()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", f"http://127.0.0.1:{port}")
        yield port


@pytest.fixture(scope="session")
def portal(
    assistant: Assistant, widget_portal_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`python -m bot.cli web` on the chosen port, with the widget built (scripts/build-widget.sh) and
    pointed at the assistant's Rasa server; yields the portal's base URL."""
    build = subprocess.run(
        [str(PROJECT_DIR / "scripts" / "build-widget.sh")], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    if build.returncode != 0:
        pytest.fail(f"the web chat widget did not build:\n{build.stderr[-3000:]}")
    log = tmp_path_factory.mktemp("portal") / "portal.log"
    with running_portal(assistant, log, widget_portal_port, WIDGET_SOCKET_URL=assistant.base_url) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (no stored chat) per test."""
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()
