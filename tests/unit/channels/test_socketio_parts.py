"""The web chat channel's parts without a server: signed session ids, the rate limiter, the allowed
origins and the `bot_uttered` payload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rasa.shared.core.events import BotUttered

from bot.channels import socketio_sessions
from bot.channels.socketio import WidgetInput, page_metadata
from bot.channels.socketio_limits import RateLimiter, WidgetLimits, allowed_origins
from bot.channels.socketio_output import bot_message
from bot.channels.socketio_sessions import SessionSigner
from tests.unit.channels.conftest import Clock


def test_an_issued_session_verifies_and_names_the_rasa_conversation() -> None:
    signer = SessionSigner("secret-one")
    session = signer.issue()
    assert signer.verify(session.token) == session
    assert session.sender_id == f"web-{session.key}"
    assert session.token.startswith(f"{session.key}.")
    assert signer.issue().key != session.key


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: ("A" if token[0] != "A" else "B") + token[1:],  # random part changed
        lambda token: token.split(".")[0],  # no signature
        lambda token: "web-" + token.split(".")[0],  # a sender id
        lambda token: token + "x",
        lambda token: token.replace(".", ":"),
    ],
)
def test_a_forged_session_id_is_not_accepted(tamper: Callable[[str], str]) -> None:
    signer = SessionSigner("secret-one")
    token = signer.issue().token
    assert signer.verify(token) is not None
    assert signer.verify(tamper(token)) is None


@pytest.mark.parametrize("garbage", [None, "", 42, {"session_id": "x"}, "é" * 49, "a" * 500, "x.y"])
def test_garbage_is_not_a_session(garbage: object) -> None:
    assert SessionSigner("secret").verify(garbage) is None


def test_an_id_signed_with_another_secret_is_not_accepted() -> None:
    assert SessionSigner("secret-two").verify(SessionSigner("secret-one").issue().token) is None


def test_without_a_secret_setting_one_is_made_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("WIDGET_SESSION_SECRET", raising=False)
    monkeypatch.setattr(socketio_sessions, "SECRET_FILE", tmp_path / "widget-session-secret")
    token = SessionSigner.from_env().issue().token
    assert (tmp_path / "widget-session-secret").stat().st_mode & 0o777 == 0o600
    assert SessionSigner.from_env().verify(token) is not None  # after a restart: the same conversation
    monkeypatch.setenv("WIDGET_SESSION_SECRET", "shared")
    assert SessionSigner.from_env().verify(token) is None
    assert SessionSigner.from_env().verify(SessionSigner("shared").issue().token) is not None


def test_the_rate_limiter_allows_a_burst_then_refuses_until_the_window_moves() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 10.0, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # per key
    assert limiter.retry_after("a") == 10.0
    clock.now += 4
    assert not limiter.allow("a")  # refused messages don't extend the wait
    assert limiter.retry_after("a") == 6.0
    clock.now += 6
    assert limiter.allow("a")
    assert limiter.retry_after("b") == 0.0


def test_the_rate_limiter_forgets_quiet_keys() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 1.0, clock=clock)
    for index in range(RateLimiter._SWEEP_EVERY - 1):
        limiter.allow(f"key-{index}")
    assert len(limiter) == RateLimiter._SWEEP_EVERY - 1
    clock.now += 2
    limiter.allow("last")
    assert len(limiter) == 1


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        WidgetLimits(max_message_chars=0)


def test_allowed_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIDGET_ALLOWED_ORIGINS", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("WEB_PORT", raising=False)
    assert allowed_origins() == ["http://127.0.0.1:5080", "http://localhost:5080"]
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://portal.example.com/base")
    assert allowed_origins()[-1] == "https://portal.example.com"
    monkeypatch.setenv("WIDGET_ALLOWED_ORIGINS", " https://shop.example/ ,http://127.0.0.1:9000,")
    assert allowed_origins() == ["https://shop.example", "http://127.0.0.1:9000"]


def test_from_credentials_reads_the_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WIDGET_SESSION_SECRET", raising=False)
    monkeypatch.setattr(socketio_sessions, "SECRET_FILE", tmp_path / "widget-session-secret")
    channel = WidgetInput.from_credentials(
        {"max_message_chars": 500, "rate_limit_messages": 4, "rate_limit_seconds": 30}
    )
    assert isinstance(channel, WidgetInput)
    assert channel.name() == "widget"
    assert channel.limits == WidgetLimits(max_message_chars=500, rate_messages=4, rate_window_s=30.0)
    assert channel.get_output_channel() is None  # nothing to send through before the blueprint exists
    assert not (tmp_path / "widget-session-secret").exists()  # made when the server starts, not before


def test_only_the_pages_language_becomes_metadata() -> None:
    assert page_metadata({"customData": {"language": "pt-BR", "admin": True}}) == {"language": "pt"}
    assert page_metadata({"metadata": {"language": "FR"}}) == {"language": "fr"}
    assert page_metadata({"customData": {"language": "de"}}) == {}
    assert page_metadata({"customData": "pt"}) == {}
    assert page_metadata({}) == {}


def test_a_bot_message_keeps_rasas_socketio_format_without_the_event_metadata() -> None:
    event = BotUttered(
        "Voulez-vous continuer ?\n\nChoisissez :",
        data={"buttons": [{"title": "Oui", "payload": "/affirm"}, {"title": "", "payload": "/x"}]},
        metadata={"utter_action": "utter_ask"},
    )
    assert bot_message(event.message()) == {
        "text": "Voulez-vous continuer ?\n\nChoisissez :",  # one message, not one per paragraph
        "quick_replies": [{"content_type": "text", "title": "Oui", "payload": "/affirm"}],
    }


def test_images_attachments_and_custom_data() -> None:
    assert bot_message({"text": "", "image": "https://x.example/a.png"}) == {
        "attachment": {"type": "image", "payload": {"src": "https://x.example/a.png"}}
    }
    pdf = {"type": "file", "payload": {"src": "https://portal.example/invoices/t.pdf", "title": "F-1"}}
    invoice = {"text": "Votre facture", "attachment": pdf}
    assert bot_message(invoice) == invoice
    assert bot_message({"custom": {"kind": "card"}}) == {"custom": {"kind": "card"}}
    assert bot_message({"text": None, "timestamp": 1.0}) == {}


def test_a_handoff_message_is_one_payload_with_the_agent() -> None:
    message = BotUttered(
        "Bonjour, je m'occupe de votre demande.",
        data={"custom": {"handoff": {"event": "agent_message", "agent": "  Camille\n D. "}}},
    ).message()
    assert bot_message(message) == {
        "text": "Bonjour, je m'occupe de votre demande.",
        "handoff": {"event": "agent_message", "agent": "Camille D."},
    }
    unknown = {"text": "x", "custom": {"handoff": {"event": "agent_hacked", "agent": "Eve"}}}
    assert bot_message(unknown) == {"text": "x"}
    long_name = {"custom": {"handoff": {"event": "agent_joined", "agent": "N" * 500}}}
    assert bot_message(long_name)["handoff"]["agent"] == "N" * 80
