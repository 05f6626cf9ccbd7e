"""The portal's web chat pages: `/widget.js` (the built bundle with the widget's texts put in) and the
demo support page `/support`, whose Content-Security-Policy alone lets the widget run and connect."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot import i18n
from bot.billing.sql.backend import SqlBillingBackend
from bot.web import widget_pages
from bot.web.app import create_app
from bot.web.context import Portal

from .conftest import PORTAL_URL, WEBHOOK_SECRET, Clock, lifespan, untouched_after_the_test

SOCKET_URL = "https://chat.example.com"
FAKE_BUNDLE = 'var texts=JSON.parse("__BILLING_WIDGET_TEXTS__");console.log(texts);\n'


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "widget.js"
    monkeypatch.setattr(widget_pages, "BUNDLE", path)
    return path


@pytest.fixture
async def widget_client(
    bundle: Path, portal_backend: SqlBillingBackend, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("WIDGET_SOCKET_URL", SOCKET_URL + "/")
    untouched_after_the_test(monkeypatch)
    app = create_app(Portal(portal_backend, "fr", WEBHOOK_SECRET, clock=clock))
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PORTAL_URL) as http:
            yield http


def directives(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return dict(d.strip().split(" ", 1) for d in policy.split(";"))


async def test_an_unbuilt_widget_is_a_clear_503(widget_client: httpx.AsyncClient) -> None:
    response = await widget_client.get("/widget.js")
    assert response.status_code == 503
    assert "scripts/build-widget.sh" in response.text


async def test_the_bundle_is_served_with_the_texts_of_every_language(
    widget_client: httpx.AsyncClient, bundle: Path
) -> None:
    bundle.write_text(FAKE_BUNDLE, encoding="utf-8")
    response = await widget_client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"  # other sites may embed it
    assert response.headers["x-content-type-options"] == "nosniff"
    match = re.fullmatch(r'var texts=JSON\.parse\((".*")\);console\.log\(texts\);\n', response.text)
    assert match, response.text[:200]
    texts = json.loads(json.loads(match.group(1)))
    assert set(texts) == set(i18n.SUPPORTED_LANGUAGES)
    for language in i18n.SUPPORTED_LANGUAGES:
        assert texts[language] == i18n.catalogue(language)["widget"]
    assert texts["fr"]["send"] == "Envoyer" and texts["pt"]["send"] == "Enviar"

    bundle.write_text("var rebuilt = 1;\n", encoding="utf-8")  # a rebuild is served without a restart
    assert (await widget_client.get("/widget.js")).text == "var rebuilt = 1;\n"


async def test_the_support_page_carries_the_widget_in_french(widget_client: httpx.AsyncClient) -> None:
    response = await widget_client.get("/support")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="fr">' in page
    assert (
        f'<script src="/widget.js" data-socket-url="{SOCKET_URL}" data-language="fr" defer></script>' in page
    )
    assert i18n.text("fr", "portal.support_page.heading") in page
    assert '<a href="/support?lang=pt"' in page and "Versão em português" in page
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == f"{SOCKET_URL} wss://chat.example.com"
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=", page)  # no inline code


async def test_the_portuguese_support_page(widget_client: httpx.AsyncClient) -> None:
    page = (await widget_client.get("/support", params={"lang": "pt-BR"})).text
    assert '<html lang="pt-BR">' in page
    assert 'data-language="pt"' in page
    assert i18n.text("pt", "portal.support_page.heading") in page
    assert '<a href="/support?lang=fr"' in page and "Version française" in page


async def test_other_pages_keep_the_strict_policy(widget_client: httpx.AsyncClient) -> None:
    for path in ("/health", "/", "/static/portal.css", "/nowhere"):
        policy = directives(await widget_client.get(path))
        assert "script-src" not in policy and "connect-src" not in policy, path


def test_the_socket_url_is_an_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIDGET_SOCKET_URL", raising=False)
    monkeypatch.delenv("RASA_PORT", raising=False)
    assert widget_pages.socket_url() == "http://127.0.0.1:5005"
    monkeypatch.setenv("RASA_PORT", "5105")
    assert widget_pages.socket_url() == "http://127.0.0.1:5105"
    monkeypatch.setenv("WIDGET_SOCKET_URL", " http://10.0.0.2:5005/ ")
    assert widget_pages.socket_url() == "http://10.0.0.2:5005"
    for wrong in (
        "ftp://x.example",
        "chat.example.com",
        "https://chat.example.com/socket.io",
        "http://x?a=1",
    ):
        monkeypatch.setenv("WIDGET_SOCKET_URL", wrong)
        with pytest.raises(ValueError, match="WIDGET_SOCKET_URL"):
            widget_pages.socket_url()
    assert widget_pages.support_page_policy("http://127.0.0.1:5005").endswith(
        "connect-src http://127.0.0.1:5005 ws://127.0.0.1:5005"
    )
