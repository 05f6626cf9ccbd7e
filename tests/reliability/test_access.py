"""Access control, driven through the running servers of the production configuration: identity
verification under brute force, one customer asking for another's invoice, ticket or account, the
portal's links without a valid token, the agent console without a session, the Rasa HTTP API and the
REST channel without their tokens.

Every refusal is checked next to a control that succeeds (the right answer once the lock is over, the
customer's own invoice or ticket, a signed link, a signed-in agent, the right token), so that a refusal
cannot pass just because the request never worked."""

from __future__ import annotations

import ast
import base64
import importlib.util
import json
import re
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import delete, select, update

from bot.billing.invoice_links import PURPOSE as INVOICE_LINK_PURPOSE
from bot.billing.invoice_links import InvoiceLinkSubject, invoice_token
from bot.billing.links import sign_link
from bot.billing.models import VerificationOutcome
from bot.billing.policy import SecurityPolicy
from bot.billing.sql import verification
from bot.billing.sql.schema import verification_attempts
from bot.billing.sql.verification import number_hash
from bot.console.app import create_console_app
from bot.console.auth import CSRF_COOKIE, SESSION_COOKIE
from bot.console.serve import build_console
from bot.settings import Settings
from tests.conversation.console_server import TICKET_REFERENCE
from tests.conversation.replies import expected
from tests.reliability.console_agent import ConsoleAgent, signed_in
from tests.reliability.report import Figures
from tests.stack import Assistant, Stack, running_portal

SECURITY = SecurityPolicy()  # the backend's: the production stack configures no other


@dataclass(frozen=True)
class Customer:
    number: str
    postal_code: str
    language: str


# A asks for B's things. Other rows lock their own customers (brute force), not these.
CUSTOMER_A = Customer("517204", "69003", "fr")  # Julien: invoices, an overdue one (a card payment link)
CUSTOMER_B = Customer("482130", "75011", "fr")  # Camille
LOCKED_IN_ONE_CONVERSATION = Customer("300918", "13008", "fr")  # Sophie
LOCKED_ACROSS_CONVERSATIONS = Customer("386215", "40010-000", "pt")  # Beatriz
FIRST_MESSAGE = {"fr": "quel est mon solde ?", "pt": "qual é o meu saldo?"}


# -- talking to the assistant -----------------------------------------------------------------------
def said_after(assistant: Assistant, sender: str, text: str) -> list[str]:
    """The response names the bot used for this message."""
    before = len(assistant.utterances(sender))
    assistant.texts(sender, text)
    return assistant.utterances(sender)[before:]


def verify(assistant: Assistant, sender: str, customer: Customer) -> None:
    assistant.texts(sender, FIRST_MESSAGE[customer.language])
    assistant.texts(sender, customer.number)
    assistant.texts(sender, customer.postal_code)
    assert assistant.tracker(sender)["slots"]["verified"] is True, assistant.utterances(sender)


def bot_output(assistant: Assistant, sender: str) -> str:
    """Everything the bot sent in the conversation (texts, buttons, attachments), as JSON; not the
    timestamps, whose digits could hold a customer number by chance."""
    events = [e for e in assistant.tracker(sender)["events"] if e["event"] == "bot"]
    return json.dumps([{"text": e.get("text"), "data": e.get("data")} for e in events], ensure_ascii=False)


def customer_markers(assistant: Assistant, customer: Customer) -> list[str]:
    """What would show that this customer's data was given away: name, e-mail, street, customer number,
    postal code and every invoice reference."""
    customer_id = assistant.customer_id(customer.number)
    found = assistant.backend.get_customer(customer_id)
    address = assistant.backend.billing_address(customer_id)
    invoices = assistant.backend.list_invoices(customer_id, 24)
    assert invoices, "the customer should have invoices to protect"
    markers = [found.name, found.email, address.street, found.number, customer.postal_code]
    return markers + [invoice.reference for invoice in invoices]


def leaked(markers: list[str], text: str) -> list[str]:
    folded = text.casefold()
    return [marker for marker in markers if marker.casefold() in folded]


