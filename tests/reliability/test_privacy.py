"""Privacy, driven through the running servers of the production configuration: customers type card
numbers, IBANs, CPFs and e-mail addresses into the chat, in French and in Portuguese, before and after a
handoff; then the PostgreSQL tracker store (its `events` table, read directly), the tickets, the agent
console's transcript and the servers' logs are searched for them.

What bot/redaction.py and the README promise: card numbers, IBANs and CPFs are masked by every channel
before Rasa stores, parses or logs a message, and again in the console's transcript; chat messages keep
their e-mail addresses (a customer gives one to update their contact), while ticket transcripts,
summaries and our logs mask them."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.redaction import CARD_MASK, CPF_MASK, IBAN_MASK
from tests.conversation.console_server import TICKET_REFERENCE
from tests.reliability.console_agent import ConsoleAgent, signed_in
from tests.reliability.report import Figures
from tests.stack import Assistant, Stack

SEPARATORS = r"[\s.\-/]*"  # what a customer, or a careless formatter, may put between the characters


@dataclass(frozen=True)
class Secret:
    kind: str  # card, iban, cpf
    typed: str  # as the customer types it

    @property
    def compact(self) -> str:
        return re.sub(r"[\s.\-]", "", self.typed).upper()

    def patterns(self) -> list[re.Pattern[str]]:
        """The whole value with any separators, and the part that must never show either: a card's
        first 12 digits (at most the last four may be shown), an IBAN's account part, a CPF's first 9."""
        part = {"card": self.compact[:12], "iban": self.compact[4:], "cpf": self.compact[:9]}[self.kind]
        return [
            re.compile(SEPARATORS.join(map(re.escape, value)), re.IGNORECASE)
            for value in (self.compact, part)
        ]


CARDS = [
    Secret("card", "4242 4242 4242 4242"),
    Secret("card", "5555-5555-5555-4444"),
    Secret("card", "378282246310005"),  # American Express, 15 digits
    Secret("card", "4000 0566 5566 5556"),
]
IBANS = [
    Secret("iban", "FR76 3000 6000 0112 3456 7890 189"),
    Secret("iban", "PT50 0002 0123 1234 5678 9015 4"),
]
CPFS = [Secret("cpf", "529.982.247-25"), Secret("cpf", "11144477735")]
SECRETS = CARDS + IBANS + CPFS
MASKS = {"card": CARD_MASK, "iban": IBAN_MASK, "cpf": CPF_MASK}


def leaks(content: str) -> list[str]:
    """The secrets (as typed) found in `content`, whatever their formatting."""
    return [s.typed for s in SECRETS if any(p.search(content) for p in s.patterns())]


@dataclass(frozen=True)
class Email:
    address: str

    @property
    def local_part(self) -> str:
        return self.address.split("@")[0]

    @property
    def masked(self) -> str:
        """As bot.redaction.redact writes it in tickets and logs."""
        local, domain = self.address.split("@")
        return f"{local[0]}***@{domain}"

    def shown_in(self, content: str) -> bool:
        return self.local_part.casefold() in content.casefold()


@dataclass(frozen=True)
class Talk:
    sender: str
    ticket: str
    email: Email
    redacted_messages: int  # messages with payment data in them
    said: list[str]  # the response names the bot used


def ticket_in(replies: list[str]) -> str:
    found = [match.group(0) for reply in replies if (match := TICKET_REFERENCE.search(reply))]
    assert found, replies
    return found[0]


def talk(assistant: Assistant, sender: str, before: list[str], handoff: str, after: list[str]) -> str:
    for message in before:
        assistant.texts(sender, message)
    reference = ticket_in(assistant.texts(sender, handoff))
    for message in after:
        assistant.texts(sender, message)
    return reference


@pytest.fixture(scope="module")
def stack(production_stack: Stack) -> Stack:
    return production_stack


@pytest.fixture(scope="module")
def talks(stack: Stack) -> list[Talk]:
    """Two customers who update their e-mail and type payment data, before and after asking for a human."""
    assistant, tag = stack.assistant, secrets.token_hex(4)
    french, portuguese = f"rel-privacy-fr-{tag}", f"rel-privacy-pt-{tag}"
    email_fr, email_pt = (
        Email(f"thomas.petit.{tag}@example.org"),
        Email(f"fernanda.lima.{tag}@example.com.br"),
    )
    ticket_fr = talk(
        assistant,
        french,
        [
            "je voudrais changer mon adresse e-mail de facturation",
            "624511",
            "33000",
            email_fr.address,
            f"Bonjour, ma carte {CARDS[0].typed} exp 12/29 a été refusée, pourquoi ?",
            f"voici mon iban {IBANS[0].typed} pour le prélèvement",
            f"ma nouvelle carte c'est {CARDS[1].typed}",
        ],
        "je veux parler à un conseiller",
        [f"mon numéro de carte est {CARDS[2].typed}"],  # only in the conversation, after the ticket
    )
    ticket_pt = talk(
        assistant,
        portuguese,
        [
            "oi, quero ver minha fatura",
            f"meu cpf é {CPFS[0].typed}",
            "912733",
            "30130-010",
            "quero mudar meu email de cobrança",
            email_pt.address,
            f"meu cpf é {CPFS[1].typed}",
            f"o iban {IBANS[1].typed}",
        ],
        "quero falar com um atendente",
        [f"cartão {CARDS[3].typed} validade 10/30"],
    )
    made = [
        Talk(french, ticket_fr, email_fr, 4, assistant.utterances(french)),
        Talk(portuguese, ticket_pt, email_pt, 4, assistant.utterances(portuguese)),
    ]
    for done in made:  # the customers were told, and the e-mails were taken
        assert {"utter_redacted_card", "utter_contact_updated"} <= set(done.said), done.said
    assert "utter_redacted_iban" in made[0].said and "utter_redacted_cpf" in made[1].said
    return made


def tracker_rows(stack: Stack) -> list[dict[str, Any]]:
    engine = create_engine(stack.tracker_url, future=True)
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(text("SELECT * FROM events ORDER BY id"))]
    finally:
        engine.dispose()


def readable(row: dict[str, Any]) -> str:
    """A row as stored, and its JSON `data` decoded (Rasa escapes non-ASCII characters in it)."""
    stored = " ".join(str(value) for value in row.values())
    try:
        decoded = json.dumps(json.loads(row["data"] or "null"), ensure_ascii=False)
    except ValueError:
        decoded = ""
    return f"{stored}\n{decoded}"


def user_texts(rows: list[dict[str, Any]], sender: str) -> list[str]:
    return [
        str(json.loads(row["data"]).get("text") or "")
        for row in rows
        if row["sender_id"] == sender and row["type_name"] == "user"
    ]


@pytest.mark.reliability("Privacy", "card numbers, IBANs, CPFs masked in the tracker store")
def test_tracker_store_holds_no_payment_data(stack: Stack, talks: list[Talk], figures: Figures) -> None:
    rows = tracker_rows(stack)
    content = "\n".join(readable(row) for row in rows)
    assert leaks(content) == []
    said = [line for done in talks for line in user_texts(rows, done.sender)]
    masked = {kind: sum(line.count(mask) for line in said) for kind, mask in MASKS.items()}
    # Control: the messages were stored, with their masks in place of the data.
    assert masked["card"] >= len(CARDS) and masked["iban"] >= len(IBANS) and masked["cpf"] >= len(CPFS), (
        masked
    )
    figures["events scanned"] = len(rows)
    figures["conversations"] = len({row["sender_id"] for row in rows})
    figures["masks in our messages"] = ", ".join(f"{kind} {count}" for kind, count in masked.items())
    kept = all(done.email.shown_in("\n".join(user_texts(rows, done.sender))) for done in talks)
    figures["e-mails in the chat"] = "kept, as designed" if kept else "masked"


def ticket_rows(stack: Stack, references: list[str]) -> list[dict[str, Any]]:
    with stack.assistant.engine.connect() as conn:
        found = conn.execute(
            text("SELECT reference, summary, transcript FROM tickets WHERE reference IN :refs").bindparams(
                refs=tuple(references)
            )
        )
        return [dict(row._mapping) for row in found]


@pytest.mark.reliability("Privacy", "payment data and e-mails masked in ticket transcripts and summaries")
def test_tickets_mask_payment_data_and_emails(stack: Stack, talks: list[Talk], figures: Figures) -> None:
    rows = {row["reference"]: row for row in ticket_rows(stack, [done.ticket for done in talks])}
    assert set(rows) == {done.ticket for done in talks}
    for done in talks:
        row = rows[done.ticket]
        stored = json.dumps(row["transcript"], ensure_ascii=False) + "\n" + str(row["summary"])
        assert leaks(stored) == [], done.ticket
        assert not done.email.shown_in(stored), done.ticket
        assert done.email.masked in stored, stored  # control: the e-mail is in the transcript, masked
        assert IBAN_MASK in stored, stored  # and so is the payment data
    figures["tickets"] = len(rows)
    figures["transcript lines"] = sum(len(row["transcript"]) for row in rows.values())


def console_ticket(console: ConsoleAgent, reference: str) -> dict[str, Any]:
    with signed_in(console) as client:
        response = client.get(f"/api/tickets/{reference}")
        assert response.status_code == 200, response.text
        queue = client.get("/api/queue")
        assert queue.status_code == 200, queue.text
    return {"ticket": response.json(), "queue": queue.json()}


@pytest.mark.reliability("Privacy", "card numbers, IBANs, CPFs masked in the agent console")
def test_console_transcript_masks_payment_data(
    stack: Stack, talks: list[Talk], console: ConsoleAgent, figures: Figures
) -> None:
    messages, emails_shown = 0, 0
    for done in talks:
        shown = console_ticket(console, done.ticket)
        body = json.dumps(shown, ensure_ascii=False)
        assert leaks(body) == [], done.ticket
        transcript = shown["ticket"]["transcript"]
        customer_lines = [m["text"] for m in transcript if m["from"] == "customer"]
        # Control: the console shows the whole conversation, the message after the handoff included.
        assert CARD_MASK in customer_lines[-1], customer_lines
        assert any(IBAN_MASK in line for line in customer_lines), customer_lines
        summaries = [t for t in shown["queue"]["waiting"] if t["reference"] == done.ticket]
        assert summaries, shown["queue"]
        assert not done.email.shown_in(json.dumps(shown["queue"])), "a ticket summary shows the e-mail"
        messages += len(transcript)
        emails_shown += done.email.shown_in(json.dumps(transcript))
    figures["tickets opened"] = len(talks)
    figures["messages shown"] = messages
    # Not promised masked in the console (docs/console-api.md: card numbers, IBANs and CPFs): reported.
    figures["transcripts showing the customer's e-mail"] = f"{emails_shown} of {len(talks)}"


LOGS = ("rasa", "actions")


@pytest.mark.reliability("Privacy", "no card, IBAN, CPF or full e-mail in the logs")
def test_logs_hold_no_payment_data_or_emails(
    stack: Stack, talks: list[Talk], console: ConsoleAgent, figures: Figures
) -> None:
    for done in talks:  # the console has read these conversations: its log counts too
        console_ticket(console, done.ticket)
    logs: dict[str, Path] = {name: stack.services[name].log for name in LOGS}
    logs["console"] = console.log
    contents = {name: path.read_text("utf-8", errors="replace") for name, path in logs.items()}
    for name, content in contents.items():
        assert leaks(content) == [], name
        assert [done.email.address for done in talks if done.email.shown_in(content)] == [], name
    # Control: the Rasa server logged our redactions (without the data), so its log is the one in use.
    redactions = contents["rasa"].count("channel.message_redacted")
    assert redactions >= sum(done.redacted_messages for done in talks), redactions
    figures["logs"] = ", ".join(
        f"{name} {len(content.splitlines())} lines" for name, content in contents.items()
    )
    figures["redactions logged"] = redactions
