"""A load driver for Rasa's REST channel: conversations played concurrently, one message after the other
within a conversation, with the latency of each message and every failure recorded. Used by the serving
benchmark (bench/serving.py) and the reliability suite.

- `run_load` keeps at most `concurrency` conversations in flight over one HTTP client.
- `billing_conversations`: a realistic French/Portuguese mix for our assistant (identification against
  the demo customers, then balance, invoices, due dates, plans, payment, support contact, a human).
- `stock_conversations`: English small talk for the stock `rasa init` assistant, with the same number of
  messages per conversation, so that both assistants see the same load shape.
"""

from __future__ import annotations

import asyncio
import collections
import math
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

WEBHOOK_PATH = "/webhooks/rest/webhook"


@dataclass(frozen=True)
class Conversation:
    sender: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Script:
    language: str  # "fr" or "pt"
    messages: tuple[str, ...]


@dataclass
class LoadResult:
    latencies_s: list[float] = field(default_factory=list)  # one per answered message
    errors: list[str] = field(default_factory=list)  # one per failed message: "HTTP 500", "ReadTimeout"
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    # per sender, the JSON reply list of each answered message, in order (a failed message has none)
    replies: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def percentile_ms(self, p: float) -> float:
        """The p-th percentile (0-100) of the answered messages' latencies, in ms, interpolated between
        the closest ranks; NaN when no message was answered."""
        return percentile(self.latencies_s, p) * 1000

    @property
    def messages(self) -> int:
        """Messages sent: answered plus failed."""
        return len(self.latencies_s) + len(self.errors)

    @property
    def throughput(self) -> float:
        """Answered messages per second of the whole run."""
        return len(self.latencies_s) / self.elapsed_s if self.elapsed_s > 0 else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * min(max(p, 0.0), 100.0) / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def _send(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], sender: str, text: str, result: LoadResult
) -> None:
    start = time.perf_counter()
    try:
        response = await http.post(url, json={"sender": sender, "message": text}, headers=headers)
    except httpx.HTTPError as error:
        result.errors.append(type(error).__name__)
        return
    latency = time.perf_counter() - start
    result.statuses[response.status_code] += 1
    if response.status_code != 200:
        result.errors.append(f"HTTP {response.status_code}")
        return
    try:
        reply = response.json()
    except ValueError:
        result.errors.append("InvalidJSON")
        return
    result.latencies_s.append(latency)
    result.replies.setdefault(sender, []).append(list(reply))