@dataclass(frozen=True)
class OtherTicket:
    """Customer B's ticket, opened in B's verified conversation after a message only B wrote."""

    reference: str
    conversation_id: str
    canary: str  # B's own words: in the transcript that the console and the HTTP API would show


@pytest.fixture(scope="module")
def stack(production_stack: Stack) -> Stack:
    return production_stack


@pytest.fixture(scope="module")
def other_ticket(stack: Stack) -> OtherTicket:
    assistant = stack.assistant
    sender = f"rel-b-{secrets.token_hex(6)}"
    canary = f"colis {secrets.token_hex(5)}"
    verify(assistant, sender, CUSTOMER_B)
    assistant.texts(sender, f"j'ai reçu un courrier avec le code {canary}, c'est normal ?")
    replies = assistant.texts(sender, "je veux parler à un conseiller")
    found = [match.group(0) for text in replies if (match := TICKET_REFERENCE.search(text))]
    assert found, replies
    return OtherTicket(found[0], sender, canary)


# -- Identity verification under brute force -----------------------------------------------------------
@contextmanager
def no_verification_lock(stack: Stack, customer: Customer) -> Iterator[None]:
    """The customer starts without failures and is left without a lock (other rows may use them)."""
    key = verification_attempts.c.number_hash == number_hash(customer.number)
    with stack.assistant.engine.begin() as conn:
        conn.execute(delete(verification_attempts).where(key))
    try:
        yield
    finally:
        with stack.assistant.engine.begin() as conn:
            conn.execute(delete(verification_attempts).where(key))


def locked_until(stack: Stack, customer: Customer) -> datetime | None:
    key = verification_attempts.c.number_hash == number_hash(customer.number)
    with stack.assistant.engine.connect() as conn:
        value = conn.execute(select(verification_attempts.c.locked_until).where(key)).scalar_one_or_none()
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def end_lock_now(stack: Stack, customer: Customer) -> None:
    """As if the lock period were over."""
    key = verification_attempts.c.number_hash == number_hash(customer.number)
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    with stack.assistant.engine.begin() as conn:
        conn.execute(update(verification_attempts).where(key).values(locked_until=past))


def wrong_postal_code(customer: Customer, attempt: int) -> str:
    """A well-formed postal code of the customer's country that is not theirs."""
    code = f"940{attempt:02d}" if customer.language == "fr" else f"99{attempt:03d}-000"
    assert code != customer.postal_code
    return code


LOCKED = ["utter_verification_locked", "utter_offer_human"]
GUESSES = 3 * SECURITY.max_verification_failures  # the loop's bound: a lock that never comes fails


def locked_replies(lang: str) -> list[str]:
    return [expected(name, lang) for name in LOCKED]


def guesses_until_locked(
    assistant: Assistant, customer: Customer, lang: str, conversation_for: Callable[[int], str]
) -> int | None:
    """Wrong postal codes, each in `conversation_for(attempt)` (opened with the first message when new),
    until the lock answers; every other answer must count the attempts left down. None: never locked."""
    opened: set[str] = set()
    for attempt in range(1, GUESSES + 1):
        conversation = conversation_for(attempt)
        if conversation not in opened:
            opened.add(conversation)
            assistant.texts(conversation, FIRST_MESSAGE[lang])
        assistant.texts(conversation, customer.number)
        replies = assistant.texts(conversation, wrong_postal_code(customer, attempt))
        if replies == locked_replies(lang):
            return attempt
        left = SECURITY.max_verification_failures - attempt
        assert replies[0] == expected("utter_verification_failed", lang, attempts_left=left), replies
    return None


