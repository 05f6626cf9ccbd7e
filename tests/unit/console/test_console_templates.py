"""The console's pages rendered in fr, pt and en with the variables the back-end gives them: the hooks the
browser tests and console.js rely on are there, the data is escaped, and nothing breaks the strict
Content-Security-Policy (no inline script or style, no event-handler attribute). console.js parses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot.console.pages import DASHBOARD_PERIODS, page_html
from bot.console.texts import CONSOLE_LANGUAGES, HTML_LANG, console_text
from bot.handoff.agents import Agent

STATIC_DIR = Path(__file__).resolve().parents[3] / "bot" / "console" / "static"
SCRIPT = STATIC_DIR / "console.js"
STYLE = STATIC_DIR / "console.css"
CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)
AGENT = Agent(1, "camille.agent", "Camille <Martin> & Co", "agent", "fr", True, CREATED)
SUPERVISOR = Agent(3, "sam.supervisor", "Sam Supervisor", "supervisor", "en", True, CREATED)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 640 280" id="chart-test">'
    '<title>Handoffs</title><rect class="chart-bar" x="1" y="2" width="3" height="4" fill="#1f5fa8"/></svg>'
)


@dataclass(frozen=True)
class Summary:
    handoffs: str = "12"
    solved_without_human_percent: str = "64 %"
    median_wait: str = "4 min"
    average_satisfaction: str = "—"


# -- rendering and reading a page -----------------------------------------------------------------------
@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class Page(HTMLParser):
    """A rendered page: its source and its elements, each with the text inside it."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.elements: list[Element] = []
        self.scripts: list[Element] = []
        self.styles: list[Element] = []
        self._open: list[Element] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag == "script":
            self.scripts.append(element)
        if tag == "style":
            self.styles.append(element)
        if tag not in ("meta", "link", "input", "br", "hr", "img"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str | None = None, **attrs: str | bool) -> list[Element]:
        """Elements by tag and attributes: a string value must match, True only asks for the attribute."""

        def matches(element: Element) -> bool:
            if tag is not None and element.tag != tag:
                return False
            for name, value in attrs.items():
                name = name.rstrip("_").replace("_", "-")  # class_ → class, data_x → data-x
                if name not in element.attrs or (value is not True and element.attrs[name] != value):
                    return False
            return True

        return [element for element in self.elements if matches(element)]

    def one(self, tag: str | None = None, **attrs: str | bool) -> Element:
        found = self.find(tag, **attrs)
        assert len(found) == 1, f"{tag} {attrs}: {len(found)} found"
        return found[0]


def render(template: str, language: str, **context: Any) -> Page:
    return Page(page_html(template, language, **context))


def console_page(language: str, agent: Agent = AGENT) -> Page:
    return render("console.html", language, agent=agent, csrf_token="csrf-abc", refresh_seconds=10)


def dashboard_page(language: str, days: int = 7) -> Page:
    charts = [("Handoffs <per day>", SVG), ("Waiting", SVG.replace("chart-test", "chart-other"))]
    return render(
        "dashboard.html",
        language,
        agent=SUPERVISOR,
        csrf_token="csrf-abc",
        charts=charts,
        summary=Summary(),
        days=days,
        periods=DASHBOARD_PERIODS,
    )


def all_pages(language: str) -> list[Page]:
    return [
        render("login.html", language, csrf_token="login-csrf", error=False, username=""),
        render("login.html", language, csrf_token="login-csrf", error=True, username="camille.agent"),
        console_page(language),
        console_page(language, SUPERVISOR),
        dashboard_page(language),
        render("error.html", language, status_code=403, message_key="csrf"),
    ]


# -- every page ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_pages_keep_to_the_content_security_policy(language: str) -> None:
    for page in all_pages(language):
        assert page.styles == [], "no <style> element"
        for element in page.elements:
            assert "style" not in element.attrs, f"style attribute on <{element.tag}>"
            handlers = [name for name in element.attrs if name.startswith("on")]
            assert handlers == [], f"event handler on <{element.tag}>"
            for name in ("href", "src", "action"):
                assert not element.attrs.get(name, "").lower().startswith("javascript:")
        for script in page.scripts:
            if "src" in script.attrs:
                assert not script.text.strip()
                assert script.attrs["src"].startswith("/static/")
            else:
                assert script.attrs.get("type") == "application/json", "no inline script code"
                json.loads(script.text)
        for link in page.find("link", rel="stylesheet"):
            assert link.attrs["href"] == "/static/console.css"


