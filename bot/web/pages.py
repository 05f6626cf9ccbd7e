"""HTML pages: Jinja2 templates (autoescaped) filled with the texts of `locales/<lang>.yml` under
`portal.`, and the language of a visitor the portal does not know yet (Accept-Language)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sanic import Request
from sanic.response import HTTPResponse, html

from bot import i18n

HTML_LANG = {"fr": "fr", "pt": "pt-BR"}
MAX_ACCEPT_LANGUAGE = 512


def template_environment(package: str) -> Environment:
    """Jinja2 for a package's `templates/`: autoescaped, and a missing variable is an error."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def environment() -> Environment:
    return template_environment("bot.web")


def portal_text(language: str, key: str, **params: Any) -> str:
    return i18n.text(language, f"portal.{key}", **params)


def render(template: str, language: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    def t(key: str, **params: Any) -> str:
        return portal_text(language, key, **params)

    body = (
        environment()
        .get_template(template)
        .render(t=t, html_lang=HTML_LANG.get(language, language), **context)
    )
    return html(body, status=status)


def not_found(language: str, what: str = "page") -> HTTPResponse:
    """The 404 page; `what` picks its message (`portal.not_found.<what>`)."""
    return render("not_found.html", language, status=404, what=what)


def accepted_language(
    header: str | None, default: str, languages: Collection[str] = i18n.SUPPORTED_LANGUAGES
) -> str:
    """The preferred language among `languages` of an Accept-Language header ("pt-BR,pt;q=0.9,en;q=0.8")."""
    if not header or len(header) > MAX_ACCEPT_LANGUAGE:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, parameters = item.strip().partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                continue
        language = tag.strip().lower().replace("_", "-").split("-")[0]
        if language in languages and 0 < weight <= 1:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else default


def local_moment(instant: datetime, timezone: str, language: str) -> dict[str, str]:
    """`day` and `time` of an instant on the customer's clock, as the texts show them."""
    local = instant.astimezone(ZoneInfo(timezone))
    return {
        "day": i18n.format_day(local.date(), language),
        "time": i18n.format_clock_time(local, language),
    }


def visitor_language(request: Request, default: str) -> str:
    """The language of a visitor not known yet: Accept-Language, else `default`."""
    return accepted_language(request.headers.get("accept-language"), default)
