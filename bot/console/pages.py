"""The console's HTML pages: sign in and out, the console itself, the supervisor's dashboard. Jinja2
templates (autoescaped) filled with `locales/console/<lang>.yml`, in the agent's console language; before
sign-in, in the browser's (Accept-Language)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, html, redirect

from bot.console import charts
from bot.console.auth import (
    CSRF_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    login_csrf_ok,
    new_login_csrf,
    page,
    page_csrf_token,
    set_cookie,
)
from bot.console.context import Console
from bot.console.texts import BABEL_LOCALES, CONSOLE_LANGUAGES, HTML_LANG, console_text, console_texts
from bot.handoff.sessions import AgentSession, ConsoleAuth
from bot.handoff.stats import PeriodStats
from bot.web.pages import accepted_language, template_environment

MAX_FIELD = 256
LOGIN_FORM_SECONDS = 3600
DASHBOARD_PERIODS = (7, 30)
REFRESH_SECONDS = 10  # the console's polling period when the event stream is down
NO_FIGURE = "—"


@cache
def environment() -> Environment:
    return template_environment("bot.console")


def page_html(template: str, language: str, **context: Any) -> str:
    """A template filled in `language`: its texts (`t`) and the page's `lang`, with `context`."""
    return (
        environment()
        .get_template(template)
        .render(t=console_texts(language), html_lang=HTML_LANG[language], **context)
    )


def render(template: str, language: str, *, status: int = 200, **context: Any) -> HTTPResponse:
    return html(page_html(template, language, **context), status=status)


def browser_language(request: Request) -> str:
    """The first console language of Accept-Language ("pt-BR,pt;q=0.9,en;q=0.8" → pt), else English."""
    return accepted_language(request.headers.get("accept-language"), "en", CONSOLE_LANGUAGES)


def form_value(request: Request, name: str) -> str:
    value = request.form.get(name) if request.form else None
    return str(value)[:MAX_FIELD] if value else ""


def login_page(
    request: Request, console: Console, *, error: bool, username: str = "", status: int = 200
) -> HTTPResponse:
    csrf = new_login_csrf()
    response = render(
        "login.html",
        browser_language(request),
        status=status,
        csrf_token=csrf,
        error=error,
        username=username,
    )
    set_cookie(response, console, LOGIN_CSRF_COOKIE, csrf, LOGIN_FORM_SECONDS)
    return response


def blueprint(console: Console) -> Blueprint:
    bp = Blueprint("console_pages")

    @bp.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        return login_page(request, console, error=False)

    @bp.post("/login")
    async def login(request: Request) -> HTTPResponse:
        username = form_value(request, "username")
        if not login_csrf_ok(request, form_value(request, "csrf_token")):
            return login_page(request, console, error=True, username=username, status=403)
        result = await console.call(
            console.auth.login, username, str(request.form.get("password") or "")[: MAX_FIELD * 4]
        )
        if not (result.ok and result.token and result.csrf_token and result.expires_at):
            return login_page(request, console, error=True, username=username, status=401)
        response = redirect("/")
        lifetime = int((result.expires_at - console.clock()).total_seconds())
        set_cookie(response, console, SESSION_COOKIE, result.token, lifetime)
        set_cookie(response, console, CSRF_COOKIE, result.csrf_token, lifetime)
        clear_cookie(response, console, LOGIN_CSRF_COOKIE)
        return response

    @bp.post("/logout")
    @page(console)
    async def logout(request: Request, session: AgentSession) -> HTTPResponse:
        if not ConsoleAuth.check_csrf(session, form_value(request, "csrf_token")):
            return render(
                "error.html", session.agent.language, status=403, status_code=403, message_key="csrf"
            )
        await console.call(console.auth.logout, request.cookies.get(SESSION_COOKIE) or "")
        response = redirect("/login")
        clear_cookie(response, console, SESSION_COOKIE)
        clear_cookie(response, console, CSRF_COOKIE)
        return response

    @bp.get("/")
    @page(console)
    async def home(request: Request, session: AgentSession) -> HTTPResponse:
        return render(
            "console.html",
            session.agent.language,
            agent=session.agent,
            csrf_token=page_csrf_token(request, session),
            refresh_seconds=REFRESH_SECONDS,
        )

    @bp.get("/dashboard")
    @page(console, supervisor=True)
    async def dashboard(request: Request, session: AgentSession) -> HTTPResponse:
        language = session.agent.language
        try:
            days = int(request.args.get("days", DASHBOARD_PERIODS[0]))
        except ValueError:
            days = DASHBOARD_PERIODS[0]
        days = days if days in DASHBOARD_PERIODS else DASHBOARD_PERIODS[0]
        report = await console.call(console.stats.report, days)
        return render(
            "dashboard.html",
            language,
            agent=session.agent,
            csrf_token=page_csrf_token(request, session),
            charts=charts.dashboard_charts(
                report.days,
                chart_labels(language),
                lambda day: format_date(day, "d MMM", locale=BABEL_LOCALES[language]),
                number=lambda value, decimals: decimal_text(value, decimals, language),
            ),
            summary=headline(report.totals, language),
            days=days,
            periods=DASHBOARD_PERIODS,
        )

    return bp


def decimal_text(value: float, decimals: int, language: str) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(value, decimals), format=pattern, locale=BABEL_LOCALES[language])


def chart_labels(language: str) -> dict[str, str]:
    return {key: console_text(language, f"dashboard.chart.{key}") for key in charts.LABEL_KEYS}


@dataclass(frozen=True)
class Headline:
    handoffs: str
    solved_without_human_percent: str
    median_wait: str
    average_satisfaction: str


def headline(totals: PeriodStats, language: str) -> Headline:
    """The period's figures as the dashboard shows them, in the agent's language ("—" without data)."""

    def shown(value: float | None, pattern: str, decimals: int) -> str:
        if value is None:
            return NO_FIGURE
        return console_text(
            language, f"dashboard.chart.{pattern}", value=decimal_text(value, decimals, language)
        )

    share = None if totals.solved_without_human is None else totals.solved_without_human * 100
    return Headline(
        handoffs=decimal_text(totals.created, 0, language),
        solved_without_human_percent=shown(share, "percent", 0),
        median_wait=shown(totals.median_wait_minutes, "minutes", 0),
        average_satisfaction=shown(totals.average_satisfaction, "rating", 1),
    )
