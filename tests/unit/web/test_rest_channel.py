"""The REST channel refuses every message without its token (bot/channels/rest.py)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.rest import RedactingRestInput
from tests.unit.web.conftest import lifespan, untouched_after_the_test


@pytest.mark.parametrize(
    ("configured", "authorization", "status"),
    [
        ("rest-token", None, 401),
        ("rest-token", "Bearer wrong", 401),
        ("rest-token", "Basic rest-token", 401),
        ("rest-token", "Bearer rest-token-and-more", 401),
        ("", "Bearer ", 401),
        ("", None, 401),
        ("rest-token", "Bearer rest-token", 200),
        ("rest-token", "bearer  rest-token ", 200),
    ],
)
async def test_only_the_token_opens_the_rest_channel(
    monkeypatch: pytest.MonkeyPatch, configured: str, authorization: str | None, status: int
) -> None:
    untouched_after_the_test(monkeypatch)
    received: list[str | None] = []

    async def handler(message: UserMessage) -> None:
        received.append(message.text)

    app = Sanic(f"rest_token_{uuid.uuid4().hex}")
    app.blueprint(RedactingRestInput(configured).blueprint(handler), url_prefix="/webhooks/rest")
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://rasa.test") as client:
            response = await client.post(
                "/webhooks/rest/webhook", json={"sender": "s1", "message": "bonjour"}, headers=headers
            )
            health = await client.get("/webhooks/rest/")
    assert response.status_code == status
    assert received == (["bonjour"] if status == 200 else [])
    assert health.status_code == 200
