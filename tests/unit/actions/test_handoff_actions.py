"""The customer's side of the handoff (actions/handoff.py, actions/session.py): the ticket and what happens
next, calling it off, the bot taking the conversation back with a 1–5 rating, and the session start that
keeps a conversation an agent handles paused. On SQLite and PostgreSQL, with the demo data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.engine import Engine

import actions.flow as flow_module
import actions.handoff as handoff_module
import actions.session as session_module
from actions.flow import FLOW, STEP, VALUES
from actions.handoff import ActionCancelHandoff, ActionHandoffResolved, wait_text
from actions.session import ActionSessionStart
from bot.billing.backend import BackendUnavailable
from bot.billing.models import Ticket, TicketStatus
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import tickets
from bot.handoff.agents import AGENT, Agent, AgentDirectory
from bot.handoff.conversations import ConversationLog
from bot.handoff.queue import TicketQueue
from bot.handoff.waiting import WaitEstimate
from bot.redaction import CARD_MASK
from tests.conversation.replies import expected
from tests.unit.actions.conftest import NOW, TODAY, Chat, all_actions
from tests.unit.handoff.conftest import PASSWORD, MovableClock, recorded_sessions

ALWAYS_OPEN = "1-7 00:00-24:00"
TEST_CARD = "4111 1111 1111 1111"
Messages = list[dict[str, Any]]
DISPATCHER_FIELDS = ("text", "buttons", "elements", "custom", "template", "response", "image", "attachment")


def extra_actions() -> dict[str, Action]:
    more = (ActionCancelHandoff(), ActionHandoffResolved(), ActionSessionStart())
    return {**all_actions(), **{action.name(): action for action in more}}


@dataclass
class Desk:
    """The support team's side, on the test database: the queue, the agents and the clock the actions
    read."""

    engine: Engine
    queue: TicketQueue
    directory: AgentDirectory
    clock: MovableClock

    def agent(self, username: str = "camille.agent", name: str = "Camille Durand") -> Agent:
        found = self.directory.find_agent(username)
        return found or self.directory.create_agent(username, name, PASSWORD, AGENT, "fr")

    def ticket_of(self, sender_id: str) -> Ticket:
        found = self.queue.for_conversation(sender_id, tuple(TicketStatus))
        assert found is not None, f"no ticket for {sender_id}"
        return found

    def tickets_of(self, sender_id: str) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(tickets).where(tickets.c.conversation_id == sender_id)))


@pytest.fixture
def desk(
    seeded: Engine,
    backend: SqlBillingBackend,
    monkeypatch: pytest.MonkeyPatch,
) -> Desk:
    clock = MovableClock(NOW)
    monkeypatch.setattr(flow_module, "backend", lambda: backend)
    monkeypatch.setattr(flow_module, "today", lambda: TODAY)
    monkeypatch.setattr(flow_module, "now", clock)
    desk = Desk(seeded, TicketQueue(seeded, clock), AgentDirectory(seeded, clock), clock)
    config = SimpleNamespace(timezone="Europe/Paris", handoff_minutes_per_ticket=5)
    monkeypatch.setattr(handoff_module, "ticket_queue", lambda: desk.queue)
    monkeypatch.setattr(handoff_module, "agent_directory", lambda: desk.directory)
    monkeypatch.setattr(handoff_module, "backend", lambda: backend)
    monkeypatch.setattr(handoff_module, "now", clock)
    monkeypatch.setattr(handoff_module, "settings", lambda: config)
    monkeypatch.setattr(session_module, "ticket_queue", lambda: desk.queue)
    monkeypatch.setattr(session_module, "conversation_log", lambda: ConversationLog(seeded, clock))
    monkeypatch.setattr(session_module, "now", clock)
    monkeypatch.setenv("SUPPORT_HOURS", ALWAYS_OPEN)
    for name in ("SUPPORT_PHONE_FR", "SUPPORT_EMAIL_FR", "SUPPORT_PHONE_BR", "SUPPORT_EMAIL_BR"):
        monkeypatch.delenv(name, raising=False)
    return desk


def talk(language: str = "fr", sender_id: str = "test", customer_id: int | None = None) -> Chat:
    return Chat(customer_id, language, actions=extra_actions(), sender_id=sender_id)


def responses(messages: Messages) -> list[str]:
    return [message.get("response") or "" for message in messages]


def said(messages: Messages, response: str) -> dict[str, Any]:
    found = [message for message in messages if message.get("response") == response]
    assert found, f"{response} not in {responses(messages)}"
    return found[-1]


def text_of(message: dict[str, Any], language: str) -> str:
    """The message as the customer reads it: its response rendered with the action's parameters."""
    params = {key: value for key, value in message.items() if key not in DISPATCHER_FIELDS}
    return expected(message["response"], language, **params)


