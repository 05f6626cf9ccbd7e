"""Starts the real action server and Rasa server (REST channel, HTTP API with a token) on free ports,
against a freshly migrated and seeded SQLite billing database, for the whole test session."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.engine import Engine

from bot.billing.database import make_engine, migrate, seed_demo
from bot.billing.sql import queries
from bot.billing.sql.backend import SqlBillingBackend
from tests.conversation.channel_apis import channel_env
from tests.conversation.processes import BIN, PROJECT_DIR, free_port, running, stop, wait_until_up
from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_api import fake_telegram_api
from tests.fakes.twilio_api import fake_twilio_api


@dataclass
class Assistant:
    base_url: str
    token: str
    engine: Engine
    backend: SqlBillingBackend
    today: date

    def customer_id(self, number: str) -> int:
        with self.engine.connect() as conn:
            row = queries.customer_row_by_number(conn, number)
        assert row is not None, number
        return int(row.id)

    def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        payload: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            payload["metadata"] = metadata
        response = httpx.post(f"{self.base_url}/webhooks/rest/webhook", json=payload, timeout=60)
        assert response.status_code == 200, response.text
        return list(response.json())

    def texts(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[str]:
        return [m["text"] for m in self.send(sender, text, metadata) if m.get("text")]

    def tracker(self, sender: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.base_url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def utterances(self, sender: str) -> list[str]:
        """The response names the bot used, in order (from the BotUttered events' metadata)."""
        return [
            event["metadata"].get("utter_action", "")
            for event in self.tracker(sender)["events"]
            if event["event"] == "bot"
        ]


def start_assistant(
    workdir: Path, database_url: str, endpoints: str, extra_env: dict[str, str] | None = None
) -> Iterator[Assistant]:
    """Migrates and seeds `database_url`, starts both servers with `endpoints`, stops them afterwards."""
    model = os.environ.get("RASA_MODEL")
    if not model:
        pytest.fail("RASA_MODEL is not set: run the conversation tests with `make conversation`")
    migrate(database_url)
    engine = make_engine(database_url)
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    seed_demo(engine, today)

    action_port, rasa_port = free_port(), free_port()
    token = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "BILLING_DATABASE_URL": database_url,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "BILLING_TIMEZONE": "Europe/Paris",
        "DEFAULT_LANGUAGE": "fr",
        "SUPPORT_HOURS": "1-7 00:00-24:00",  # the team is always in: handoffs get a place in the queue
        "RASA_TELEMETRY_ENABLED": "false",
        **(extra_env or {}),
    }
    commands = {
        "actions": [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        "rasa": [
            str(BIN / "rasa"), "run", "--model", model, "--enable-api", "--auth-token", token,
            "--interface", "127.0.0.1", "--port", str(rasa_port),
            "--credentials", "credentials.yml", "--endpoints", endpoints,
        ],
    }  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, command in commands.items():
            with open(workdir / f"{name}.log", "wb") as out:
                processes.append(
                    subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes[0], workdir / "actions.log")
        wait_until_up(
            f"http://127.0.0.1:{rasa_port}/status?token={token}", processes[1], workdir / "rasa.log"
        )
        yield Assistant(
            base_url=f"http://127.0.0.1:{rasa_port}",
            token=token,
            engine=engine,
            backend=SqlBillingBackend(engine, public_base_url="http://127.0.0.1"),
            today=today,
        )
    finally:
        for process in processes:
            process.terminate()  # both at once, then wait for each
        for process in processes:
            stop(process)
        engine.dispose()


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
    base_url = f"http://127.0.0.1:{widget_portal_port}"
    env = {
        **os.environ,
        "BILLING_DATABASE_URL": assistant.engine.url.render_as_string(hide_password=False),
        "PUBLIC_BASE_URL": base_url,
        "WIDGET_SOCKET_URL": assistant.base_url,
    }
    port = str(widget_portal_port)
    command = [sys.executable, "-m", "bot.cli", "web", "--host", "127.0.0.1", "--port", port]
    with running(command, env, f"{base_url}/health", tmp_path_factory.mktemp("portal") / "portal.log"):
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