@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_pages_are_in_the_language_and_well_labelled(language: str) -> None:
    for page in all_pages(language):
        assert page.one("html").attrs["lang"] == HTML_LANG[language]
        ids = [element.attrs["id"] for element in page.elements if "id" in element.attrs]
        assert len(ids) == len(set(ids)), "ids are unique"
        for label in page.find("label"):
            assert label.attrs.get("for") in ids, f"label {label.text!r} names its field"
        for element in page.elements:
            for name in ("aria-labelledby", "aria-describedby"):
                for target in element.attrs.get(name, "").split():
                    assert target in ids, f"{name}={target}"
        assert page.one("a", class_="skip-link").attrs["href"] == "#main"
        assert page.one("main").attrs["id"] == "main"
        assert "{" not in page.find("title")[0].text


def test_static_files_named_by_the_pages_exist() -> None:
    for page in all_pages("en"):
        for element in page.elements:
            url = element.attrs.get("src") or (element.attrs.get("href") if element.tag == "link" else None)
            if url and url != "data:,":  # the empty icon: no request for /favicon.ico
                assert (STATIC_DIR / url.removeprefix("/static/")).is_file(), url


# -- sign-in -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_login_form(language: str) -> None:
    page = render("login.html", language, csrf_token="login-csrf", error=False, username="")
    form = page.one("form")
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/login"
    assert page.one("input", name="csrf_token", type="hidden").attrs["value"] == "login-csrf"
    username = page.one("input", name="username")
    assert username.attrs["autocomplete"] == "username" and "required" in username.attrs
    password = page.one("input", name="password")
    assert password.attrs["type"] == "password" and password.attrs["autocomplete"] == "current-password"
    assert "value" not in password.attrs
    page.one("button", type="submit")
    assert page.find(role="alert") == []
    assert page.find("nav") == [] and page.find("form", action="/logout") == []


@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_login_failure_shows_one_message_and_keeps_the_username(language: str) -> None:
    page = render("login.html", language, csrf_token="x", error=True, username='camille"><b>')
    alert = page.one(role="alert")
    assert alert.text == console_text(language, "login.error")
    assert page.one("input", name="username").attrs["value"] == 'camille"><b>'
    assert '"><b>' not in page.source
    assert "autofocus" in page.one("input", name="password").attrs


# -- the console ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_console_hooks(language: str) -> None:
    page = console_page(language)
    assert page.one("meta", name="csrf-token").attrs["content"] == "csrf-abc"
    root = page.one(data_console=True)
    assert root.attrs["data-username"] == "camille.agent"
    assert root.attrs["data-supervisor"] == "false"
    assert root.attrs["data-refresh-seconds"] == "10"
    page.one("ul", data_queue="waiting")
    page.one("ul", data_queue="mine")
    page.one(data_transcript=True)
    page.one("textarea", name="reply")
    page.one("button", data_action="send-reply", type="submit")
    page.one("textarea", name="note")
    page.one("button", data_action="add-note", type="submit")
    page.one("button", data_action="resolve")
    page.one("form", data_form="transfer")
    assert page.find(data_action="claim") == [], "claim buttons are drawn per waiting ticket"
    assert page.find(role="alert") and page.find(role="status")
    assert page.one("script", src="/static/console.js").attrs.get("defer") is not None


def test_the_script_finds_its_elements() -> None:
    """Every element console.js looks up once ($("...")) is on the (supervisor's) page."""
    page = console_page("en", SUPERVISOR)
    selectors = re.findall(r"""\$\((["'])(.+?)\1\)""", SCRIPT.read_text(encoding="utf-8"))
    assert len(selectors) > 20
    simple = re.compile(r"""^([a-z0-9]+)?\[([a-z-]+)(?:="([^"]*)")?\]$""")
    for _, selector in selectors:
        match = simple.match(selector)
        assert match, f"a simple selector: {selector}"
        tag, name, value = match.groups()
        attrs: dict[str, str | bool] = {name.replace("-", "_"): True if value is None else value}
        assert page.find(tag, **attrs), selector
    page.one(data_live_status=True)