@pytest.mark.reliability("Access", "verification brute force in one conversation locks out")
def test_verification_brute_force_locks_out(stack: Stack, sender: str, figures: Figures) -> None:
    assistant, customer, lang = stack.assistant, LOCKED_IN_ONE_CONVERSATION, "fr"
    with no_verification_lock(stack, customer):
        wrong = guesses_until_locked(assistant, customer, lang, lambda _: sender)
        figures["wrong answers until locked"] = wrong
        assert wrong == SECURITY.max_verification_failures
        until = locked_until(stack, customer)
        assert until is not None
        minutes = (until - datetime.now(timezone.utc)).total_seconds() / 60
        figures["lock period"] = f"{round(minutes)} min"
        assert SECURITY.lock_minutes - 1 < minutes <= SECURITY.lock_minutes

        # The right answer, in the same conversation and in a new one, is refused while locked.
        right = f"mon numéro client est {customer.number} et mon code postal {customer.postal_code}"
        assert said_after(assistant, sender, right) == LOCKED
        fresh = f"{sender}-2"
        assistant.texts(fresh, FIRST_MESSAGE[lang])
        assistant.texts(fresh, customer.number)
        assert assistant.texts(fresh, customer.postal_code) == locked_replies(lang)
        assert not assistant.tracker(sender)["slots"]["verified"]
        assert not assistant.tracker(fresh)["slots"]["verified"]
        figures["right answer while locked"] = "refused (same and new conversation)"

        # Control: once the lock period is over, the same right answer verifies.
        end_lock_now(stack, customer)
        after = f"{sender}-3"
        assistant.texts(after, FIRST_MESSAGE[lang])
        assistant.texts(after, customer.number)
        assistant.texts(after, customer.postal_code)
        assert assistant.tracker(after)["slots"]["verified"] is True
        figures["after the lock period"] = "verified"


@pytest.mark.reliability("Access", "verification brute force from new conversations locks out")
def test_brute_force_from_new_conversations_locks_out(stack: Stack, sender: str, figures: Figures) -> None:
    """Starting a new conversation for every guess does not reset the count: it is kept per customer
    number in the billing database."""
    assistant, customer, lang = stack.assistant, LOCKED_ACROSS_CONVERSATIONS, "pt"
    with no_verification_lock(stack, customer):
        wrong = guesses_until_locked(assistant, customer, lang, lambda attempt: f"{sender}-{attempt}")
        figures["conversations until locked"] = wrong
        assert wrong == SECURITY.max_verification_failures

        last = f"{sender}-right"
        assistant.texts(last, FIRST_MESSAGE[lang])
        assistant.texts(last, customer.number)
        assert assistant.texts(last, customer.postal_code) == locked_replies(lang)
        assert not assistant.tracker(last)["slots"]["verified"]
        figures["right answer while locked"] = "refused"


LOCKED_IN_PARALLEL = Customer("159372", "1100-148", "pt")  # João
IN_FLIGHT_WAIT_S = 2.0  # how long a second guess is given to be judged while the first is in flight


@pytest.mark.reliability("Access", "parallel verification guesses are judged one at a time")
def test_parallel_guesses_are_judged_one_at_a_time(stack: Stack, figures: Figures) -> None:
    """On the production billing database (PostgreSQL), a guess is not judged while another guess on the
    same customer number is still in flight: otherwise a burst of guesses sent at once (several action
    server workers) would all be judged against a count of zero, and the limit would not hold."""
    assistant, customer = stack.assistant, LOCKED_IN_PARALLEL
    now = datetime.now(timezone.utc)
    with no_verification_lock(stack, customer), ThreadPoolExecutor(max_workers=1) as pool:
        with assistant.engine.connect() as held, held.begin():  # committed (or rolled back) on leaving
            wrong = wrong_postal_code(customer, 1)
            first = verification.verify(held, customer.number, wrong, now, SECURITY)  # judged, in flight
            assert first.outcome is VerificationOutcome.FAILED
            right = pool.submit(assistant.backend.verify_identity, customer.number, customer.postal_code, now)
            try:
                right.result(timeout=IN_FLIGHT_WAIT_S)
                judged_meanwhile = True
            except FutureTimeout:
                judged_meanwhile = False
        outcome = right.result(timeout=60)
    assert not judged_meanwhile, "a guess was judged while another one on the same number was in flight"
    assert outcome.outcome is VerificationOutcome.VERIFIED  # then judged, after one counted failure
    figures["second guess"] = f"waited for the first (over {IN_FLIGHT_WAIT_S:g} s), then judged"