def ask_for_a_person(chat: Chat, text: str = "je veux parler à un conseiller") -> Messages:
    return chat.say("request_human", text)


def hand_off(chat: Chat, text: str = "je veux parler à un conseiller") -> str:
    """The reference of the ticket the customer is given on asking for a person."""
    return str(said(ask_for_a_person(chat, text), "utter_handoff_created")["reference"])


def console_runs(chat: Chat, action: str) -> Messages:
    """What Rasa does on the console's `POST /conversations/<id>/execute`: the action runs by itself, not
    after a message of the customer."""
    _, messages = chat._run(action, {"text": "", "intent": {}, "entities": []})
    return messages


# -- the handoff ----------------------------------------------------------------------------------------
def test_in_opening_hours_the_customer_gets_the_reference_the_place_and_the_wait(desk: Desk) -> None:
    messages = ask_for_a_person(talk("fr"))
    assert responses(messages) == ["utter_handoff_created", "utter_handoff_queue"]
    ticket = desk.ticket_of("test")
    assert said(messages, "utter_handoff_created")["reference"] == ticket.reference
    queue_message = said(messages, "utter_handoff_queue")
    assert (queue_message["position"], queue_message["wait"]) == (1, "environ 5 minutes")
    assert "n° 1 dans la file d'attente, pour une attente estimée à environ 5 minutes." in text_of(
        queue_message, "fr"
    )
    assert ticket.status is TicketStatus.OPEN and ticket.assigned_agent_id is None


@pytest.mark.parametrize(
    ("waits", "told"),
    [
        ((18, 22, 40), "cerca de 25 minutos"),  # 22 minutes typically, rounded up to 5
        ((250,), "mais de 4 horas"),  # past the cap: "more than"
    ],
)
def test_the_wait_told_is_never_shorter_than_the_typical_wait_of_the_last_days(
    desk: Desk, waits: tuple[int, ...], told: str
) -> None:
    agent = desk.agent()
    for minutes in waits:  # the earlier tickets, each claimed after that many minutes
        earlier = talk("fr", sender_id=f"earlier-{minutes}")
        hand_off(earlier)
        desk.clock.advance(minutes=minutes)
        desk.queue.claim(desk.ticket_of(earlier.sender_id).reference, agent)
    messages = ask_for_a_person(talk("pt", sender_id="now"), "quero falar com um atendente")
    queue_message = said(messages, "utter_handoff_queue")
    assert (queue_message["position"], queue_message["wait"]) == (1, told)


def test_a_second_conversation_is_second_in_the_queue(desk: Desk) -> None:
    ask_for_a_person(talk("fr", sender_id="first"))
    desk.clock.advance(minutes=1)
    messages = ask_for_a_person(talk("pt", sender_id="second"), "quero falar com um atendente")
    queue_message = said(messages, "utter_handoff_queue")
    assert (queue_message["position"], queue_message["wait"]) == (2, "cerca de 10 minutos")
    second = desk.ticket_of("second")
    assert said(messages, "utter_handoff_created")["reference"] == second.reference
    assert second.reference != desk.ticket_of("first").reference and second.language == "pt"