def test_supervisors_get_the_dashboard_link_and_assign() -> None:
    agent, supervisor = console_page("fr"), console_page("en", SUPERVISOR)
    assert agent.find("a", href="/dashboard") == []
    assert agent.find("form", data_form="assign") == []
    assert supervisor.one("a", href="/dashboard").text == console_text("en", "nav.dashboard")
    supervisor.one("form", data_form="assign")
    assert supervisor.one(data_console=True).attrs["data-supervisor"] == "true"
    assert supervisor.one("a", href="/").attrs["aria-current"] == "page"


@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_header_names_the_agent_and_signs_out(language: str) -> None:
    page = console_page(language)
    assert "Camille &lt;Martin&gt; &amp; Co" in page.source
    assert page.one(class_="role").text == console_text(language, "role.agent")
    logout = page.one("form", action="/logout")
    assert logout.attrs["method"] == "post"
    assert page.one("input", name="csrf_token", type="hidden").attrs["value"] == "csrf-abc"


# -- the dashboard -------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_dashboard(language: str) -> None:
    page = dashboard_page(language, days=30)
    assert len(page.find("svg", role="img")) == 2, "the charts' SVG is drawn as is"
    assert len(page.find("rect", class_="chart-bar")) == 2
    assert "Handoffs &lt;per day&gt;" in page.source, "a chart's title is text"
    figures = [element.text for element in page.find("dd")]
    assert figures == ["12", "64 %", "4 min", "—"]
    assert page.one("a", href="?days=30").attrs["aria-current"] == "page"
    assert "aria-current" not in page.one("a", href="?days=7").attrs
    assert page.one("a", href="/dashboard").attrs["aria-current"] == "page"
    assert console_text(language, "dashboard.last_days", days=30) in page.source
    page.one("form", action="/logout")


def test_dashboard_without_charts() -> None:
    page = render(
        "dashboard.html",
        "pt",
        agent=SUPERVISOR,
        csrf_token="c",
        charts=[],
        summary=Summary(),
        days=7,
        periods=DASHBOARD_PERIODS,
    )
    assert console_text("pt", "dashboard.no_chart") in page.source
    assert page.find("svg") == []


# -- the error page ------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", CONSOLE_LANGUAGES)
def test_error_page(language: str) -> None:
    page = render("error.html", language, status_code=403, message_key="csrf")
    assert page.one("h1").text == console_text(language, "error_page.title", status=403)
    assert console_text(language, "error_page.csrf") in [p.text for p in page.find("p")]
    assert page.find("form", action="/logout") == []


def test_error_page_for_a_signed_in_agent() -> None:
    page = render("error.html", "en", status_code=403, message_key="csrf", agent=AGENT, csrf_token="c")
    page.one("form", action="/logout")


# -- the script and the style sheet --------------------------------------------------------------------
def test_console_js_parses() -> None:
    node = shutil.which("node")
    assert node, "node is installed by scripts/ensure-system-packages.sh"
    result = subprocess.run([node, "--check", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_console_js_never_inserts_html() -> None:
    source = SCRIPT.read_text(encoding="utf-8")
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert unsafe not in source, unsafe
    assert "textContent" in source
    assert 'credentials: "same-origin"' in source and '"X-CSRF-Token"' in source
    assert "new EventSource(" in source and "/api/events" in source
    assert re.search(r"https?://", source.split("*/", 1)[1]) is None, "no other site"


def test_console_css() -> None:
    style = STYLE.read_text(encoding="utf-8")
    assert "@media (prefers-reduced-motion: reduce)" in style
    assert "@import" not in style and "url(" not in style
    assert "[hidden] { display: none !important; }" in style
    for chart_class in ("chart-bar", "chart-line", "chart-dot", "chart-text"):
        assert f".{chart_class}" in style
