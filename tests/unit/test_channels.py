"""Every channel hands Rasa the masked text (bot.channels.redacting)."""

from __future__ import annotations

import httpx
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Sanic

from bot.channels.redacting import redacting
from bot.channels.rest import RedactingRestInput
from bot.redaction import CARD_MASK


async def test_the_handler_receives_the_masked_text() -> None:
    received: list[UserMessage] = []

    async def handler(message: UserMessage) -> None:
        received.append(message)

    message = UserMessage(
        "ma carte 4242 4242 4242 4242", CollectingOutputChannel(), "someone", input_channel="rest"
    )
    await redacting(handler)(message)
    await redacting(handler)(UserMessage(None, CollectingOutputChannel(), "someone"))
    assert [m.text for m in received] == [f"ma carte {CARD_MASK}", None]
    assert received[0].sender_id == "someone"


def test_the_rest_channel_keeps_rasa_url() -> None:
    assert RedactingRestInput.name() == "rest"


async def test_the_rest_channel_masks_before_rasa() -> None:
    received: list[str | None] = []

    async def handler(message: UserMessage) -> None:
        received.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    app = Sanic("redaction_test")
    app.blueprint(RedactingRestInput("rest-token").blueprint(handler), url_prefix="/webhooks/rest")
    await app._startup()  # what the ASGI lifespan startup does; httpx's transport sends no lifespan
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        response = await client.post(
            "/webhooks/rest/webhook",
            json={"sender": "s1", "message": "cpf 529.982.247-25 stp"},
            headers={"Authorization": "Bearer rest-token"},
        )
    assert response.status_code == 200
    assert response.json() == [{"recipient_id": "s1", "text": "ok"}]
    assert received == ["cpf [CPF •••] stp"]
