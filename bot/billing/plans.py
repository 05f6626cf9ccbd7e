"""Which of a country's plans the customer means: a plan code (buttons), the NLU's plan value
("pro", "300", "1-giga", "essential") or, loosely, a plan named in free text ("la fibre max stp")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answers import choose, words
from bot.billing.models import Plan
from bot.text import fold

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_STEM = 5  # "essential" / "essentiel" / "essencial" share their first letters


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text))


def find_plan(plans: Sequence[Plan], value: object, *, loose: bool = False) -> Plan | None:
    if not isinstance(value, str) or not value.strip():
        return None
    by_code = [plan for plan in plans if plan.code == value]
    if by_code:
        return by_code[0]
    return _by_name(plans, value) if loose else _by_value(plans, value)


def _by_value(plans: Sequence[Plan], value: str) -> Plan | None:
    wanted = _key(value)
    found = [
        plan
        for plan in plans
        if wanted
        and any(wanted in key or (len(wanted) >= _STEM and wanted[:_STEM] in key) for key in _keys(plan))
    ]
    return found[0] if len(found) == 1 else None


def _by_name(plans: Sequence[Plan], text: str) -> Plan | None:
    """A plan whose name, or the distinctive last word of it, is written in `text`."""
    by_code = {plan.code: plan for plan in plans}
    named = choose(text, {code: [plan.name] for code, plan in by_code.items()})
    code = named or choose(text, {code: words(plan.name)[-1:] for code, plan in by_code.items()})
    return by_code[code] if code else None


def _keys(plan: Plan) -> tuple[str, str]:
    return _key(plan.code), _key(plan.name)
