"""The JSON shapes of the console's API (docs/console-api.md): tickets, customers, agents."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency

from bot.billing.clock import aware
from bot.billing.models import AccountSummary, Subscription, Ticket
from bot.console.texts import BABEL_LOCALES, console_text
from bot.handoff.agents import Agent


def label(language: str, group: str, code: str) -> str:
    """The text of a code (`topics.change_plan`) in the agent's language; the code itself, spaced, when
    there is none."""
    try:
        return console_text(language, f"{group}.{code}")
    except KeyError:
        return code.replace("_", " ")


def ticket_summary(
    ticket: Ticket, agents: dict[int, Agent], language: str, now: datetime, customer_name: str | None = None
) -> dict[str, Any]:
    assignee = agents.get(ticket.assigned_agent_id) if ticket.assigned_agent_id is not None else None
    waited = max(aware(now) - aware(ticket.created_at), timedelta(0))
    return {
        "reference": ticket.reference,
        "status": ticket.status.value,
        "language": ticket.language,
        "channel": ticket.channel,
        "topic": ticket.topic,
        "topic_label": label(language, "topics", ticket.topic),
        "summary": ticket.summary,
        "priority": ticket.priority,
        "created_at": aware(ticket.created_at).isoformat(),
        "waiting_minutes": int(waited.total_seconds() // 60),
        "assigned_to": assignee.username if assignee else None,
        "assigned_name": assignee.display_name if assignee else None,
        "customer_name": customer_name,
        "satisfaction": ticket.satisfaction,
    }


def agent_summary(agent: Agent) -> dict[str, Any]:
    return {"username": agent.username, "display_name": agent.display_name, "role": agent.role}


def money(amount: Decimal, currency: str, language: str) -> str:
    return format_currency(amount, currency, locale=BABEL_LOCALES[language])


def customer_summary(
    account: AccountSummary, subscription: Subscription | None, language: str
) -> dict[str, Any]:
    customer = account.customer
    return {
        "number": customer.number,
        "name": customer.name,
        "country": customer.country,
        "plan": subscription.plan.name if subscription is not None else None,
        "balance": money(account.balance, account.currency, language),
        "overdue": money(account.overdue_amount, account.currency, language),
        "status": label(language, "account_status", customer.status.value),
    }
