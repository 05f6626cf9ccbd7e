"""The agent console's pages and JSON API (docs/console-api.md) over ASGI: sign-in, sessions and CSRF, the
queue, and what an agent does with a ticket, checked in the database and in what the (fake) Rasa server
was told for the customer."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot import i18n
from bot.billing.backend import BackendUnavailable
from bot.billing.models import TicketEventKind, TicketStatus
from bot.billing.sql.schema import customers
from bot.channels import delivery
from bot.console.app import CONTENT_SECURITY_POLICY
from bot.console.context import Console
from bot.console.texts import console_text
from bot.redaction import CARD_MASK
from tests.unit.billing.conftest import NOW
from tests.unit.handoff.conftest import MovableClock

from .conftest import PASSWORD, Browser, FakeRasa, OpenBrowser, Team, TicketDesk

pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")

TEST_CARD = "4111 1111 1111 1111"
SUMMARY_KEYS = {
    "reference", "status", "language", "channel", "topic", "topic_label", "summary", "priority",
    "created_at", "waiting_minutes", "assigned_to", "assigned_name", "customer_name", "satisfaction",
}  # fmt: skip
CUSTOMER_KEYS = {"number", "name", "country", "plan", "balance", "overdue", "status"}
ACTIONS = ("claim", "reply", "note", "transfer", "assign", "resolve")


def error_of(response: httpx.Response) -> str:
    return str(response.json().get("error"))


def joined(language: str, first_name: str) -> str:
    return i18n.text(language, "handoff.agent_joined", agent=first_name)


def said_by_agent(event: dict[str, Any]) -> tuple[str, str, str]:
    """(handoff event, agent, text) of a bot event the console appended."""
    assert event["event"] == "bot", event
    marker = event["data"]["custom"]["handoff"]
    return marker["event"], marker["agent"], event["text"]


def stored_texts(rasa: FakeRasa, conversation_id: str) -> list[str]:
    return [str(event.get("text")) for event in rasa.events.get(conversation_id, [])]


def events_of(console: Console, reference: str) -> list[TicketEventKind]:
    return [event.kind for event in console.queue.events(reference)]


# -- without signing in -----------------------------------------------------------------------------------
async def test_nothing_without_signing_in(
    browser: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = new_ticket().reference
    for path in ("/api/me", "/api/queue", f"/api/tickets/{reference}", "/api/events"):
        answer = await browser.get(path)
        assert (answer.status_code, error_of(answer)) == (401, "login_required"), path
    for action in ACTIONS:
        answer = await browser.post(f"/api/tickets/{reference}/{action}", {"text": "x", "to": "joana.agente"})
        assert (answer.status_code, error_of(answer)) == (401, "login_required"), action
    for path in ("/", "/dashboard"):
        page = await browser.get(path)
        assert (page.status_code, page.headers["location"]) == (302, "/login"), path
    logout = await browser.http.post("/logout", data={"csrf_token": "x"})
    assert (logout.status_code, logout.headers["location"]) == (302, "/login")
    assert rasa.calls == [] and console.queue.get(reference).status is TicketStatus.OPEN


async def test_a_made_up_session_cookie_is_no_session(browser: Browser, team: Team) -> None:
    browser.http.cookies.set("console_session", "made-up-token")
    answer = await browser.get("/api/me")
    assert (answer.status_code, error_of(answer)) == (401, "login_required")


# -- signing in --------------------------------------------------------------------------------------------
def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def has_attributes(cookie: str, *attributes: str) -> bool:
    present = {part.strip().lower() for part in cookie.split(";")[1:]}
    return all(attribute.lower() in present for attribute in attributes)


async def test_signing_in_sets_the_session_cookies(browser: Browser, team: Team) -> None:
    form = await browser.http.get("/login")
    login_cookie = set_cookies(form)["console_login_csrf"]
    assert has_attributes(login_cookie, "HttpOnly", "SameSite=Strict", "Path=/")
    signed = await browser.submit_login("camille.agent")
    assert (signed.status_code, signed.headers["location"]) == (302, "/")
    cookies = set_cookies(signed)
    for name in ("console_session", "console_csrf"):
        assert has_attributes(cookies[name], "HttpOnly", "SameSite=Strict", "Path=/"), cookies[name]
        assert not has_attributes(cookies[name], "Secure")  # served over plain HTTP in the tests
        assert "max-age=43200" in cookies[name].lower()  # the 12 hours of the session
    assert "max-age=0" in cookies["console_login_csrf"].lower()  # the form's token is spent
    me = await browser.get("/api/me")
    assert me.json() == {
        "username": "camille.agent",
        "display_name": "Camille Durand",
        "role": "agent",
        "language": "fr",
    }
    page = await browser.get("/")
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert re.search(r'<meta name="csrf-token" content="[^"]{20,}">', page.text)


async def test_usernames_are_not_case_sensitive(browser: Browser, team: Team) -> None:
    signed = await browser.submit_login("  Joana.Agente ")
    assert signed.status_code == 302
    assert (await browser.get("/api/me")).json()["username"] == "joana.agente"


async def test_a_failed_sign_in_shows_one_message_whatever_the_cause(
    open_browser: OpenBrowser, team: Team, console: Console
) -> None:
    console.directory.deactivate(team.joana.id)
    expected = str(escape(console_text("fr", "login.error")))
    bodies = []
    for username, password in (
        ("camille.agent", "wrong password!!"),
        ("nobody.here", PASSWORD),
        ("joana.agente", PASSWORD),  # deactivated
    ):
        browser = await open_browser()
        browser.http.headers["Accept-Language"] = "fr-FR,fr;q=0.9,en;q=0.5"
        failed = await browser.submit_login(username, password)
        assert failed.status_code == 401, username
        assert "console_session" not in set_cookies(failed)
        assert failed.text.count('role="alert"') == 1 and failed.text.count(expected) == 1
        bodies.append(failed.text.replace(username, "USERNAME"))
        assert (await browser.get("/api/me")).status_code == 401
        # the form comes back with a new token for the next try
        assert "console_login_csrf" in set_cookies(failed)
    assert len({re.sub(r'value="[^"]*"', "", body) for body in bodies}) == 1  # nothing tells them apart


async def test_the_sign_in_page_speaks_the_browsers_language(browser: Browser) -> None:
    browser.http.headers["Accept-Language"] = "pt-BR,pt;q=0.9,en;q=0.8"
    form = await browser.http.get("/login")
    assert '<html lang="pt-BR">' in form.text
    assert str(escape(console_text("pt", "login.submit"))) in form.text


async def test_signing_in_needs_the_forms_csrf_token(
    open_browser: OpenBrowser, team: Team, console: Console
) -> None:
    missing = await open_browser()
    await missing.login_form()
    answer = await missing.http.post("/login", data={"username": "camille.agent", "password": PASSWORD})
    assert answer.status_code == 403

    wrong = await open_browser()
    await wrong.login_form()
    answer = await wrong.http.post(
        "/login", data={"username": "camille.agent", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert answer.status_code == 403

    # a token of another browser, without the cookie that goes with it (a cross-site form)
    other_token = await (await open_browser()).login_form()
    no_cookie = await open_browser()
    answer = await no_cookie.http.post(
        "/login", data={"username": "camille.agent", "password": PASSWORD, "csrf_token": other_token}
    )
    assert answer.status_code == 403

    for browser in (missing, wrong, no_cookie):
        assert "console_session" not in browser.http.cookies
        assert (await browser.get("/api/me")).status_code == 401


# -- CSRF and roles ----------------------------------------------------------------------------------------
async def test_api_changes_need_the_sessions_csrf_token(
    camille: Browser, joana: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = new_ticket().reference
    body = {"text": "Bonjour", "to": "joana.agente"}
    for action in ACTIONS:
        path = f"/api/tickets/{reference}/{action}"
        for token in ("", "not-the-token", joana.csrf):
            answer = await camille.post(path, body, csrf=token)
            assert (answer.status_code, error_of(answer)) == (403, "csrf"), (action, token)
    assert rasa.changes() == []
    assert events_of(console, reference) == [TicketEventKind.CREATED]
    assert (await camille.post(f"/api/tickets/{reference}/claim")).status_code == 200  # with it: fine


async def test_assigning_is_for_supervisors(
    camille: Browser, sam: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = new_ticket("conv-1", "pt").reference
    refused = await camille.post(f"/api/tickets/{reference}/assign", {"to": "camille.agent"})
    assert (refused.status_code, error_of(refused)) == (403, "supervisor")
    assert console.queue.get(reference).assigned_agent_id is None and rasa.changes() == []

    assigned = await sam.post(f"/api/tickets/{reference}/assign", {"to": "joana.agente"})
    assert assigned.status_code == 200
    assert assigned.json()["ticket"]["assigned_to"] == "joana.agente"
    pause, notice = rasa.appended("conv-1")
    assert said_by_agent(notice) == ("agent_joined", "Joana", joined("pt", "Joana"))
    assert pause == {"event": "pause"}

    unknown = await sam.post(f"/api/tickets/{reference}/assign", {"to": "nobody.here"})
    assert (unknown.status_code, error_of(unknown)) == (404, "agent")
    again = await sam.post(f"/api/tickets/{reference}/assign", {"to": "joana.agente"})
    assert (again.status_code, error_of(again)) == (409, "already_assigned")


async def test_the_dashboard_is_for_supervisors(camille: Browser, sam: Browser) -> None:
    page = await camille.get("/dashboard")
    assert (page.status_code, page.headers["location"]) == (302, "/")
    page = await sam.get("/dashboard")
    assert page.status_code == 200 and '<html lang="en">' in page.text


# -- sessions end ------------------------------------------------------------------------------------------
async def test_a_session_ends_after_30_idle_minutes(
    camille: Browser, console: Console, clock: MovableClock
) -> None:
    clock.advance(minutes=29)
    assert (await camille.get("/api/me")).status_code == 200  # and the idle timer starts again
    clock.advance(minutes=29)
    assert (await camille.get("/api/queue")).status_code == 200
    clock.advance(minutes=31)
    answer = await camille.get("/api/me")
    assert (answer.status_code, error_of(answer)) == (401, "login_required")
    page = await camille.get("/")
    assert (page.status_code, page.headers["location"]) == (302, "/login")


async def test_a_session_ends_12_hours_after_signing_in_however_busy(
    camille: Browser, clock: MovableClock
) -> None:
    for _ in range(29):  # 29 × 24 min = 11 h 36 of work
        clock.advance(minutes=24)
        assert (await camille.get("/api/me")).status_code == 200
    clock.advance(minutes=24)  # 12 h
    assert (await camille.get("/api/me")).status_code == 401


async def test_signing_out_ends_the_session(
    camille: Browser, open_browser: OpenBrowser, console: Console
) -> None:
    old_cookie = camille.http.cookies.get("console_session")
    assert old_cookie
    refused = await camille.http.post("/logout")  # no CSRF field
    assert refused.status_code == 403
    refused = await camille.http.post("/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert (await camille.get("/api/me")).status_code == 200  # still signed in

    out = await camille.http.post("/logout", data={"csrf_token": camille.csrf})
    assert (out.status_code, out.headers["location"]) == (302, "/login")
    cookies = set_cookies(out)
    assert (
        "max-age=0" in cookies["console_session"].lower() and "max-age=0" in cookies["console_csrf"].lower()
    )
    assert (await camille.get("/api/me")).status_code == 401

    replay = await open_browser()  # the old cookie, kept by someone
    replay.http.cookies.set("console_session", old_cookie)
    answer = await replay.get("/api/me")
    assert (answer.status_code, error_of(answer)) == (401, "login_required")


# -- the queue ---------------------------------------------------------------------------------------------
async def test_the_queue(
    camille: Browser, sam: Browser, new_ticket: TicketDesk, clock: MovableClock, console: Console, team: Team
) -> None:
    first = new_ticket("conv-1", "fr")
    clock.advance(minutes=7)
    second = new_ticket("conv-2", "pt")
    clock.advance(minutes=1)
    handled = new_ticket("conv-3", "fr")
    console.queue.claim(handled.reference, team.joana)
    clock.advance(minutes=2, seconds=30)

    queue = (await camille.get("/api/queue")).json()
    assert [t["reference"] for t in queue["waiting"]] == [first.reference, second.reference]  # oldest first
    assert [t["waiting_minutes"] for t in queue["waiting"]] == [10, 3]
    assert queue["mine"] == []
    summary = queue["waiting"][0]
    assert set(summary) == SUMMARY_KEYS
    assert summary == {
        "reference": first.reference,
        "status": "open",
        "language": "fr",
        "channel": "socketio",
        "topic": "customer_request",
        "topic_label": "Demande du client",  # in Camille's console language
        "summary": "Je ne comprends pas ma facture",
        "priority": "normal",
        "created_at": NOW.isoformat(),
        "waiting_minutes": 10,
        "assigned_to": None,
        "assigned_name": None,
        "customer_name": None,
        "satisfaction": None,
    }
    assert queue["agents"] == [
        {"username": "camille.agent", "display_name": "Camille Durand", "role": "agent"},
        {"username": "joana.agente", "display_name": "Joana Silva", "role": "agent"},
        {"username": "sam.supervisor", "display_name": "Sam Taylor", "role": "supervisor"},
    ]

    assert (await camille.post(f"/api/tickets/{first.reference}/claim")).status_code == 200
    queue = (await camille.get("/api/queue")).json()
    assert [t["reference"] for t in queue["waiting"]] == [second.reference]
    [mine] = queue["mine"]
    assert (mine["reference"], mine["status"], mine["assigned_to"], mine["assigned_name"]) == (
        first.reference,
        "in_progress",
        "camille.agent",
        "Camille Durand",
    )
    supervised = (await sam.get("/api/queue")).json()
    assert {t["reference"] for t in supervised["mine"]} == {first.reference, handled.reference}
    assert supervised["waiting"][0]["topic_label"] == "Customer request"

    console.directory.deactivate(team.joana.id)
    agents = (await camille.get("/api/queue")).json()["agents"]
    assert [agent["username"] for agent in agents] == ["camille.agent", "sam.supervisor"]


# -- claiming ----------------------------------------------------------------------------------------------
async def test_claiming_tells_the_customer_and_pauses_the_bot(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    reference = new_ticket("conv-1", "fr").reference
    claimed = await camille.post(f"/api/tickets/{reference}/claim")
    assert claimed.status_code == 200
    assert set(claimed.json()["ticket"]) == SUMMARY_KEYS and "warning" not in claimed.json()
    assert claimed.json()["ticket"]["status"] == "in_progress"
    ticket = console.queue.get(reference)
    assert (ticket.status, ticket.assigned_agent_id) == (TicketStatus.IN_PROGRESS, team.camille.id)

    # paused first, on its own: a notice the channel refuses must not leave the bot talking
    pausing, telling = rasa.changes()
    for call in (pausing, telling):
        assert (call.method, call.path) == ("POST", "/conversations/conv-1/tracker/events")
        assert call.query == {
            "output_channel": "latest",
            "execute_side_effects": "true",
            "token": "rasa-test-token",
        }
    [pause], [notice] = pausing.body, telling.body
    assert said_by_agent(notice) == (
        "agent_joined",
        "Camille",
        "Camille, de notre service client, a rejoint la conversation et prend le relais.",
    )
    assert pause == {"event": "pause"}


async def test_the_customer_is_told_in_their_own_language(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa
) -> None:
    reference = new_ticket("whatsapp:+5511999990000", "pt").reference
    assert (await camille.post(f"/api/tickets/{reference}/claim")).status_code == 200
    _, notice = rasa.appended("whatsapp:+5511999990000")
    assert notice["text"] == (
        "Camille, da nossa equipe de atendimento, entrou na conversa e vai continuar o seu atendimento."
    )
    assert rasa.changes()[0].path == "/conversations/whatsapp:+5511999990000/tracker/events"


async def test_a_ticket_goes_to_the_first_agent_who_claims_it(
    camille: Browser, joana: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    reference = new_ticket().reference
    assert (await camille.post(f"/api/tickets/{reference}/claim")).status_code == 200
    told = len(rasa.changes())
    late = await joana.post(f"/api/tickets/{reference}/claim")
    assert (late.status_code, error_of(late)) == (409, "ticket_taken")
    assert console.queue.get(reference).assigned_agent_id == team.camille.id
    assert len(rasa.changes()) == told  # the customer is not told twice
    unknown = await joana.post("/api/tickets/TK-ZZZZZZ/claim")
    assert (unknown.status_code, error_of(unknown)) == (404, "ticket")


async def test_a_claim_stands_when_the_customer_cannot_be_told(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    rasa.failure = 503
    reference = new_ticket().reference
    claimed = await camille.post(f"/api/tickets/{reference}/claim")
    assert claimed.status_code == 200 and claimed.json()["warning"] == "delivery_failed"
    assert console.queue.get(reference).status is TicketStatus.IN_PROGRESS


# -- replying, notes ---------------------------------------------------------------------------------------
async def claimed_by(
    browser: Browser, new_ticket: TicketDesk, conversation: str = "conv-1", language: str = "fr"
) -> str:
    reference = new_ticket(conversation, language).reference
    answer = await browser.post(f"/api/tickets/{reference}/claim")
    assert answer.status_code == 200, answer.text
    return reference


async def test_the_assignees_reply_reaches_the_customer(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = await claimed_by(camille, new_ticket)
    mark = len(rasa.calls)
    text = "Bonjour, je regarde votre facture de mars : un instant s'il vous plaît."
    answer = await camille.post(f"/api/tickets/{reference}/reply", {"text": text})
    assert (answer.status_code, answer.json()) == (200, {"ok": True})
    [call] = rasa.changes(mark)
    assert call.path == "/conversations/conv-1/tracker/events"
    assert call.query["output_channel"] == "latest" and call.query["execute_side_effects"] == "true"
    [message] = call.body
    assert said_by_agent(message) == ("agent_message", "Camille", text)
    assert events_of(console, reference)[-1] is TicketEventKind.REPLY


async def test_only_the_assignee_replies(
    camille: Browser, joana: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = await claimed_by(camille, new_ticket)
    mark = len(rasa.calls)
    answer = await joana.post(f"/api/tickets/{reference}/reply", {"text": "Olá!"})
    assert (answer.status_code, error_of(answer)) == (409, "not_assignee")
    waiting = new_ticket("conv-2").reference
    answer = await camille.post(f"/api/tickets/{waiting}/reply", {"text": "Bonjour"})
    assert (answer.status_code, error_of(answer)) == (409, "ticket_not_claimed")
    assert rasa.changes(mark) == []
    assert TicketEventKind.REPLY not in events_of(console, reference)


async def test_replies_that_are_not_text(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = await claimed_by(camille, new_ticket)
    mark = len(rasa.calls)
    path = f"/api/tickets/{reference}/reply"
    for body in (None, {}, {"text": 42}, {"message": "Bonjour"}, ["Bonjour"]):
        answer = await camille.post(path, body)
        assert (answer.status_code, error_of(answer)) == (400, "bad_request"), body
    answer = await camille.post(path, {"text": "   "})
    assert (answer.status_code, error_of(answer)) == (409, "empty_text")
    answer = await camille.post(path, {"text": "x" * 4001})
    assert (answer.status_code, error_of(answer)) == (409, "text_too_long")
    assert rasa.changes(mark) == []
    assert TicketEventKind.REPLY not in events_of(console, reference)


@pytest.mark.parametrize("failure", [503, "unreachable"])
async def test_a_reply_rasa_cannot_take_is_a_delivery_failure(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, failure: int | str
) -> None:
    reference = await claimed_by(camille, new_ticket)
    rasa.failure = failure
    answer = await camille.post(f"/api/tickets/{reference}/reply", {"text": "Bonjour"})
    assert (answer.status_code, error_of(answer)) == (502, "delivery_failed")


async def test_an_undelivered_reply_is_not_recorded_as_sent(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = await claimed_by(camille, new_ticket)
    rasa.failure = 503
    answer = await camille.post(f"/api/tickets/{reference}/reply", {"text": "Bonjour"})
    assert answer.status_code == 502
    assert TicketEventKind.REPLY not in events_of(console, reference)


async def test_notes_stay_in_the_console(
    camille: Browser, joana: Browser, new_ticket: TicketDesk, rasa: FakeRasa, clock: MovableClock
) -> None:
    reference = await claimed_by(camille, new_ticket)
    mark = len(rasa.calls)
    clock.advance(minutes=3)
    answer = await joana.post(f"/api/tickets/{reference}/note", {"text": "Client déjà appelé hier."})
    assert (answer.status_code, answer.json()) == (200, {"ok": True})  # any agent may add one
    answer = await camille.post(f"/api/tickets/{reference}/note", {"text": "  "})
    assert (answer.status_code, error_of(answer)) == (409, "empty_text")
    detail = (await camille.get(f"/api/tickets/{reference}")).json()
    assert detail["notes"] == [
        {"author": "joana.agente", "text": "Client déjà appelé hier.", "at": clock.now.isoformat()}
    ]
    assert rasa.changes(mark) == []
    assert all("Client déjà appelé" not in str(event) for events in rasa.events.values() for event in events)


# -- transfer, resolve -------------------------------------------------------------------------------------
async def test_a_transfer_gives_the_ticket_to_the_other_agent_who_is_introduced(
    camille: Browser, joana: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console, team: Team
) -> None:
    reference = await claimed_by(camille, new_ticket, "conv-1", "fr")
    mark = len(rasa.calls)
    moved = await camille.post(f"/api/tickets/{reference}/transfer", {"to": "joana.agente"})
    assert moved.status_code == 200
    assert (moved.json()["ticket"]["assigned_to"], moved.json()["ticket"]["assigned_name"]) == (
        "joana.agente",
        "Joana Silva",
    )
    assert console.queue.get(reference).assigned_agent_id == team.joana.id
    pause, notice = rasa.appended("conv-1", mark)
    assert said_by_agent(notice) == ("agent_joined", "Joana", joined("fr", "Joana"))
    assert pause == {"event": "pause"}

    answer = await camille.post(f"/api/tickets/{reference}/reply", {"text": "Encore moi"})
    assert (answer.status_code, error_of(answer)) == (409, "not_assignee")
    answer = await camille.post(f"/api/tickets/{reference}/transfer", {"to": "camille.agent"})
    assert (answer.status_code, error_of(answer)) == (409, "not_assignee")
    answer = await joana.post(f"/api/tickets/{reference}/transfer", {"to": "nobody.here"})
    assert (answer.status_code, error_of(answer)) == (404, "agent")
    answer = await joana.post(f"/api/tickets/{reference}/transfer", {})
    assert (answer.status_code, error_of(answer)) == (400, "bad_request")


async def test_resolving_hands_the_conversation_back_to_the_bot(
    camille: Browser, joana: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = await claimed_by(camille, new_ticket)
    mark = len(rasa.calls)
    refused = await joana.post(f"/api/tickets/{reference}/resolve")
    assert (refused.status_code, error_of(refused)) == (409, "not_assignee")
    assert rasa.changes(mark) == []

    resolved = await camille.post(f"/api/tickets/{reference}/resolve")
    assert resolved.status_code == 200 and "warning" not in resolved.json()
    assert resolved.json()["ticket"]["status"] == "resolved"
    assert console.queue.get(reference).status is TicketStatus.RESOLVED
    leave, resuming, listen = [call for call in rasa.changes(mark) if call.what == "POST tracker/events"]
    [execute] = [call for call in rasa.changes(mark) if call.what == "POST execute"]
    assert [call.what for call in rasa.changes(mark)] == [
        "POST tracker/events",
        "POST tracker/events",
        "POST execute",
        "POST tracker/events",
    ]
    [notice], [resume] = leave.body, resuming.body
    assert said_by_agent(notice) == ("agent_left", "Camille", "Camille a quitté la conversation.")
    assert resume == {"event": "resume"}
    assert execute.path == "/conversations/conv-1/execute"
    assert execute.body == {"name": "action_handoff_resolved"}
    assert execute.query["output_channel"] == "latest"
    assert listen.body == [{"event": "action", "name": "action_listen"}]

    again = await camille.post(f"/api/tickets/{reference}/resolve")
    assert (again.status_code, error_of(again)) == (409, "ticket_closed")


async def test_a_reply_the_channel_refuses_is_explained_and_not_recorded(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    """WhatsApp after 24 hours without a template: the agent is told why, nothing is recorded."""
    reference = await claimed_by(camille, new_ticket, "whatsapp-+33612345678", "fr")
    rasa.channel_refuses = delivery.WINDOW_CLOSED
    mark = len(rasa.calls)
    answer = await camille.post(f"/api/tickets/{reference}/reply", {"text": "Bonjour, je reviens vers vous"})
    assert (answer.status_code, error_of(answer)) == (409, "whatsapp_window_closed")
    assert rasa.appended("whatsapp-+33612345678", mark)  # asked...
    assert "Bonjour, je reviens vers vous" not in stored_texts(rasa, "whatsapp-+33612345678")  # ...not kept
    assert TicketEventKind.REPLY not in events_of(console, reference)

    rasa.channel_refuses = delivery.UNREACHABLE
    answer = await camille.post(f"/api/tickets/{reference}/reply", {"text": "Bonjour"})
    assert (answer.status_code, error_of(answer)) == (502, "channel_unreachable")


async def test_a_claim_the_customer_cannot_be_told_of_still_pauses_the_bot(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = new_ticket("whatsapp-+5511999990000", "pt").reference
    rasa.channel_refuses = delivery.WINDOW_CLOSED
    claimed = await camille.post(f"/api/tickets/{reference}/claim")
    assert claimed.status_code == 200 and claimed.json()["warning"] == "whatsapp_window_closed"
    assert [event["event"] for event in rasa.events["whatsapp-+5511999990000"]] == ["pause"]

    resolved = await camille.post(f"/api/tickets/{reference}/resolve")
    assert resolved.status_code == 200 and resolved.json()["warning"] == "whatsapp_window_closed"
    assert console.queue.get(reference).status is TicketStatus.RESOLVED
    assert [event["event"] for event in rasa.events["whatsapp-+5511999990000"]][:2] == ["pause", "resume"]
    assert any(call.what == "POST execute" for call in rasa.changes())


async def test_resolving_when_rasa_is_down_still_resolves_with_a_warning(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa, console: Console
) -> None:
    reference = await claimed_by(camille, new_ticket)
    rasa.failure = "unreachable"
    resolved = await camille.post(f"/api/tickets/{reference}/resolve")
    assert resolved.status_code == 200 and resolved.json()["warning"] == "delivery_failed"
    assert console.queue.get(reference).status is TicketStatus.RESOLVED
    assert [call.what for call in rasa.calls[-1:]] == ["POST tracker/events"]  # no resolution action run


# -- one ticket --------------------------------------------------------------------------------------------
async def test_a_ticket_with_its_conversation_masked(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa
) -> None:
    rasa.customer_says("conv-1", "Bonjour")
    rasa.bot_says("conv-1", "Bonjour ! Que puis-je faire pour vous ?")
    rasa.add("conv-1", {"event": "action", "name": "action_listen"})
    rasa.add("conv-1", {"event": "slot", "name": "language", "value": "fr"})
    rasa.customer_says("conv-1", f"ma carte {TEST_CARD} est refusée")
    reference = await claimed_by(camille, new_ticket)
    assert (await camille.post(f"/api/tickets/{reference}/reply", {"text": "Je regarde."})).status_code == 200

    answer = await camille.get(f"/api/tickets/{reference}")
    assert answer.status_code == 200
    detail = answer.json()
    assert set(detail) == {"ticket", "transcript", "notes", "customer", "canned"}
    assert set(detail["ticket"]) == SUMMARY_KEYS and detail["ticket"]["reference"] == reference
    transcript = detail["transcript"]
    assert [(m["from"], m["text"]) for m in transcript] == [
        ("customer", "Bonjour"),
        ("bot", "Bonjour ! Que puis-je faire pour vous ?"),
        ("customer", f"ma carte {CARD_MASK} est refusée"),
        ("system", joined("fr", "Camille")),
        ("agent", "Je regarde."),
    ]
    assert transcript[-1]["agent_name"] == "Camille" and transcript[-2]["agent_name"] == "Camille"
    assert transcript[0]["at"] == "2026-03-11T10:30:01+00:00"  # the tracker's timestamp, in UTC
    assert "4111" not in answer.text
    assert detail["notes"] == [] and detail["customer"] is None
    assert detail["canned"] and all(set(item) == {"title", "text"} for item in detail["canned"])
    assert detail["canned"][0]["title"] == "Salutation"  # the customer's language


async def test_a_ticket_whose_conversation_rasa_cannot_give(
    camille: Browser, new_ticket: TicketDesk, rasa: FakeRasa
) -> None:
    reference = new_ticket().reference
    rasa.failure = 503
    answer = await camille.get(f"/api/tickets/{reference}")
    assert answer.status_code == 200 and answer.json()["transcript"] == []


async def test_the_customer_summary_of_a_verified_customers_ticket(
    camille: Browser, sam: Browser, new_ticket: TicketDesk, console_db: Engine
) -> None:
    with console_db.connect() as conn:
        customer_id = conn.execute(select(customers.c.id).where(customers.c.number == "482130")).scalar_one()
    reference = new_ticket("conv-1", "fr", customer_id=customer_id).reference

    detail = (await camille.get(f"/api/tickets/{reference}")).json()
    customer = detail["customer"]
    assert set(customer) == CUSTOMER_KEYS
    assert (customer["number"], customer["name"], customer["country"]) == ("482130", "Camille Martin", "FR")
    assert customer["plan"] and customer["status"] == "Actif"
    assert re.fullmatch(r"-?\d[\d\u202f\u00a0]*,\d\d\u00a0€", customer["balance"]), customer["balance"]
    assert detail["ticket"]["customer_name"] == "Camille Martin"

    in_english = (await sam.get(f"/api/tickets/{reference}")).json()["customer"]
    assert in_english["status"] == "Active"
    assert re.fullmatch(r"-?€\d[\d,]*\.\d\d", in_english["balance"]), in_english["balance"]

    anonymous = new_ticket("conv-2", "fr").reference
    detail = (await camille.get(f"/api/tickets/{anonymous}")).json()
    assert detail["customer"] is None and detail["ticket"]["customer_name"] is None


@pytest.mark.parametrize("reference", ["TK-ZZZZZZ", "nope", "TK-"])
async def test_an_unknown_ticket(camille: Browser, reference: str) -> None:
    answer = await camille.get(f"/api/tickets/{reference}")
    assert (answer.status_code, error_of(answer)) == (404, "ticket")
    for action in ("claim", "resolve"):
        answer = await camille.post(f"/api/tickets/{reference}/{action}")
        assert (answer.status_code, error_of(answer)) == (404, "ticket"), action


async def test_a_deactivated_agents_session_ends(camille: Browser, console: Console, team: Team) -> None:
    console.directory.deactivate(team.camille.id)
    answer = await camille.get("/api/me")
    assert (answer.status_code, error_of(answer)) == (401, "login_required")


async def test_a_supervisor_resolving_names_the_agent_the_customer_talked_to(
    camille: Browser, sam: Browser, new_ticket: TicketDesk, rasa: FakeRasa
) -> None:
    reference = await claimed_by(camille, new_ticket)
    mark = len(rasa.calls)
    resolved = await sam.post(f"/api/tickets/{reference}/resolve")
    assert resolved.status_code == 200
    leave = next(call for call in rasa.changes(mark) if call.what == "POST tracker/events")
    assert said_by_agent(leave.body[0])[:2] == ("agent_left", "Camille")


async def test_a_body_that_is_not_json_is_a_bad_request(camille: Browser, new_ticket: TicketDesk) -> None:
    reference = await claimed_by(camille, new_ticket)
    answer = await camille.http.post(
        f"/api/tickets/{reference}/reply",
        content=b"{",
        headers={"X-CSRF-Token": camille.csrf, "Content-Type": "application/json"},
    )
    assert (answer.status_code, error_of(answer)) == (400, "bad_request")


async def test_a_database_failure_is_unavailable(
    camille: Browser,
    new_ticket: TicketDesk,
    console: Console,
    rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = new_ticket().reference

    def unavailable(*_: object) -> None:
        raise BackendUnavailable("could not connect to server")

    monkeypatch.setattr(console.queue, "claim", unavailable)
    answer = await camille.post(f"/api/tickets/{reference}/claim")
    assert (answer.status_code, error_of(answer)) == (503, "unavailable")
    assert rasa.changes() == []


# -- headers -----------------------------------------------------------------------------------------------
async def test_every_response_carries_the_security_headers(
    browser: Browser, camille: Browser, new_ticket: TicketDesk
) -> None:
    reference = new_ticket().reference
    responses = [
        await browser.get("/login"),
        await camille.get("/"),
        await camille.get("/api/queue"),
        await camille.get(f"/api/tickets/{reference}"),
        await camille.get("/api/tickets/TK-ZZZZZZ"),
        await camille.post(f"/api/tickets/{reference}/claim"),
        await browser.get("/api/me"),
        await browser.get("/static/console.js"),
        await browser.get("/health"),
        await browser.get("/nowhere"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404, 200, 401, 200, 200, 404]
    for response in responses:
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, response.url
        assert response.headers["cache-control"] == "no-store", response.url
        assert response.headers["x-frame-options"] == "DENY", response.url
        assert response.headers["referrer-policy"] == "no-referrer", response.url
