"""A fake Telegram Bot API (`{url}/bot<token>/<method>`): every method succeeds with a plausible
result unless a failure was scripted (`FakeApi.fail`)."""

from __future__ import annotations

import itertools
import time

from tests.fakes.http_api import Answer, FakeApi, RecordedRequest

BOT_USER = {"id": 999000111, "is_bot": True, "first_name": "Billing", "username": "billing_test_bot"}


def too_many_requests(retry_after: int) -> Answer:
    """Telegram's flood-control answer."""
    return Answer(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        },
    )


def server_error(status: int = 502) -> Answer:
    return Answer(status, {"ok": False, "error_code": status, "description": "Bad Gateway"})


def method_of(request: RecordedRequest) -> str:
    return request.path.rsplit("/", 1)[-1]


def fake_telegram_api() -> FakeApi:
    message_ids = itertools.count(1000)

    def respond(request: RecordedRequest) -> Answer:
        method = method_of(request)
        if method == "getMe":
            return Answer(200, {"ok": True, "result": BOT_USER})
        if method == "getWebhookInfo":
            info = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
            return Answer(200, {"ok": True, "result": info})
        if method.startswith("send") or method.startswith("edit"):
            fields = request.fields()
            chat_id = int(str(fields.get("chat_id") or 0))
            message = {
                "message_id": next(message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
            }
            return Answer(200, {"ok": True, "result": message})
        return Answer(200, {"ok": True, "result": True})

    return FakeApi(respond)