# -- One customer asking for another's things -----------------------------------------------------------
@pytest.mark.reliability("Access", "another customer's invoice by reference is refused")
def test_another_customers_invoice_is_refused(stack: Stack, sender: str, figures: Figures) -> None:
    assistant = stack.assistant
    theirs = [i.reference for i in assistant.backend.list_invoices(assistant.customer_id(CUSTOMER_B.number))]
    mine = assistant.backend.list_invoices(assistant.customer_id(CUSTOMER_A.number))[0].reference
    markers = customer_markers(assistant, CUSTOMER_B)
    verify(assistant, sender, CUSTOMER_A)

    asked = said_after(assistant, sender, f"je voudrais une copie de la facture {theirs[0]}")
    assert "utter_invoice_not_found" in asked and "utter_invoice_link" not in asked, asked
    answered = said_after(assistant, sender, f"la facture {theirs[1]} alors")  # an answer to the flow
    assert "utter_invoice_not_found" in answered and "utter_invoice_link" not in answered, answered
    # Control: the customer's own invoice by reference is found, so the references were understood.
    assert "utter_invoice_link" in said_after(assistant, sender, f"et la {mine} ?")

    assert leaked(markers, bot_output(assistant, sender)) == []
    figures["references of B tried"] = 2
    figures["refused"] = 2
    figures["B's data in replies"] = 0


@pytest.mark.reliability("Access", "another customer's ticket by reference is refused")
def test_another_customers_ticket_is_refused(
    stack: Stack, sender: str, other_ticket: OtherTicket, figures: Figures
) -> None:
    assistant = stack.assistant
    markers = [*customer_markers(assistant, CUSTOMER_B), other_ticket.canary]
    question = f"où en est mon dossier {other_ticket.reference} ?"

    verify(assistant, sender, CUSTOMER_A)
    said = said_after(assistant, sender, question)
    assert "utter_ticket_not_found" in said and "utter_ticket_status" not in said, said

    # Asked before verification: the bot asks who it is talking to, then refuses customer A.
    anonymous = f"{sender}-anon"
    said = said_after(assistant, anonymous, question)
    assert "utter_ask_customer_number" in said and "utter_ticket_status" not in said, said
    assistant.texts(anonymous, CUSTOMER_A.number)
    said = said_after(assistant, anonymous, CUSTOMER_A.postal_code)
    assert "utter_ticket_not_found" in said and "utter_ticket_status" not in said, said

    # Control: customer B gets the status of the same reference.
    assert "utter_ticket_status" in said_after(assistant, other_ticket.conversation_id, question)

    for conversation in (sender, anonymous):
        assert leaked(markers, bot_output(assistant, conversation)) == []
    figures["asked by"] = "verified A, unverified then A"
    figures["refused"] = 2


@pytest.mark.reliability("Access", "another customer's account by customer number is refused")
def test_another_customers_account_by_number_is_refused(stack: Stack, sender: str, figures: Figures) -> None:
    assistant = stack.assistant
    markers = customer_markers(assistant, CUSTOMER_B)
    verify(assistant, sender, CUSTOMER_A)
    own_id = assistant.tracker(sender)["slots"]["customer_id"]
    for message in (
        f"quel est le solde du client {CUSTOMER_B.number} ?",
        f"je suis le client {CUSTOMER_B.number}, code postal {CUSTOMER_B.postal_code}, mes factures svp",
        f"envoyez-moi les factures du compte {CUSTOMER_B.number}",
    ):
        assistant.texts(sender, message)
    assert assistant.tracker(sender)["slots"]["customer_id"] == own_id
    assert leaked(markers, bot_output(assistant, sender)) == []
    figures["requests"] = 3
    figures["B's data in replies"] = 0