def test_out_of_hours_the_customer_is_told_when_the_team_is_back(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORT_HOURS", "1-1 00:00-00:01")  # NOW is a Wednesday, 11:30 in Paris
    messages = ask_for_a_person(talk("fr"))
    assert responses(messages) == ["utter_handoff_created", "utter_handoff_out_of_hours"]
    out_of_hours = said(messages, "utter_handoff_out_of_hours")
    assert out_of_hours["reopens"] == "lundi 16 mars à 00:00"
    assert "elle sera de retour lundi 16 mars à 00:00." in text_of(out_of_hours, "fr")
    assert desk.ticket_of("test").status is TicketStatus.OPEN  # recorded all the same


def test_opening_hours_are_read_in_the_teams_time_zone(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    # 10:30 UTC is in the Wednesday block, 11:30 in Paris is not: closed until Thursday.
    monkeypatch.setenv("SUPPORT_HOURS", "3 10:00-11:00;4 09:00-18:00")
    messages = ask_for_a_person(talk("pt", sender_id="pt"), "quero falar com um atendente")
    assert responses(messages) == ["utter_handoff_created", "utter_handoff_out_of_hours"]
    out_of_hours = said(messages, "utter_handoff_out_of_hours")
    assert "ela volta quinta-feira, 12 de março às 09:00." in text_of(out_of_hours, "pt")


def test_the_ticket_keeps_the_conversation_the_customers_words_and_the_transcript_redacted(
    desk: Desk,
) -> None:
    chat = talk("fr", sender_id="socketio-abc")
    chat.events.extend(
        [
            {"event": "user", "text": "bonjour"},
            {"event": "bot", "text": "Bonjour, que puis-je faire pour vous ?"},
        ]
    )
    ask_for_a_person(chat, f"ma carte {TEST_CARD} est refusée, je veux un conseiller")
    [row] = desk.tickets_of("socketio-abc")  # the ticket of this conversation
    assert row.summary == f"bonjour / ma carte {CARD_MASK} est refusée, je veux un conseiller"
    assert list(row.transcript) == [
        "customer: bonjour",
        "bot: Bonjour, que puis-je faire pour vous ?",
        f"customer: ma carte {CARD_MASK} est refusée, je veux un conseiller",
    ]
    assert (row.customer_id, row.topic, row.priority, row.language) == (
        None,
        "customer_request",
        "normal",
        "fr",
    )


def test_a_verified_customers_ticket_names_the_customer(desk: Desk, ids: dict[str, int]) -> None:
    customer = ids["482130"]
    messages = ask_for_a_person(talk("fr", customer_id=customer))
    assert responses(messages) == ["utter_handoff_created", "utter_handoff_queue"]
    assert desk.ticket_of("test").customer_id == customer


def test_a_locked_identification_is_the_topic_and_makes_the_ticket_urgent(desk: Desk) -> None:
    chat = talk("pt")
    chat.slots["verification_locked"] = True
    hand_off(chat, "sim, quero um atendente")
    [row] = desk.tickets_of("test")
    assert (row.topic, row.priority, row.customer_id) == ("verification_locked", "high", None)


def test_asking_again_gives_the_same_ticket(desk: Desk) -> None:
    chat = talk("fr")
    first = hand_off(chat)
    again = ask_for_a_person(chat, "alors, ce conseiller ?")
    assert responses(again) == ["utter_handoff_already_open", "utter_handoff_queue"]
    assert said(again, "utter_handoff_already_open")["reference"] == first
    assert said(again, "utter_handoff_queue")["position"] == 1
    assert len(desk.tickets_of("test")) == 1

    desk.queue.claim(first, desk.agent())  # with an agent: no queue to tell about
    assert responses(ask_for_a_person(chat, "allô ?")) == ["utter_handoff_already_open"]
    assert len(desk.tickets_of("test")) == 1


def test_a_new_ticket_once_the_previous_one_is_closed(desk: Desk) -> None:
    chat = talk("fr")
    first = hand_off(chat)
    desk.queue.cancel(first)
    second = hand_off(chat)
    assert second != first and len(desk.tickets_of("test")) == 2


def test_without_the_database_the_customer_gets_the_phone_and_email(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Down:
        def __getattr__(self, name: str) -> Callable[..., Any]:
            def unavailable(*_: Any, **__: Any) -> Any:
                raise BackendUnavailable("database down")

            return unavailable

    monkeypatch.setattr(handoff_module, "backend", Down)
    messages = ask_for_a_person(talk("fr"))
    assert responses(messages) == ["utter_handoff_unavailable"]
    unavailable = said(messages, "utter_handoff_unavailable")
    assert (unavailable["phone"], unavailable["email"]) == ("+33 1 84 88 00 00", "facturation@example.fr")

    monkeypatch.setattr(handoff_module, "ticket_queue", Down)  # the queue is down too
    messages = ask_for_a_person(talk("pt"), "quero falar com um atendente")
    assert responses(messages) == ["utter_handoff_unavailable"]
    unavailable = said(messages, "utter_handoff_unavailable")
    assert (unavailable["phone"], unavailable["email"]) == ("+55 11 4003-0000", "financeiro@example.com.br")


@pytest.mark.parametrize(
    ("estimate", "language", "text"),
    [
        (WaitEstimate(5, False), "fr", "environ 5 minutes"),
        (WaitEstimate(65, False), "fr", "environ 1 h 05"),
        (WaitEstimate(120, False), "pt", "cerca de 2 h 00"),
        (WaitEstimate(240, True), "fr", "plus de 4 heures"),
        (WaitEstimate(240, True), "pt", "mais de 4 horas"),
    ],
)
def test_wait_texts(estimate: WaitEstimate, language: str, text: str) -> None:
    assert wait_text(estimate, language) == text


# -- calling it off ---------------------------------------------------------------------------------------
def test_cancelling_a_waiting_ticket(desk: Desk) -> None:
    chat = talk("fr")
    reference = hand_off(chat)
    messages = chat.say("cancel_handoff", "finalement c'est bon")
    assert responses(messages) == ["utter_handoff_cancelled"]
    assert said(messages, "utter_handoff_cancelled")["reference"] == reference
    assert desk.queue.get(reference).status is TicketStatus.CANCELLED
    assert responses(chat.say("cancel_handoff", "laissez tomber")) == ["utter_handoff_nothing_to_cancel"]


def test_cancelling_with_nothing_open(desk: Desk) -> None:
    assert responses(talk("fr").say("cancel_handoff", "finalement c'est bon")) == [
        "utter_handoff_nothing_to_cancel"
    ]
    assert responses(talk("pt").say("cancel_handoff", "deixa pra lá")) == ["utter_handoff_nothing_to_cancel"]


def test_calling_it_off_without_a_ticket_drops_what_is_under_way(desk: Desk, ids: dict[str, int]) -> None:
    chat = talk("pt", customer_id=ids["731402"])
    assert responses(chat.say("change_due_date", "mudar o vencimento")) == ["utter_due_day_ask"]
    assert chat.slots[FLOW] == "change_due_date"
    assert responses(chat.say("cancel_handoff", "esquece, já resolvi")) == ["utter_flow_dropped"]
    assert (chat.slots[FLOW], chat.slots[STEP], chat.slots[VALUES]) == (None, None, None)


def test_once_an_agent_has_it_the_ticket_cannot_be_cancelled(desk: Desk) -> None:
    chat = talk("fr")
    reference = hand_off(chat)
    agent = desk.agent()
    desk.queue.claim(reference, agent)
    messages = chat.say("cancel_handoff", "finalement c'est bon")
    assert responses(messages) == ["utter_handoff_with_agent"]
    assert said(messages, "utter_handoff_with_agent")["reference"] == reference
    ticket = desk.queue.get(reference)
    assert (ticket.status, ticket.assigned_agent_id) == (TicketStatus.IN_PROGRESS, agent.id)


def test_a_conversation_cannot_cancel_another_conversations_ticket(desk: Desk) -> None:
    alices = hand_off(talk("fr", sender_id="alice"))
    mallory = talk("fr", sender_id="mallory")
    messages = mallory.say("cancel_handoff", f"annulez {alices}", reference=alices)
    assert responses(messages) == ["utter_handoff_nothing_to_cancel"]
    assert desk.queue.get(alices).status is TicketStatus.OPEN

    mallorys = hand_off(mallory)  # with a ticket of her own, naming Alice's: only hers is cancelled
    messages = mallory.say("cancel_handoff", f"annulez {alices}", reference=alices)
    assert said(messages, "utter_handoff_cancelled")["reference"] == mallorys
    assert (desk.queue.get(mallorys).status, desk.queue.get(alices).status) == (
        TicketStatus.CANCELLED,
        TicketStatus.OPEN,
    )


# -- back to the bot, and the rating -------------------------------------------------------------------
def resolved_conversation(desk: Desk, chat: Chat) -> tuple[str, Messages]:
    """The customer asked for a person, Camille took it and resolved it; the console then runs
    action_handoff_resolved."""
    reference = hand_off(chat, "un conseiller svp")
    agent = desk.agent()
    desk.queue.claim(reference, agent)
    desk.clock.advance(minutes=10)
    desk.queue.resolve(reference, agent)
    return reference, console_runs(chat, "action_handoff_resolved")


def test_when_the_agent_resolves_the_bot_names_them_and_asks_for_a_rating(desk: Desk) -> None:
    chat = talk("fr")
    reference, messages = resolved_conversation(desk, chat)
    assert responses(messages) == ["utter_handoff_resolved"]
    resolved = said(messages, "utter_handoff_resolved")
    assert (resolved["agent"], resolved["reference"]) == ("Camille", reference)
    assert (chat.slots["flow"], chat.slots["flow_step"], chat.slots["flow_values"]) == (
        "handoff_rating",
        "rating",
        {"ticket": reference},
    )


def test_the_rating_button(desk: Desk) -> None:
    chat = talk("fr")
    reference, _ = resolved_conversation(desk, chat)
    messages = chat.say("inform", '/inform{"choice": "4"}', choice="4")
    assert responses(messages) == ["utter_rating_thanks"]
    assert desk.queue.get(reference).satisfaction == 4
    assert chat.slots["flow"] is None and chat.slots["flow_step"] is None


@pytest.mark.parametrize(
    ("language", "text", "score", "answer"),
    [
        ("fr", "2/5", 2, "utter_rating_sorry"),
        ("fr", "je dirais 1 sur 5", 1, "utter_rating_sorry"),
        ("fr", "⭐⭐⭐", 3, "utter_rating_thanks"),
        ("fr", "cinq", 5, "utter_rating_thanks"),
        ("pt", "ótimo", 5, "utter_rating_thanks"),
        ("pt", "nota 4 de 5", 4, "utter_rating_thanks"),
    ],
)
def test_typed_ratings(desk: Desk, language: str, text: str, score: int, answer: str) -> None:
    chat = talk(language)
    reference, _ = resolved_conversation(desk, chat)
    assert responses(chat.say("inform", text)) == [answer]
    assert desk.queue.get(reference).satisfaction == score


def test_a_rating_the_nlu_did_not_understand_still_counts(desk: Desk) -> None:
    chat = talk("fr")
    reference, _ = resolved_conversation(desk, chat)
    assert responses(chat.say_unsure("★★", best="greet", confidence=0.2)) == ["utter_rating_sorry"]
    assert desk.queue.get(reference).satisfaction == 2


def test_an_unrelated_answer_gets_the_question_again(desk: Desk) -> None:
    chat = talk("fr")
    reference, _ = resolved_conversation(desk, chat)
    messages = chat.say("inform", "il fait beau aujourd'hui")
    assert responses(messages) == ["utter_flow_not_an_answer", "utter_rating_ask_again"]
    assert desk.queue.get(reference).satisfaction is None
    assert (chat.slots["flow"], chat.slots["flow_step"]) == ("handoff_rating", "rating")
    assert responses(chat.say("inform", "5")) == ["utter_rating_thanks"]
    assert desk.queue.get(reference).satisfaction == 5


def test_no_thanks_drops_the_rating(desk: Desk) -> None:
    chat = talk("fr")
    reference, _ = resolved_conversation(desk, chat)
    assert responses(chat.say("deny", "non merci")) == ["utter_flow_dropped"]
    assert chat.slots["flow"] is None
    assert desk.queue.get(reference).satisfaction is None


def test_without_a_resolved_ticket_the_bot_just_offers_more_help(desk: Desk, ids: dict[str, int]) -> None:
    chat = talk("pt", customer_id=ids["731402"])
    chat.say("change_due_date", "mudar o vencimento")
    assert chat.slots[FLOW] == "change_due_date"
    assert responses(console_runs(chat, "action_handoff_resolved")) == ["utter_anything_else"]
    assert (chat.slots[FLOW], chat.slots[STEP], chat.slots[VALUES]) == (None, None, None)


# -- the session start -------------------------------------------------------------------------------
def start_session(
    sender_id: str, events: list[dict[str, Any]] | None = None, metadata: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    tracker = Tracker(
        sender_id=sender_id,
        slots={"language": "fr", "session_started_metadata": metadata},
        latest_message={},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )
    return list(asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, {})))


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [f"{event['event']}:{event['name']}" if event.get("name") else event["event"] for event in events]


def test_a_session_start_is_rasas_and_is_recorded(desk: Desk) -> None:
    events = start_session("web-1", [{"event": "user", "text": "bonjour", "input_channel": "socketio"}])
    assert kinds(events) == ["session_started", "action:action_listen"]
    desk.clock.advance(minutes=3)
    assert kinds(start_session("web-2")) == ["session_started", "action:action_listen"]
    assert recorded_sessions(desk.engine) == [
        ("web-1", "socketio", "fr", NOW),
        ("web-2", "unknown", "fr", desk.clock()),
    ]


@pytest.mark.parametrize(
    ("metadata", "hint"),
    [({"language": "pt-BR"}, "pt"), ({"language": "fr"}, "fr"), ({"language": "en"}, None), (None, None)],
)
def test_the_channels_language_hint_of_the_first_message_is_kept(
    desk: Desk, metadata: dict[str, Any] | None, hint: str | None
) -> None:
    """Also for a session opened by an intent payload (Telegram's /start, a button), which the NLU,
    where the hint is otherwise read, never sees."""
    events = start_session("telegram-1", metadata=metadata)
    set_slots = [(event["name"], event["value"]) for event in events if event["event"] == "slot"]
    assert set_slots == ([("channel_language", hint)] if hint else [])


def test_a_conversation_an_agent_handles_stays_paused_in_a_new_session(desk: Desk) -> None:
    chat = talk("fr", sender_id="web-1")
    reference = hand_off(chat)
    assert kinds(start_session("web-1")) == ["session_started", "action:action_listen"]  # still waiting
    desk.queue.claim(reference, desk.agent())
    assert kinds(start_session("web-1")) == ["session_started", "pause", "action:action_listen"]
    assert kinds(start_session("web-2")) == ["session_started", "action:action_listen"]
    desk.queue.resolve(reference, desk.agent())
    assert kinds(start_session("web-1")) == ["session_started", "action:action_listen"]


@pytest.mark.parametrize("down", ["conversation_log", "ticket_queue"])
def test_the_session_starts_even_without_the_database(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, down: str
) -> None:
    def unavailable() -> Any:
        raise BackendUnavailable("database down")

    monkeypatch.setattr(session_module, down, unavailable)
    assert kinds(start_session("web-1")) == ["session_started", "action:action_listen"]


def test_an_unreadable_agent_still_gets_the_customer_asked_for_a_rating(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> Any:
        raise BackendUnavailable("database down")

    chat = talk("fr")
    reference = hand_off(chat, "un conseiller svp")
    desk.queue.claim(reference, desk.agent())
    desk.queue.resolve(reference, desk.agent())
    monkeypatch.setattr(handoff_module, "agent_directory", unavailable)
    resolved = said(console_runs(chat, "action_handoff_resolved"), "utter_handoff_resolved")
    assert (resolved["agent"], resolved["reference"]) == ("Votre conseiller", reference)
    assert chat.slots[FLOW] == "handoff_rating"


def test_a_session_log_that_fails_does_not_wake_the_bot_in_an_agents_conversation(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> Any:
        raise BackendUnavailable("database is locked")

    chat = talk("fr", sender_id="web-1")
    reference = hand_off(chat)
    desk.queue.claim(reference, desk.agent())
    monkeypatch.setattr(session_module, "conversation_log", unavailable)
    assert kinds(start_session("web-1")) == ["session_started", "pause", "action:action_listen"]
