"""Bad input: hostile requests to every webhook (hypothesis), forged or missing signatures and secrets, a
web chat session taken over, the REST channel without its token.

No trained model and no server process: the webhooks run in-process (tests/reliability/webhook_apps.py),
each started once per check on an event loop the check owns, and hypothesis sends its examples to it one
after the other. What a webhook hands to Rasa is recorded (`Recorder`), and any error logged while it
handles a request counts as a failure: the channels answer 200 even when processing failed (Telegram and
Twilio would send the update again and again), so a crash would otherwise hide behind a 200."""

from __future__ import annotations

import base64
import copy
import itertools
import json
import logging
import operator
import string
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sanic.request import RequestParameters
from sqlalchemy.engine import Engine
from twilio.request_validator import RequestValidator

from bot.billing.models import PaymentMethodKind, PaymentRequestStatus
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import payments
from bot.billing.webhook_signature import SIGNATURE_HEADER as PAYMENT_SIGNATURE_HEADER
from bot.billing.webhook_signature import sign
from bot.channels.socketio import MAX_PACKET_BYTES, WidgetInput
from bot.channels.socketio_limits import WidgetLimits
from bot.channels.socketio_sessions import SessionSigner
from bot.channels.telegram_channel import SECRET_HEADER
from bot.channels.whatsapp import EMPTY_TWIML, SIGNATURE_HEADER
from bot.web.payment_webhook import PATH as PAYMENT_PATH
from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_updates import click_update, message_update, next_update_id, text_update
from tests.reliability.report import Figures
from tests.reliability.webhook_apps import (
    BASE_URL,
    REST_PREFIX,
    TELEGRAM_PREFIX,
    WHATSAPP_PREFIX,
    LogCapture,
    OwnedLoop,
    Recorder,
    RunningApp,
    portal_app,
    rest_app,
    telegram_app,
    whatsapp_app,
)
from tests.unit.channels.test_socketio import PAGE_ORIGIN, Browser, FakeRasa, ServerThread, sender_of
from tests.unit.channels.test_telegram_output import SECRET as TELEGRAM_SECRET
from tests.unit.channels.test_whatsapp_output import AUTH_TOKEN, FROM, PUBLIC_BASE_URL
from tests.unit.web.conftest import (  # noqa: F401 (fixtures: the portal's billing data and clock)
    NOW,
    WEBHOOK_SECRET,
    Clock,
    clock,
    customer_ids,
    portal_backend,
    portal_db,
    portal_engine,
    untouched_after_the_test,
)
from tests.unit.web.helpers import count

AREA = "Bad input"
# Sanic in ASGI mode warns that `after_server_stop` listeners run early; Rasa does not serve over ASGI.
pytestmark = [
    pytest.mark.filterwarnings("ignore:You have set a listener"),
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),  # hypothesis, of a huge body
]

FUZZ_EXAMPLES = 150
FORGERY_EXAMPLES = 60
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FORGERIES = settings(FUZZ, max_examples=FORGERY_EXAMPLES)

TELEGRAM_WEBHOOK = f"{TELEGRAM_PREFIX}/webhook"
WHATSAPP_WEBHOOK = f"{WHATSAPP_PREFIX}/webhook"
WHATSAPP_STATUS = f"{WHATSAPP_PREFIX}/status"
REST_WEBHOOK = f"{REST_PREFIX}/webhook"
REST_TOKEN = "reliability-rest-token"
CHAT = 5150
CARLOS = "845120"  # a customer of the unit tests' billing data (pays in BRL, by Pix)
FR_NUMBER = "+33612345678"

# -- hostile values ------------------------------------------------------------------------------------
HOSTILE_TEXTS = (
    "\x00",
    "\u202e",  # right-to-left override
    "\ufeff",
    "😀",
    "é",
    "e\u0301",
    "\U0010ffff",
    "\r\n",
    "\\",
    '"',
    "%00",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "'; DROP TABLE payments; --",
    "../../etc/passwd",
    "4242 4242 4242 4242",
    "/start",
    "/start@other_bot deep-link",
    "-",
    "t:0",
    "t:99",
)
huge_texts = st.builds(
    operator.mul, st.sampled_from(("a", "é", "😀", "\x00", "\u202e", "1")), st.integers(1_000, 60_000)
)
texts = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE_TEXTS), huge_texts)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities too: json.dumps writes them, as a hostile client would
    st.text(max_size=30),
    st.sampled_from(HOSTILE_TEXTS),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)


def deep_nesting(depth: int, kind: str) -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


RAW_BODIES = (
    b"",
    b"null",
    b"true",
    b"0",
    b"-1e999",
    b"NaN",
    b"-Infinity",
    b'"text"',
    b"[]",
    b"{}",
    b"{",
    b'{"a":1,"a":2}',
    b'"\\ud800"',
    b'{"update_id": 1e999}',
    b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
    b"\xff\xfe{\x00}\x00",  # UTF-16
    b"\x00\x00\x00\x00",
    b"\xc3\x28",  # invalid UTF-8
    b"1" * 5_000,
    b"a=1&b=2",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY y SYSTEM 'file:///etc/passwd'>]><x>&y;</x>",
    b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
)
raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(RAW_BODIES),
    st.builds(deep_nesting, st.integers(100, 30_000), st.sampled_from(("list", "object"))),
)
CONTENT_TYPES = (
    "application/json",
    "application/json",
    "application/json; charset=utf-16",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "",
    "*/*;;;=",
    None,
)
content_types = st.sampled_from(CONTENT_TYPES)