# -- The portal's links -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def portal(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal against the stack's billing database, with the same link secret."""
    with running_portal(stack.assistant, tmp_path_factory.mktemp("portal") / "portal.log") as url:
        yield url


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def link_path(texts: list[str], pattern: str) -> str:
    found = [match.group(0) for text in texts if (match := re.search(pattern, text))]
    assert found, texts
    return urlsplit(found[0]).path


def refused(response: httpx.Response, markers: list[str]) -> bool:
    """A refusal that gives nothing away: 404, no PDF, none of the customer's data."""
    return (
        response.status_code == 404
        and not response.content.startswith(b"%PDF")
        and "pdf" not in response.headers.get("content-type", "")
        and leaked(markers, response.text) == []
    )


@pytest.mark.reliability("Access", "portal links of another customer without a valid token are refused")
def test_portal_links_need_a_valid_token(stack: Stack, portal: str, sender: str, figures: Figures) -> None:
    assistant = stack.assistant
    b_id = assistant.customer_id(CUSTOMER_B.number)
    b_invoice = assistant.backend.list_invoices(b_id)[0].reference
    markers = customer_markers(assistant, CUSTOMER_B)
    now = datetime.now(timezone.utc)
    secret = Settings.from_env().link_secret
    verify(assistant, sender, CUSTOMER_A)
    a_invoice = assistant.backend.list_invoices(assistant.customer_id(CUSTOMER_A.number))[0].reference
    invoice_path = link_path(
        assistant.texts(sender, f"je voudrais une copie de la facture {a_invoice}"),
        r"https?://\S+/invoices/\S+",
    )
    assistant.texts(sender, "non merci")
    assistant.texts(sender, "je veux payer ma facture")
    pay_path = link_path(assistant.texts(sender, "tout"), r"https?://\S+/pay/[A-Z0-9-]+")

    def get(path: str) -> httpx.Response:
        return httpx.get(f"{portal}{path}", timeout=30)

    # Controls: A's own links from the conversation, and a link for B signed with the real secret.
    assert get(invoice_path).content.startswith(b"%PDF")
    assert get(pay_path).status_code == 200
    subject_b = InvoiceLinkSubject(b_id, b_invoice, "fr")
    assert (
        get(f"/invoices/{invoice_token(secret, subject_b, now + timedelta(minutes=5))}.pdf").status_code
        == 200
    )
    valid_method_link = assistant.backend.create_payment_method_link(b_id, now).url
    assert get(urlsplit(valid_method_link).path).status_code == 200

    # A's signed token with B's customer and invoice put in it (the signature no longer matches).
    payload, mac = invoice_path.removeprefix("/invoices/").removesuffix(".pdf").split(".")
    expiry, _, _ = unb64(payload).decode().partition(":")
    tampered = b64(f"{expiry}:{subject_b.encode()}".encode()) + "." + mac
    expired_method_link = assistant.backend.create_payment_method_link(
        b_id, now - timedelta(minutes=SECURITY.payment_method_link_minutes + 1)
    ).url
    forged = {
        "invoice, A's token altered for B": f"/invoices/{tampered}.pdf",
        "invoice, signed with another secret": "/invoices/"
        + sign_link("not-the-secret", INVOICE_LINK_PURPOSE, subject_b.encode(), now + timedelta(hours=1))
        + ".pdf",
        "invoice, expired token": f"/invoices/{invoice_token(secret, subject_b, now - timedelta(seconds=5))}"
        + ".pdf",
        "invoice, no token (reference)": f"/invoices/{b_invoice}.pdf",
        "invoice, no token (customer id)": f"/invoices/{b_id}.pdf",
        "invoice, another purpose's token": "/invoices/"
        + sign_link(secret, "payment_method", subject_b.encode(), now + timedelta(hours=1))
        + ".pdf",
        "payment method, guessed token": f"/secure/payment-method/{secrets.token_urlsafe(32)}",
        "payment method, customer number": f"/secure/payment-method/{CUSTOMER_B.number}",
        "payment method, expired link": urlsplit(expired_method_link).path,
        "payment method, no token": "/secure/payment-method/",
        "card payment, guessed reference": "/pay/PG-"
        + "".join(secrets.choice("23456789ABCDEFGH") for _ in range(6)),
        "card payment, invoice reference": f"/pay/{b_invoice}",
    }
    answered = {name: get(path) for name, path in forged.items()}
    opened = [name for name, response in answered.items() if not refused(response, markers)]
    assert opened == [], {name: answered[name].status_code for name in opened}
    figures["forged links"] = len(forged)
    figures["refused (404)"] = len(forged) - len(opened)