async def run_load(
    base_url: str,
    rest_token: str,
    conversations: Sequence[Conversation],
    concurrency: int,
    timeout_s: float = 120,
) -> LoadResult:
    """Plays `conversations`, at most `concurrency` at a time; a failed message does not stop its
    conversation (the next message is sent, as a customer would try again)."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    url = base_url.rstrip("/") + WEBHOOK_PATH
    headers = {"Authorization": f"Bearer {rest_token}"} if rest_token else {}
    result = LoadResult()
    queue = iter(conversations)  # shared by the workers: each takes the next conversation when free
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(http: httpx.AsyncClient) -> None:
        for conversation in queue:
            for text in conversation.messages:
                await _send(http, url, headers, conversation.sender, text, result)

    start = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(timeout_s)) as http:
        await asyncio.gather(*(worker(http) for _ in range(min(concurrency, len(conversations)))))
    result.elapsed_s = time.perf_counter() - start
    return result


# Demo customers (bot/billing/demo.py): customer number, postal code.
CAMILLE = ("482130", "75011")  # France, up to date
JULIEN = ("517204", "69003")  # France, an overdue invoice
THOMAS = ("624511", "33000")  # France, new customer: a first invoice with pro-rata
ANA = ("731402", "01310-100")  # Brazil, boleto
CARLOS = ("845120", "20040-002")  # Brazil, suspended for non-payment
RAFAEL = ("268054", "80010-000")  # Brazil, price readjusted
JOAO = ("159372", "1100-148")  # Portugal, direct debit

# Messages the model understands (tests/conversation/): each conversation identifies a customer, then asks
# what customers ask. 5 to 8 messages each, formal and casual, in both languages.
BILLING_SCRIPTS: tuple[Script, ...] = (
    # French, formal: balance, the billing date, the plans
    Script(
        "fr",
        (
            "Bonjour",
            "Bonjour, c'est combien mon solde ?",
            CAMILLE[0],
            CAMILLE[1],
            "vous prélevez à quelle date ?",
            "changement de forfait svp",
            "laisse tomber",
            "au revoir",
        ),
    ),
    # French, casual: overdue balance, a missed payment, a human
    Script(
        "fr",
        (
            "quel est mon solde svp ?",
            JULIEN[0],
            JULIEN[1],
            "j'ai raté mon paiement",
            "je veux parler à un conseiller",
        ),
    ),
    # French: identification first, what is owed, last invoice, the support's phone
    Script(
        "fr",
        (
            "je voudrais m'identifier",
            CAMILLE[0],
            CAMILLE[1],
            "combien je dois ?",
            "je voudrais une copie de ma facture",
            "celle du mois dernier",
            "quel est votre numéro de téléphone ?",
            "merci",
        ),
    ),
    # French: the first invoice, paying it
    Script(
        "fr",
        (
            "bjr",
            "quel est mon solde ?",
            THOMAS[0],
            THOMAS[1],
            "pourquoi ma première facture est plus élevée ?",
            "je veux payer ma facture",
            "tout",
        ),
    ),
    # Brazilian Portuguese, casual: balance in one message, billing date, the plans, invoice copy
    Script(
        "pt",
        (
            "oi, qual é o meu saldo?",
            f"sou o cliente {ANA[0]}, CEP {ANA[1]}",
            "quando é debitada a fatura?",
            "quais planos vcs tem?",
            "cancela isso",
            "preciso da segunda via da fatura",
            "obrigado",
        ),
    ),
    # Brazilian Portuguese: suspended service, paying with Pix
    Script(
        "pt",
        (
            "oi, quanto eu devo?",
            f"meu número de cliente é {CARLOS[0]} e o CEP {CARLOS[1]}",
            "quero pagar com pix",
            "50 reais",
            "valeu",
        ),
    ),
    # Brazilian Portuguese, formal: the price, the support hours, a human
    Script(
        "pt",
        (
            "bom dia",
            "qual é o meu saldo",
            RAFAEL[0],
            RAFAEL[1],
            "pq minha mensalidade aumentou?",
            "qual o horário de atendimento?",
            "quero falar com um atendente, por favor",
        ),
    ),
    # European Portuguese: the billing date, the invoice
    Script(
        "pt",
        (
            "Olá",
            "quero ver minha fatura",
            JOAO[0],
            JOAO[1],
            "quando é debitada a fatura?",
            "obrigada",
        ),
    ),
)

# What an identified customer asks besides, answered in any state of the scripts above: lengthens a
# script to a given number of messages (`billing_conversations(..., length=)`), before its goodbye.
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "fr": (
        "vous avez des frais de retard ?",
        "c'est quand le prélèvement ?",
        "quels sont vos horaires ?",
        "quel est mon solde ?",
        "comment payer ma facture ?",
    ),
    "pt": (
        "qual o horário de atendimento?",
        "tem multa por atraso?",
        "qual é o meu saldo",
        "quando vence minha fatura?",
        "como pago minha fatura?",
    ),
}
GOODBYES = frozenset({"au revoir", "merci", "obrigado", "obrigada", "valeu"})

STOCK_MESSAGES = (
    "hello",
    "I am sad",
    "yes",
    "great",
    "are you a bot?",
    "good morning",
    "very good",
    "no",
    "I am feeling very good",
    "bye",
)


def _sender(prefix: str, index: int) -> str:
    # random, not seeded: the same seed twice still gives new conversations
    return f"{prefix}-{index}-{secrets.token_hex(4)}"


def fitted(script: Script, length: int) -> tuple[str, ...]:
    """The script's messages lengthened to `length` with its language's follow-ups, inserted before a
    closing goodbye (else at the end); a longer script is refused rather than cut."""
    if length < len(script.messages):
        raise ValueError(f"a script of {len(script.messages)} messages cannot be fitted to {length}")
    follow_ups = FOLLOW_UPS[script.language]
    extra = tuple(follow_ups[index % len(follow_ups)] for index in range(length - len(script.messages)))
    closing = script.messages[-1] in GOODBYES
    head, tail = (script.messages[:-1], script.messages[-1:]) if closing else (script.messages, ())
    return (*head, *extra, *tail)


def billing_conversations(
    count: int, seed: int = 0, prefix: str = "load", length: int | None = None
) -> list[Conversation]:
    """`count` conversations with our assistant, the scripts above in a seeded order, each script used
    equally often (to within one); each of exactly `length` messages when given."""
    rng = random.Random(seed)
    order = list(range(len(BILLING_SCRIPTS)))
    conversations: list[Conversation] = []
    for index in range(count):
        if index % len(order) == 0:
            rng.shuffle(order)
        script = BILLING_SCRIPTS[order[index % len(order)]]
        messages = script.messages if length is None else fitted(script, length)
        conversations.append(Conversation(_sender(prefix, index), messages))
    return conversations


def stock_conversations(count: int, seed: int = 0, prefix: str = "stock") -> list[Conversation]:
    """`count` English conversations for the stock assistant, the n-th as long as the n-th of
    `billing_conversations(count, seed)`."""
    rng = random.Random(seed)
    lengths = [len(c.messages) for c in billing_conversations(count, seed, prefix)]
    conversations = []
    for index, length in enumerate(lengths):
        middle = [rng.choice(STOCK_MESSAGES[1:-1]) for _ in range(length - 2)]
        messages = (STOCK_MESSAGES[0], *middle, STOCK_MESSAGES[-1])
        conversations.append(Conversation(_sender(prefix, index), messages))
    return conversations
