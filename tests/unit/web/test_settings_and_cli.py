"""The portal's settings and commands: `web`, `simulate-payment`, and its place in `run`."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot import cli
from bot.settings import Settings, stored_secret
from bot.web.simulate import simulate_payment

SECRET_NAMES = ("LINK_SECRET", "PAYMENT_WEBHOOK_SECRET", "PUBLIC_BASE_URL", "WEB_PORT", "WEB_HOST")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("bot.settings.LINK_SECRET_FILE", tmp_path / "link-secret")
    monkeypatch.setattr("bot.settings.PAYMENT_WEBHOOK_SECRET_FILE", tmp_path / "payment-webhook-secret")
    return tmp_path


def test_the_links_point_at_the_portal_by_default(environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings.from_env()
    assert (defaults.web_host, defaults.web_port) == ("127.0.0.1", 5080)
    assert defaults.public_base_url == "http://127.0.0.1:5080"
    monkeypatch.setenv("WEB_PORT", "8081")
    assert Settings.from_env().public_base_url == "http://127.0.0.1:8081"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://billing.example.com/")
    assert Settings.from_env().public_base_url == "https://billing.example.com"
    monkeypatch.setenv("WEB_PORT", "0")
    with pytest.raises(ValueError):
        Settings.from_env()


def test_the_secrets_are_made_only_when_needed(environment: Path) -> None:
    settings = Settings.from_env()
    assert settings.default_language and not list(environment.iterdir())  # the NLG's use: no secret made
    assert settings.link_secret == settings.link_secret == stored_secret(environment / "link-secret")
    assert [path.name for path in environment.iterdir()] == ["link-secret"]


def test_the_webhook_secret_comes_from_the_environment_or_var(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = Settings.from_env().payment_webhook_secret
    assert (
        stored
        == stored_secret(environment / "payment-webhook-secret")
        == Settings.from_env().payment_webhook_secret
    )
    assert stored != Settings.from_env().link_secret
    monkeypatch.setenv("PAYMENT_WEBHOOK_SECRET", " whsec_from_env ")
    assert Settings.from_env().payment_webhook_secret == "whsec_from_env"


def test_simulate_payment_says_when_the_portal_is_not_running(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert simulate_payment("PG-222222", f"http://127.0.0.1:{port}", "secret") == 2
    assert "python -m bot.cli web" in capsys.readouterr().err


def test_the_commands_are_declared(environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, object, object]] = []

    def serve(host: str | None, port: int | None) -> int:
        calls.append(("web", host, port))
        return 0

    def simulate(reference: str, url: str, secret: str) -> int:
        calls.append(("simulate", reference, url))
        return 0

    monkeypatch.setattr("bot.web.serve.serve", serve)
    monkeypatch.setattr("bot.web.simulate.simulate_payment", simulate)
    assert cli.main(["web", "--port", "5999"]) == 0
    assert cli.main(["simulate-payment", "PG-7H3K9P", "--url", "http://127.0.0.1:5999"]) == 0
    assert calls == [("web", None, 5999), ("simulate", "PG-7H3K9P", "http://127.0.0.1:5999")]