# -- The agent console ------------------------------------------------------------------------------
PUBLIC_CONSOLE_ROUTES = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/health"),
    ("GET", "/static/<name:str>"),
}


def console_routes() -> list[tuple[str, str]]:
    """(method, path) of every route the console application declares (built, not served)."""
    app = create_console_app(build_console(Settings.from_env()), name=f"routes_{secrets.token_hex(4)}")
    return sorted({(method, "/" + route.path) for route in app.router.routes for method in route.methods})


def console_refusal(response: httpx.Response) -> bool:
    """401/403, or a redirect to the sign-in page."""
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and urlsplit(location).path == "/login"


@pytest.mark.reliability("Access", "agent console without login shows nothing")
def test_console_without_login_shows_nothing(
    stack: Stack, console: ConsoleAgent, other_ticket: OtherTicket, figures: Figures
) -> None:
    routes = [route for route in console_routes() if route not in PUBLIC_CONSOLE_ROUTES]
    paths = {path for _, path in routes}
    assert {"/", "/dashboard", "/api/queue", "/api/tickets/<reference:str>", "/api/events"} <= paths, paths
    markers = [*customer_markers(stack.assistant, CUSTOMER_B), other_ticket.canary, other_ticket.reference]

    # Control: a signed-in agent reads the conversation; then the same session, signed out.
    with signed_in(console) as client:
        shown = client.get(f"/api/tickets/{other_ticket.reference}")
        assert shown.status_code == 200 and other_ticket.canary in shown.text
        ended_session = client.cookies[SESSION_COOKIE]
        csrf = client.cookies.get(CSRF_COOKIE) or ""
        assert client.post("/logout", data={"csrf_token": csrf}).status_code in (302, 303)

    credentials = {
        "no cookie": {},
        "forged session": {SESSION_COOKIE: secrets.token_urlsafe(32)},
        "signed-out session": {SESSION_COOKIE: ended_session},
    }
    opened: list[str] = []
    for method, path in routes:
        url = console.url + path.replace("<reference:str>", other_ticket.reference)
        for label, cookies in credentials.items():
            with httpx.Client(cookies=cookies, timeout=15) as client:
                body = {"text": "hello", "to": "sam.supervisor"} if method == "POST" else None
                response = client.request(method, url, json=body)
            if not console_refusal(response) or leaked(markers, response.text):
                opened.append(f"{method} {path} ({label}): {response.status_code}")
    public = httpx.get(f"{console.url}/login", timeout=15)
    assert leaked(markers, public.text) == []
    assert opened == []
    figures["routes"] = len(routes)
    figures["requests refused"] = len(routes) * len(credentials)
    figures["as"] = "no cookie, forged, signed out"


