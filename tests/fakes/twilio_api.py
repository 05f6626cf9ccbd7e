"""A fake Twilio REST API: `POST /2010-04-01/Accounts/<sid>/Messages.json` creates a message (201),
unless a failure was scripted (`FakeApi.fail`)."""

from __future__ import annotations

import itertools

from tests.fakes.http_api import Answer, FakeApi, RecordedRequest

MESSAGES_PATH = "/Messages.json"


def twilio_error(status: int, code: int = 20500, message: str = "Internal Server Error") -> Answer:
    """Twilio's error body (`code` is Twilio's error code, e.g. 20429 for too many requests)."""
    return Answer(status, {"code": code, "message": message, "more_info": "", "status": status})


def too_many_requests() -> Answer:
    return twilio_error(429, 20429, "Too Many Requests")


_sids = itertools.count(1)


def create_message(request: RecordedRequest) -> Answer:
    """Twilio's answer to a message it accepts (201), or 404 for anything but Messages.json."""
    if request.method != "POST" or not request.path.endswith(MESSAGES_PATH):
        return twilio_error(404, 20404, "The requested resource was not found")
    fields = request.fields()
    account = request.path.split("/")[3]
    message = {
        "sid": f"SM{next(_sids):032x}",
        "account_sid": account,
        "to": fields.get("To"),
        "from": fields.get("From"),
        "body": fields.get("Body", ""),
        "status": "queued",
        "num_media": "1" if "MediaUrl" in fields else "0",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
    }
    return Answer(201, message)


def fake_twilio_api() -> FakeApi:
    return FakeApi(create_message)