def mixture(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Values of the strategies, each `weight` times as often as a strategy of weight 1 (`st.one_of`
    picks its strategies alike, and flattens those nested)."""
    weighted = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(weighted).flatmap(lambda strategy: strategy)


def json_body(value: Any, ascii_only: bool = True) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")


json_bodies = st.builds(json_body, json_values, st.booleans())


@dataclass(frozen=True)
class Sent:
    """One hostile request: what hypothesis shows of a failing example."""

    body: bytes
    content_type: str | None
    query: str = ""

    def headers(self, **more: str | bytes) -> dict[str, str | bytes]:
        sent: dict[str, str | bytes] = (
            {} if self.content_type is None else {"Content-Type": self.content_type}
        )
        return {**sent, **more}

    def __repr__(self) -> str:
        shown = self.body if len(self.body) <= 300 else self.body[:300] + b"..."
        return f"Sent({shown!r} ({len(self.body)} bytes), {self.content_type!r}, {self.query!r})"


def sent(bodies: st.SearchStrategy[bytes], queries: st.SearchStrategy[str] | None = None) -> Any:
    return st.builds(Sent, bodies, content_types, st.just("") if queries is None else queries)


CORRUPTIONS = ("keep",) * 7 + ("deeper", "deeper", "drop", "junk")  # what becomes of each part


@st.composite
def corrupted(draw: st.DrawFn, value: Any) -> Any:
    """`value` (a valid request's JSON) with some of its parts dropped, replaced by junk or corrupted in
    turn, and junk keys added: it goes deeper than junk alone into the parsers."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            how = draw(st.sampled_from(CORRUPTIONS))
            if how == "keep":
                result[key] = item
            elif how == "deeper":
                result[key] = draw(corrupted(item))
            elif how == "junk":
                result[key] = draw(json_values)
        result.update(draw(st.dictionaries(st.text(max_size=12), json_values, max_size=2)))
        return result
    if isinstance(value, list):
        return [draw(corrupted(item)) for item in value] + draw(st.lists(json_values, max_size=1))
    return draw(st.one_of(st.just(value), json_values, texts))


Path = tuple[str | int, ...]


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Where in `value` (JSON) a part can be dropped or replaced: every key of an object, item of a list."""
    parts = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    found: list[Path] = []
    for key, item in parts:
        found += [(*prefix, key), *paths(item, (*prefix, key))]
    return found


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """`value` (a valid request's JSON) with one or two of its parts dropped or replaced by junk (of
    another type, mostly), all else intact: each example goes as deep as the part it breaks."""
    value = copy.deepcopy(value)
    spots = paths(value)
    if not spots:
        return draw(json_values)
    for path in draw(st.lists(st.sampled_from(spots), min_size=1, max_size=2)):
        parent = value
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):  # the first change removed this part
            continue
    return value


def examples(requests: Iterable[Sent]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis' `@example` for each request: tried at every run, before the generated ones."""

    def add(test: Callable[..., None]) -> Callable[..., None]:
        for request in requests:
            test = example(request=request)(test)
        return test

    return add


class Statuses:
    """The statuses a fuzz saw, and its figures."""

    def __init__(self) -> None:
        self.seen: Counter[int] = Counter()

    def record(self, response: httpx.Response) -> int:
        self.seen[response.status_code] += 1
        return response.status_code

    @property
    def requests(self) -> int:
        return sum(self.seen.values())

    @property
    def server_errors(self) -> int:
        return sum(number for status, number in self.seen.items() if status >= 500)

    def report(self, figures: Figures, errors: LogCapture, **more: object) -> None:
        figures["examples"] = self.requests
        figures["statuses"] = " ".join(f"{status}×{number}" for status, number in sorted(self.seen.items()))
        figures["5xx"] = self.server_errors
        figures["errors logged"] = len(errors.records)
        for name, value in more.items():
            figures[name] = value


def no_errors_logged(errors: LogCapture) -> None:
    assert errors.records == [], f"errors logged while handling the requests: {errors.events()}"


# -- apps and fakes ------------------------------------------------------------------------------------
@dataclass
class Telegram:
    app: RunningApp
    rasa: Recorder
    api: FakeApi

    def post(self, body: bytes, headers: dict[str, str | bytes]) -> httpx.Response:
        return self.app.post(TELEGRAM_WEBHOOK, body, headers)


@pytest.fixture
def telegram(telegram_api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> Iterator[Telegram]:
    untouched_after_the_test(monkeypatch)
    rasa = Recorder()
    app, channel = telegram_app(telegram_api, rasa)
    with RunningApp(app) as running:
        yield Telegram(running, rasa, telegram_api)
        if channel.client is not None:
            running.run(channel.client.close())


class Twilio:
    """Plays Twilio: posts forms to the WhatsApp channel, signed as Twilio signs them (for the public URL
    of the settings) or not."""

    def __init__(
        self, app: RunningApp, rasa: Recorder, idle: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        self.app = app
        self.rasa = rasa
        self._idle = idle

    @staticmethod
    def signature(path: str, fields: list[tuple[str, str]], url: str = PUBLIC_BASE_URL) -> str:
        form: dict[str, list[str]] = {}
        for name, value in fields:
            form.setdefault(name, []).append(value)
        return str(RequestValidator(AUTH_TOKEN).compute_signature(url + path, RequestParameters(form)))

    def post(
        self,
        path: str,
        body: bytes,
        signature: str | bytes | None,
        content_type: str | None = "application/x-www-form-urlencoded",
    ) -> httpx.Response:
        headers: dict[str, str | bytes] = {} if content_type is None else {"Content-Type": content_type}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        response = self.app.post(path, body, headers)
        self.app.run(self._idle())  # the message is processed in the background: within the example
        return response

    def post_form(self, path: str, fields: list[tuple[str, str]], **content: str | None) -> httpx.Response:
        return self.post(path, urlencode(fields).encode("ascii"), self.signature(path, fields), **content)


@pytest.fixture
def twilio(twilio_api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> Iterator[Twilio]:
    untouched_after_the_test(monkeypatch)
    rasa = Recorder()
    app, channel = whatsapp_app(twilio_api, rasa)
    with RunningApp(app) as running:
        yield Twilio(running, rasa, channel.idle)
        running.run(channel.idle())
        running.run(channel.close())


@pytest.fixture
def rest(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningApp, Recorder]]:
    untouched_after_the_test(monkeypatch)
    rasa = Recorder()
    with RunningApp(rest_app(REST_TOKEN, rasa)) as running:
        yield running, rasa


@pytest.fixture
def portal(
    portal_backend: SqlBillingBackend,  # noqa: F811 (the fixture imported above)
    clock: Clock,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[RunningApp]:
    untouched_after_the_test(monkeypatch)
    with RunningApp(portal_app(portal_backend, clock)) as running:
        yield running


def pix_request(
    backend: SqlBillingBackend,
    customer_ids: dict[str, int],  # noqa: F811
    amount: str = "10.00",
) -> str:
    """A pending payment request of Carlos (a Pix code), small: he owes enough for several."""
    return backend.create_payment_request(
        customer_ids[CARLOS], Decimal(amount), PaymentMethodKind.PIX, NOW
    ).reference


def confirmation(reference: str, provider_reference: str = "e2e-pix-0001") -> bytes:
    return json_body({"reference": reference, "provider_reference": provider_reference, "status": "paid"})


def signed_payment(body: bytes, secret: str = WEBHOOK_SECRET, shift: timedelta = timedelta(0)) -> str:
    return sign(secret, body, NOW + shift)


# -- fuzz: no 5xx -----------------------------------------------------------------------------------------
TELEGRAM_MEDIA: tuple[dict[str, Any], ...] = (
    {"photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]},
    {"voice": {"file_id": "v", "file_unique_id": "u", "duration": 1}},
    {"document": {"file_id": "d", "file_unique_id": "u"}},
    {"location": {"latitude": 48.85, "longitude": 2.35}},
    {"contact": {"phone_number": "+33612345678", "first_name": "A"}},
    {"sticker": {"file_id": "s", "file_unique_id": "u", "width": 1, "height": 1, "is_animated": False}},
    {"caption": "ma facture", "photo": []},
    {"new_chat_members": [{"id": 1, "is_bot": False, "first_name": "B"}]},
    {},
)
languages = st.sampled_from((None, "pt-BR", "fr", "fr-CA", "en", "", "x" * 300))
chat_ids = st.one_of(st.just(CHAT), st.integers())
telegram_updates = st.one_of(
    st.builds(
        text_update,
        chat_ids,
        texts,
        languages,
        st.sampled_from(("private", "private", "group", "supergroup", "channel", "???")),
    ),
    st.builds(
        click_update,
        chat_ids,
        texts,
        st.none() | st.lists(st.tuples(texts, st.sampled_from(("-", "t:0", "t:1", "/greet")) | texts)),
        st.integers(),
        languages,
    ),
    st.builds(
        message_update,
        chat_ids,
        st.sampled_from(TELEGRAM_MEDIA),
        languages,
        kind=st.sampled_from(("message", "message", "edited_message", "channel_post", "message_reaction")),
    ),
)


@st.composite
def hostile_updates(draw: st.DrawFn) -> Any:
    base = draw(telegram_updates)
    update = draw(st.one_of(mutated(base), mutated(base), corrupted(base)))
    if isinstance(update, dict):  # mostly a fresh update id: read, not ignored as a delivery repeated
        junk_id = draw(st.integers(0, 9)) == 0
        update["update_id"] = draw(json_values) if junk_id else next_update_id()
    return update


def malformed_update(kind: str) -> dict[str, Any]:
    """Updates PTB reads without complaint (it checks no field's type) that are not what Telegram sends."""
    if kind == "callback data an object":
        update = click_update(CHAT, "/greet", [("Bonjour", "/greet")])
        update["callback_query"]["data"] = {"a": 1}
        return update
    update = text_update(CHAT, "bonjour")
    if kind == "text a list":
        update["message"]["text"] = ["bonjour"]
    elif kind == "caption a list":
        del update["message"]["text"]
        update["message"]["caption"] = ["bonjour"]
    elif kind == "no chat":
        del update["message"]["chat"]
    elif kind == "chat type a number":
        update["message"]["chat"]["type"] = 1
    return update


MALFORMED_UPDATES = (
    "text a list",
    "caption a list",
    "no chat",
    "chat type a number",
    "callback data an object",
)


@pytest.mark.reliability(AREA, "Telegram webhook fuzz (valid secret, junk updates): no 5xx")
def test_telegram_webhook_fuzz(telegram: Telegram, figures: Figures) -> None:
    statuses = Statuses()
    updates = st.builds(json_body, hostile_updates(), st.booleans())
    bodies = mixture((3, updates), (1, json_bodies), (1, raw_bodies))

    @FUZZ
    @given(request=sent(bodies))
    @examples(Sent(json_body(malformed_update(kind)), "application/json") for kind in MALFORMED_UPDATES)
    def attempt(request: Sent) -> None:
        response = telegram.post(request.body, request.headers(**{SECRET_HEADER: TELEGRAM_SECRET}))
        assert statuses.record(response) < 500, response.text

    with LogCapture().installed() as errors:
        try:
            attempt()
        finally:
            statuses.report(figures, errors, **{"to Rasa": len(telegram.rasa.messages)})
    no_errors_logged(errors)
    assert {200, 400} <= set(statuses.seen), "the fuzz never got an update read (or refused)"
    assert telegram.rasa.messages, "no fuzzed update reached Rasa: the fuzz stays at the door"

    # The channel still works.
    response = telegram.post(json_body(text_update(CHAT, "toujours là ?")), {SECRET_HEADER: TELEGRAM_SECRET})
    assert response.status_code == 200
    assert telegram.rasa.messages[-1].text == "toujours là ?"
    assert telegram.rasa.messages[-1].sender_id == f"telegram-{CHAT}"


TWILIO_FIELDS = (
    "MessageSid",
    "SmsMessageSid",
    "AccountSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "MediaContentType0",
    "MediaUrl0",
    "Latitude",
    "Longitude",
    "ProfileName",
    "WaId",
    "ButtonPayload",
    "MessageStatus",
    "ErrorCode",
    "ApiVersion",
)
TWILIO_VALUES = (
    f"whatsapp:{FR_NUMBER}",
    "whatsapp:+5511987654321",
    "whatsapp:+٣٣٦١٢٣٤٥٦٧٨",  # Arabic-Indic digits: `\d` takes them
    "whatsapp:+1",
    "whatsapp:+999999999999999",
    "whatsapp:",
    FR_NUMBER,
    FROM,
    "0",
    "1",
    "-1",
    "2",
    "١",
    "1_000",
    "9" * 5000,
    "NaN",
    "image/jpeg",
    "IMAGE/WEBP",
    "text/vcard",
    "application/",
    "failed",
    "undelivered",
    "delivered",
    "48.85",
)
twilio_values = st.one_of(texts, st.sampled_from(TWILIO_VALUES))
twilio_names = st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(max_size=20))
junk_fields = st.lists(st.tuples(twilio_names, twilio_values), max_size=10)
# A message that would be read, with junk around: the fuzz goes past the form into the processing.
_sids = itertools.count(1)
plausible_messages = st.builds(
    lambda sid, number, body, junk: [("MessageSid", sid), ("From", number), ("Body", body), *junk],
    st.builds(lambda junk: f"{junk}{next(_sids)}", st.text(max_size=30)),  # not a delivery repeated
    st.sampled_from((f"whatsapp:{FR_NUMBER}", "whatsapp:+5511987654321", "whatsapp:+٣٣٦١٢٣٤٥٦٧٨")),
    texts,
    junk_fields,
)
twilio_forms = st.one_of(plausible_messages, junk_fields)


@pytest.mark.reliability(
    AREA, "WhatsApp message webhook fuzz (validly signed junk forms, raw bodies): no 5xx"
)
def test_whatsapp_message_webhook_fuzz(twilio: Twilio, figures: Figures) -> None:
    fuzz_whatsapp(twilio, WHATSAPP_WEBHOOK, figures)


@pytest.mark.reliability(
    AREA, "WhatsApp status callback fuzz (validly signed junk forms, raw bodies): no 5xx"
)
def test_whatsapp_status_callback_fuzz(twilio: Twilio, figures: Figures) -> None:
    fuzz_whatsapp(twilio, WHATSAPP_STATUS, figures)


def fuzz_whatsapp(twilio: Twilio, path: str, figures: Figures) -> None:
    statuses = Statuses()
    signed_forms = 0

    @FUZZ
    @given(
        form=st.none() | twilio_forms,
        raw=sent(raw_bodies),
        content_type=st.sampled_from(("application/x-www-form-urlencoded", *CONTENT_TYPES)),
    )
    def attempt(form: list[tuple[str, str]] | None, raw: Sent, content_type: str | None) -> None:
        nonlocal signed_forms
        if form is not None:  # signed by twilio's own validator: the form reaches the parser
            response = twilio.post_form(path, form, content_type=content_type)
            assert statuses.record(response) < 500, response.text
            assert response.status_code != 403, "a form Twilio signed was refused"
            signed_forms += 1
        else:  # not a form: signed as the URL alone (no field), the body the parser gets is junk
            response = twilio.post(path, raw.body, Twilio.signature(path, []), raw.content_type)
            assert statuses.record(response) < 500, response.text

    with LogCapture().installed() as errors:
        try:
            attempt()
        finally:
            statuses.report(
                figures, errors, **{"signed forms": signed_forms, "to Rasa": len(twilio.rasa.messages)}
            )
    no_errors_logged(errors)
    assert signed_forms > FUZZ_EXAMPLES // 2
    if path == WHATSAPP_WEBHOOK:
        assert twilio.rasa.messages, "no fuzzed message reached Rasa: the fuzz stays at the door"

    # The channel still works.
    form = [("MessageSid", "SM" + "5" * 32), ("From", f"whatsapp:{FR_NUMBER}"), ("Body", "encore là ?")]
    form += [("NumMedia", "0"), ("MessageStatus", "delivered"), ("To", FROM)]
    response = twilio.post_form(path, form)
    if path == WHATSAPP_WEBHOOK:
        assert response.status_code == 200 and response.text == EMPTY_TWIML
        assert twilio.rasa.messages[-1].text == "encore là ?"
    else:
        assert response.status_code == 204


rest_fields = st.fixed_dictionaries(
    {},
    optional={
        "sender": st.one_of(st.text(max_size=30), json_values),
        "message": st.one_of(texts, json_values),
        "metadata": json_values,
        "input_channel": json_values,
        "customData": json_values,
    },
)
REST_MESSAGE = {"sender": "s1", "message": "bonjour", "metadata": {"language": "fr"}, "input_channel": "rest"}
rest_queries = st.sampled_from(("", "?stream=true", "?stream=false", "?stream=TRUE", "?stream=%00"))


@pytest.mark.reliability(AREA, "REST channel fuzz (valid token, junk bodies): no 5xx")
def test_rest_channel_fuzz(rest: tuple[RunningApp, Recorder], figures: Figures) -> None:
    app, rasa = rest
    statuses = Statuses()
    messages = st.builds(json_body, mixture((1, rest_fields), (1, mutated(REST_MESSAGE))), st.booleans())
    bodies = mixture((4, messages), (1, json_bodies), (1, raw_bodies))

    @FUZZ
    @given(request=sent(bodies, rest_queries))
    def attempt(request: Sent) -> None:
        headers = request.headers(Authorization=f"Bearer {REST_TOKEN}")
        before = len(rasa.messages)
        response = app.post(REST_WEBHOOK + request.query, request.body, headers)
        assert statuses.record(response) < 500, response.text
        # Answered 200: Rasa got the message (not dropped on the way); refused: Rasa got nothing.
        assert len(rasa.messages) == before + (response.status_code == 200), response.text
        for message in rasa.messages[before:]:  # and what Rasa gets is a message, whatever was sent
            assert message.text is None or isinstance(message.text, str)
            assert isinstance(message.sender_id, str) and isinstance(message.input_channel, str)
            assert message.metadata is None or isinstance(message.metadata, dict)

    with LogCapture().installed() as errors:
        try:
            attempt()
        finally:
            statuses.report(figures, errors, **{"to Rasa": len(rasa.messages)})
    no_errors_logged(errors)
    assert 200 in statuses.seen and rasa.messages, "no fuzzed body reached Rasa"

    # The channel still works.
    response = app.post(
        REST_WEBHOOK,
        json_body({"sender": "s1", "message": "bonjour"}),
        {"Authorization": f"Bearer {REST_TOKEN}"},
    )
    assert response.status_code == 200
    assert (rasa.messages[-1].sender_id, rasa.messages[-1].text) == ("s1", "bonjour")


@pytest.mark.reliability(AREA, "Payment webhook fuzz (validly signed junk bodies): no 5xx")
def test_payment_webhook_fuzz(
    portal: RunningApp,
    portal_backend: SqlBillingBackend,  # noqa: F811
    customer_ids: dict[str, int],  # noqa: F811
    figures: Figures,
) -> None:
    pending = pix_request(portal_backend, customer_ids)
    statuses = Statuses()
    valid = {"reference": pending, "provider_reference": "e2e-pix-0001", "status": "paid"}
    references = st.sampled_from((pending, "PG-222222", pending.lower()))
    provider_references = st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True)
    fields = st.fixed_dictionaries(
        {
            "reference": mixture((3, references), (1, texts)),
            "provider_reference": mixture((3, provider_references), (1, texts)),
            "status": mixture((3, st.just("paid")), (1, json_values)),
        }
    )
    confirmations = st.builds(json_body, mixture((3, fields), (2, mutated(valid))), st.booleans())
    bodies = mixture((5, confirmations), (1, json_bodies), (1, raw_bodies))

    @FUZZ
    @given(request=sent(bodies))
    def attempt(request: Sent) -> None:
        headers = request.headers(**{PAYMENT_SIGNATURE_HEADER: signed_payment(request.body)})
        response = portal.post(PAYMENT_PATH, request.body, headers)
        assert statuses.record(response) < 500, response.text

    with LogCapture().installed() as errors:
        try:
            attempt()
        finally:
            reached = sum(statuses.seen[status] for status in (200, 404, 409))
            statuses.report(figures, errors, **{"reached the backend": reached})
    no_errors_logged(errors)
    assert {400, 404} <= set(statuses.seen), "the fuzz never got past the signature, or the parser"

    # The webhook still works.
    reference = pix_request(portal_backend, customer_ids)
    body = confirmation(reference)
    response = portal.post(PAYMENT_PATH, body, {PAYMENT_SIGNATURE_HEADER: signed_payment(body)})
    assert response.status_code == 200, response.text
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PAID


# -- forged or missing signatures and secrets -------------------------------------------------------
header_values = st.binary(min_size=1, max_size=80).filter(
    lambda value: b"\r" not in value and b"\n" not in value
)


@pytest.mark.reliability(AREA, "Telegram secret header missing or wrong: 403, nothing read")
def test_telegram_without_the_secret_is_refused(telegram: Telegram, figures: Figures) -> None:
    statuses = Statuses()
    secret = TELEGRAM_SECRET.encode()
    fixed: list[bytes | None] = [
        None,
        b"",
        b"wrong",
        secret + b"x",
        secret[:-1],
        secret.upper(),
        "é".encode() * 8,
    ]

    def refused(value: bytes | None, update: dict[str, Any]) -> None:
        headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
        if value is not None:
            headers[SECRET_HEADER] = value
        response = telegram.post(json_body(update), headers)
        assert statuses.record(response) == 403, response.text

    updates = st.one_of(
        st.builds(text_update, st.just(CHAT), texts),
        st.builds(click_update, st.just(CHAT), st.just("/greet"), st.just([("Bonjour", "/greet")])),
    )

    @FORGERIES
    @given(value=header_values, update=updates)
    def attempt(value: bytes, update: dict[str, Any]) -> None:
        assume(value.strip() != secret)
        refused(value, update)

    for value in fixed:
        refused(value, click_update(CHAT, "/greet", [("Bonjour", "/greet")]))
    attempt()
    figures["forged requests"] = statuses.requests
    figures["statuses"] = dict(statuses.seen)
    figures["reached Rasa"] = len(telegram.rasa.messages)
    figures["Bot API calls"] = len(telegram.api.requests)
    assert telegram.rasa.messages == []
    assert telegram.api.requests == []  # not even the click answered: refused unread

    # The right secret opens it (the same request otherwise).
    update = click_update(CHAT, "/greet", [("Bonjour", "/greet")])
    assert telegram.post(json_body(update), {SECRET_HEADER: secret}).status_code == 200
    assert telegram.rasa.texts() == ["/greet"]


def other_fields(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value + "!" if name == "Body" else value) for name, value in fields]


@pytest.mark.reliability(AREA, "X-Twilio-Signature missing, wrong, or signed for another URL or fields: 403")
def test_twilio_forged_signatures_are_refused(twilio: Twilio, figures: Figures) -> None:
    statuses = Statuses()
    with LogCapture(logging.INFO).installed() as logged:

        def forge(path: str, fields: list[tuple[str, str]], signature: str | bytes | None) -> None:
            response = twilio.post(path, urlencode(fields).encode("ascii"), signature)
            assert statuses.record(response) == 403, (path, fields, signature)

        for path, other in ((WHATSAPP_WEBHOOK, WHATSAPP_STATUS), (WHATSAPP_STATUS, WHATSAPP_WEBHOOK)):
            fields = [
                ("MessageSid", "SM" + "7" * 32),
                ("From", f"whatsapp:{FR_NUMBER}"),
                ("To", FROM),
                ("Body", "bonjour"),
                ("NumMedia", "0"),
                ("MessageStatus", "delivered"),
            ]
            valid = Twilio.signature(path, fields)
            for signature in (
                None,
                "",
                "AAAA",
                valid[:-2] + ("AA" if not valid.endswith("AA") else "BB"),
                valid.lower(),
                RequestValidator("another-auth-token").compute_signature(
                    PUBLIC_BASE_URL + path, dict(fields)
                ),
                Twilio.signature(path, fields, url=BASE_URL),  # the URL the app sees, not the public one
                Twilio.signature(other, fields),  # the other webhook's URL
                Twilio.signature(path + "?x=1", fields),
                Twilio.signature(path, other_fields(fields)),  # other fields
                Twilio.signature(path, fields[:-1]),  # a field fewer
                Twilio.signature(path, [*fields, ("Extra", "1")]),  # a field more
            ):
                forge(path, fields, signature)

        @FORGERIES
        @given(
            path=st.sampled_from((WHATSAPP_WEBHOOK, WHATSAPP_STATUS)),
            fields=plausible_messages,
            signature=st.one_of(
                st.binary(min_size=1, max_size=40).map(lambda raw: base64.b64encode(raw).decode()),
                header_values,
                st.text(alphabet=string.ascii_letters + string.digits + "+/=", min_size=28, max_size=28),
            ),
        )
        def attempt(path: str, fields: list[tuple[str, str]], signature: str | bytes) -> None:
            forge(path, fields, signature)

        attempt()
    figures["forged requests"] = statuses.requests
    figures["statuses"] = dict(statuses.seen)
    figures["reached Rasa"] = len(twilio.rasa.messages)
    status_logged = [record for record in logged.records if record.getMessage() == "whatsapp.status"]
    figures["statuses logged"] = len(status_logged)
    assert twilio.rasa.messages == [] and status_logged == []

    # Signed for the public URL with these fields: accepted.
    response = twilio.post_form(WHATSAPP_WEBHOOK, fields)
    assert response.status_code == 200 and twilio.rasa.texts() == ["bonjour"]


@pytest.mark.reliability(AREA, "Payment webhook signature missing, wrong or stale: 401 (documented), unpaid")
def test_payment_webhook_forged_signatures_are_refused(
    portal: RunningApp,
    portal_backend: SqlBillingBackend,  # noqa: F811
    portal_db: Engine,  # noqa: F811
    customer_ids: dict[str, int],  # noqa: F811
    figures: Figures,
) -> None:
    """The payment webhook answers 401 (bot/web/payment_webhook.py documents it, the provider retries on
    any non-2xx): refused, whatever the code, is what matters, and that nothing is paid."""
    reference = pix_request(portal_backend, customer_ids)
    body = confirmation(reference)
    recorded = count(portal_db, payments)
    statuses = Statuses()
    errors: Counter[str] = Counter()
    valid = signed_payment(body)
    timestamp, digest = valid.split(",")

    def forge(signature: str | bytes | None, expected: str = "invalid_signature") -> None:
        headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
        if signature is not None:
            headers[PAYMENT_SIGNATURE_HEADER] = signature
        response = portal.post(PAYMENT_PATH, body, headers)
        assert statuses.record(response) == 401, (signature, response.text)
        assert response.json() == {"error": expected}
        errors[expected] += 1

    for signature in (
        None,
        "",
        "garbage",
        digest,  # no timestamp
        timestamp,  # no signature
        f"{timestamp},v1={'0' * 64}",
        signed_payment(body, secret="another-secret"),
        signed_payment(confirmation(reference, "another-provider-reference")),  # another body
        f"t={int(timestamp[2:]) + 1},{digest}",  # another time
        f"{timestamp},{digest},{timestamp}",
        f"{timestamp},v0={digest[3:]}",
        f"{timestamp},v1=é",
        valid + "," + "x" * 2000,
    ):
        forge(signature)
    for shift in (timedelta(minutes=-5, seconds=-1), timedelta(minutes=5, seconds=1), timedelta(days=-30)):
        forge(signed_payment(body, shift=shift), "stale_signature")  # a replay, or one dated in the future

    @FORGERIES
    @given(signature=st.one_of(header_values, st.text(max_size=120).map(lambda text: text.encode("utf-8"))))
    def attempt(signature: bytes) -> None:
        assume(b"\r" not in signature and b"\n" not in signature)
        forge(signature)

    attempt()
    figures["forged requests"] = statuses.requests
    figures["statuses"] = dict(statuses.seen)
    figures["errors"] = dict(errors)
    assert count(portal_db, payments) == recorded
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PENDING

    # Signed with the secret, now: paid.
    assert portal.post(PAYMENT_PATH, body, {PAYMENT_SIGNATURE_HEADER: valid}).status_code == 200
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PAID


@pytest.mark.reliability(AREA, "REST channel without its token: 401, nothing reaches Rasa")
def test_rest_channel_without_the_token_is_refused(
    rest: tuple[RunningApp, Recorder], figures: Figures
) -> None:
    app, rasa = rest
    statuses = Statuses()
    body = json_body({"sender": "s1", "message": "bonjour"})

    def refused(authorization: str | bytes | None) -> None:
        headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        response = app.post(REST_WEBHOOK, body, headers)
        assert statuses.record(response) == 401, (authorization, response.text)
        assert response.json() == {"error": "unauthorized"}

    for authorization in (
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        REST_TOKEN,  # no scheme
        f"Basic {REST_TOKEN}",
        f"Token {REST_TOKEN}",
        f"Bearer {REST_TOKEN}-and-more",
        f"Bearer {REST_TOKEN[:-1]}",
        f"Bearer {REST_TOKEN.upper()}",
        f"Bearer{REST_TOKEN}",
    ):
        refused(authorization)

    @FORGERIES
    @given(authorization=header_values)
    def attempt(authorization: bytes) -> None:
        assume(REST_TOKEN.encode() not in authorization)
        refused(authorization)

    attempt()
    figures["requests without the token"] = statuses.requests
    figures["statuses"] = dict(statuses.seen)
    figures["reached Rasa"] = len(rasa.messages)
    assert rasa.messages == []
    assert app.get(f"{REST_PREFIX}/").status_code == 200  # the health route stays open

    headers = {"Authorization": f"Bearer {REST_TOKEN}"}
    assert app.post(REST_WEBHOOK, body, headers).status_code == 200
    assert rasa.texts() == ["bonjour"]


# -- web chat: another conversation's session -------------------------------------------------------
WIDGET_SECRET = "reliability-widget-secret"
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


def substituted(token: str, position: int, char: str) -> str:
    position %= len(token)
    return token[:position] + char + token[position + 1 :]


@pytest.mark.reliability(AREA, "socket.io session takeover (another's id, forged or tampered): refused")
def test_socketio_session_takeover_is_refused(monkeypatch: pytest.MonkeyPatch, figures: Figures) -> None:
    untouched_after_the_test(monkeypatch)
    rasa = FakeRasa()  # answers "echo: <text>" to the conversation
    channel = WidgetInput(
        signer=SessionSigner(WIDGET_SECRET),
        origins=[PAGE_ORIGIN],
        limits=WidgetLimits(rate_messages=1000, rate_window_s=1),
    )
    server = ServerThread(channel, rasa)
    server.start()
    owned = OwnedLoop()
    pages: list[Browser] = []

    def page() -> Browser:
        pages.append(owned.run(Browser(server.url).connect()))
        return pages[-1]

    tried: list[object] = []
    outcome: Counter[str] = Counter()
    try:
        victim = page()
        token = owned.run(victim.session())
        victim_sender = sender_of(token)
        key, _, signature = token.partition(".")
        owned.run(victim.say("ma facture de mars", token))
        assert owned.run(victim.next("bot_uttered")) == {"text": "echo: ma facture de mars"}
        attacker = page()

        def take_over(forged: object) -> None:
            tried.append(forged)
            confirmed = owned.run(attacker.session(forged))
            outcome["let in"] += sender_of(confirmed) == victim_sender
            assert confirmed != token and sender_of(confirmed) != victim_sender, forged
            assert SessionSigner(WIDGET_SECRET).verify(confirmed) is not None  # a fresh session instead
            for claimed in (forged, token, victim_sender):  # and writing into the victim's anyway
                owned.run(attacker.say("c'est moi maintenant", claimed))
                assert owned.run(attacker.next("message_refused")) == {"reason": "no_session"}, claimed

        # A socket that never asked for a session writes with the victim's id.
        owned.run(attacker.say("sans session", token))
        assert owned.run(attacker.next("message_refused")) == {"reason": "no_session"}
        for forged in (
            victim_sender,  # the Rasa conversation id
            key,  # its random part alone
            f"{key}.",
            token.replace(".", ":"),
            token + "x",
            " " + token,
            token.upper() if token.upper() != token else token.lower(),
            f"{key}.{SessionSigner('another-secret').issue().token.partition('.')[2]}",
            f"{SessionSigner('another-secret').issue().key}.{signature}",  # the signature on another id
            [token],
            {"session_id": token},
            None,
            12,
        ):
            take_over(forged)

        @settings(FORGERIES, max_examples=40)
        @given(
            forged=st.one_of(
                st.builds(substituted, st.just(token), st.integers(0, 48), st.sampled_from(TOKEN_ALPHABET)),
                st.builds(lambda other: f"{key}.{other}", st.text(TOKEN_ALPHABET, min_size=24, max_size=24)),
                st.text(max_size=60),
            )
        )
        def attempt(forged: str) -> None:
            assume(forged != token)
            take_over(forged)

        attempt()
        # The victim's conversation holds its own message only, and its replies reach the victim alone.
        output = channel.get_output_channel()
        assert output is not None
        server.call(output.send_text_message(victim_sender, "une conseillère vous répond"))
        assert owned.run(victim.next("bot_uttered")) == {"text": "une conseillère vous répond"}
        owned.run(attacker.session())  # a round trip: anything sent to the attacker before has arrived
        outcome["leaked"] = attacker.received["bot_uttered"].qsize() + attacker.received["user_echo"].qsize()
        assert outcome["leaked"] == 0
        assert [message.text for message in rasa.of(victim_sender)] == ["ma facture de mars"]
        assert victim.received["user_echo"].empty()  # nobody else wrote into it
    finally:
        figures["forged ids tried"] = len(tried)
        figures["let in"] = outcome["let in"]
        figures["written into the victim's conversation"] = max(0, len(rasa.of(victim_sender)) - 1)
        figures["replies leaked to the intruder"] = outcome["leaked"]
        for opened in pages:
            owned.run(opened.close())
        owned.close()
        server.stop()


# python-engineio 4.15 answers a polling POST it refuses (a body over `max_http_buffer_size`, or an open,
# ping or noop packet, which only the server sends) by closing the socket and waiting for the close packet
# to be polled, which never comes: Sanic cuts the request after its 60 s response timeout, with a 503. A
# library defect (see the report), left out of the fuzz, which would otherwise only measure that timeout.
LIBRARY_HANG_PACKETS = (b"0", b"2", b"6")


def library_hang(body: bytes) -> bool:
    too_long = len(body) > MAX_PACKET_BYTES
    return too_long or any(part[:1] in LIBRARY_HANG_PACKETS for part in body.split(b"\x1e"))


def raised_in_our_code(record: logging.LogRecord) -> bool:
    """Whether the exception a record logged was raised through our code (bot/), not the libraries'
    decoding of junk, which they log with a traceback and survive."""
    trace = record.exc_info[2] if record.exc_info else None
    while trace is not None:
        if "/bot/" in trace.tb_frame.f_code.co_filename:
            return True
        trace = trace.tb_next
    return False


socketio_events = st.sampled_from(("session_request", "user_uttered"))
socketio_packets = st.builds(
    lambda kind, payload: f"40\x1e4{kind}{payload}".encode(),  # connect to the namespace, then a packet
    st.sampled_from(("0", "1", "2", "3", "4", "5", "6", "9", "")),
    st.one_of(json_values.map(json.dumps), texts),
)


@pytest.mark.reliability(AREA, "socket.io junk events and engine.io packets: no 5xx, no crash, still works")
def test_socketio_junk(monkeypatch: pytest.MonkeyPatch, figures: Figures) -> None:
    untouched_after_the_test(monkeypatch)
    rasa = FakeRasa()
    signer = SessionSigner(WIDGET_SECRET)
    channel = WidgetInput(
        signer=signer, origins=[PAGE_ORIGIN], limits=WidgetLimits(rate_messages=1000, rate_window_s=1)
    )
    server = ServerThread(channel, rasa)
    server.start()
    owned = OwnedLoop()
    pages: list[Browser] = []
    answers: Counter[str] = Counter()
    statuses = Statuses()
    polling = f"{server.url}/socket.io/?EIO=4&transport=polling"
    with LogCapture().installed() as logged, httpx.Client(timeout=5) as http:
        try:
            pages.append(owned.run(Browser(server.url).connect()))
            page = pages[0]
            owned.run(page.session())

            @FUZZ
            @given(event=socketio_events, data=json_values)
            def attempt(event: str, data: Any) -> None:
                owned.run(page.sio.emit(event, data))
                if event == "session_request":  # whatever it holds: a session of this server
                    assert signer.verify(owned.run(page.next("session_confirm"))) is not None
                    answers["session_confirm"] += 1
                else:  # never the page's session id: refused
                    answers[owned.run(page.next("message_refused"))["reason"]] += 1

            attempt()

            @FORGERIES
            @given(request=sent(st.one_of(socketio_packets, raw_bodies)))
            def post_packet(request: Sent) -> None:
                assume(not library_hang(request.body))
                handshake = http.get(polling)
                assert handshake.status_code == 200, handshake.text
                sid = json.loads(handshake.text[1:])["sid"]  # "0{...}": the open packet
                headers = {"Content-Type": request.content_type} if request.content_type else {}
                response = http.post(f"{polling}&sid={sid}", content=request.body, headers=headers)
                assert statuses.record(response) < 500, response.text

            post_packet()
            # A page still talks with the assistant.
            pages.append(owned.run(Browser(server.url).connect()))
            token = owned.run(pages[-1].session())
            owned.run(pages[-1].say("toujours là ?", token))
            assert owned.run(pages[-1].next("bot_uttered")) == {"text": "echo: toujours là ?"}
        finally:
            for opened in pages:
                owned.run(opened.close())
            owned.close()
            server.stop()
            crashes = [
                r.getMessage() for r in logged.records if raised_in_our_code(r) or r.name.startswith("bot")
            ]
            figures["events"] = sum(answers.values())
            figures["answers"] = dict(answers)
            figures["packets"] = statuses.requests
            figures["packet statuses"] = dict(statuses.seen)
            figures["5xx"] = statuses.server_errors
            figures["crashes logged"] = len(crashes)
    assert crashes == []
    assert rasa.messages == [rasa.messages[-1]] and rasa.messages[-1].text == "toujours là ?"