# -- The Rasa HTTP API and the REST channel --------------------------------------------------------------
def rasa_protected_routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the installed Rasa's HTTP API that requires its token: read from
    rasa/server.py (`@app.<method>(path)` with `@requires_auth`), without importing Rasa."""
    spec = importlib.util.find_spec("rasa")
    assert spec is not None and spec.origin is not None
    tree = ast.parse((Path(spec.origin).parent / "server.py").read_text("utf-8"))
    routes: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        calls = [d for d in node.decorator_list if isinstance(d, ast.Call)]
        names = {d.func.id for d in calls if isinstance(d.func, ast.Name)}
        for decorator in calls:
            func = decorator.func
            if (
                "requires_auth" in names
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "app"
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
            ):
                routes.append((func.attr.upper(), str(decorator.args[0].value)))
    return sorted(routes)


@pytest.mark.reliability("Access", "Rasa HTTP API without its token answers 401")
def test_rasa_http_api_needs_its_token(stack: Stack, other_ticket: OtherTicket, figures: Figures) -> None:
    assistant = stack.assistant
    routes = rasa_protected_routes()
    paths = {path for _, path in routes}
    conversation_routes = {
        "/conversations/<conversation_id:path>/tracker",
        "/conversations/<conversation_id:path>/tracker/events",
        "/conversations/<conversation_id:path>/messages",
        "/conversations/<conversation_id:path>/execute",
        "/conversations/<conversation_id:path>/story",
    }
    assert conversation_routes <= paths, paths
    tracker_url = f"{assistant.base_url}/conversations/{other_ticket.conversation_id}/tracker"
    # Control: with the token, the tracker holds the conversation.
    assert other_ticket.canary in httpx.get(tracker_url, params={"token": assistant.token}, timeout=30).text

    credentials: dict[str, dict[str, Any]] = {
        "no token": {},
        "wrong token": {"params": {"token": secrets.token_urlsafe(16)}},
        "REST channel's token": {"params": {"token": assistant.rest_token}},
        "wrong bearer": {"headers": {"Authorization": f"Bearer {secrets.token_urlsafe(16)}"}},
    }
    # What each call would do to B's conversation if it were carried out.
    intruder_text = f"intrus {secrets.token_hex(5)}"
    bodies: dict[str, Any] = {
        "/tracker/events": [{"event": "pause"}],
        "/messages": {"text": intruder_text, "sender": "user"},
        "/execute": {"name": "utter_greet"},
        "/trigger_intent": {"name": "greet"},
    }
    opened: list[str] = []
    for method, path in routes:
        url = assistant.base_url + path.replace("<conversation_id:path>", other_ticket.conversation_id)
        body: Any = next((b for suffix, b in bodies.items() if path.endswith(suffix)), {})
        for label, options in credentials.items():
            response = httpx.request(method, url, json=body, timeout=30, **options)
            if response.status_code != 401 or other_ticket.canary in response.text:
                opened.append(f"{method} {path} ({label}): {response.status_code}")
    assert opened == []
    tracker = httpx.get(tracker_url, params={"token": assistant.token}, timeout=30).json()
    assert not tracker["paused"] and intruder_text not in json.dumps(tracker)  # nothing was carried out
    assert other_ticket.canary in json.dumps(tracker, ensure_ascii=False)  # nor the events replaced
    figures["routes"] = len(routes)
    figures["requests answered 401"] = len(routes) * len(credentials)


@pytest.mark.reliability("Access", "REST channel without its token answers 401")
def test_rest_channel_needs_its_token(stack: Stack, sender: str, figures: Figures) -> None:
    assistant = stack.assistant
    url = f"{assistant.base_url}/webhooks/rest/webhook"
    payload = {"sender": sender, "message": "quel est mon solde ?"}
    attempts: dict[str, dict[str, str]] = {
        "no token": {},
        "wrong token": {"Authorization": f"Bearer {secrets.token_urlsafe(16)}"},
        "HTTP API's token": {"Authorization": f"Bearer {assistant.token}"},
        "token without Bearer": {"Authorization": assistant.rest_token},
        "empty bearer": {"Authorization": "Bearer"},
    }
    statuses = {
        label: httpx.post(url, json=payload, headers=headers, timeout=30)
        for label, headers in attempts.items()
    }
    assert {label: r.status_code for label, r in statuses.items()} == {label: 401 for label in attempts}
    assert not any(r.json() and isinstance(r.json(), list) for r in statuses.values())
    query = httpx.post(url, json=payload, params={"token": assistant.rest_token}, timeout=30)
    assert query.status_code == 401  # the token goes in the header only: URLs end up in logs
    user_events = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert user_events == []  # none of them reached the conversation
    # Control: the right token is answered.
    assert assistant.texts(sender, payload["message"]) == [
        expected("utter_verification_needed", "fr"),
        expected("utter_ask_customer_number", "fr"),
    ]
    figures["requests refused"] = len(attempts) + 1
