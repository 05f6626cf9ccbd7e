"""Headers on every response, pages without script or inline style, and errors that leak nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from bot.billing.backend import BackendUnavailable
from bot.billing.models import PaymentMethodKind
from bot.billing.sql.backend import SqlBillingBackend

from .conftest import NOW, Ids, logged_text, path_of

EXPECTED = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def assert_secure(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "script-src" not in directives and "unsafe-inline" not in policy and "unsafe-eval" not in policy


def assert_no_inline_code(page: str) -> None:
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", page, re.IGNORECASE)


async def test_every_kind_of_response_carries_the_security_headers(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids
) -> None:
    julien = customer_ids["517204"]
    card = portal_backend.create_payment_request(julien, Decimal("19.99"), PaymentMethodKind.CARD, NOW)
    invoice = portal_backend.list_invoices(julien, limit=1)[0].reference
    responses = [
        await client.get(f"/pay/{card.reference}"),
        await client.post(f"/pay/{card.reference}", data={"number": "1"}),
        await client.get(path_of(portal_backend.create_payment_method_link(julien, NOW).url)),
        await client.get(path_of(portal_backend.invoice_link(julien, invoice, "fr", NOW).url)),
        await client.get("/invoices/nothing.pdf"),
        await client.get("/nowhere"),
        await client.get("/"),
        await client.delete("/health"),
        await client.post("/webhooks/payments", content=b"{}"),
        await client.get("/static/portal.css"),
        await client.get("/health"),
    ]
    for response in responses:
        assert_secure(response)
    pages = [r for r in responses if r.headers["content-type"].startswith("text/html")]
    assert len(pages) == 7  # all but the PDF, the webhook's JSON, the stylesheet and /health
    for page in pages:
        assert_no_inline_code(page.text)
        assert '<link rel="stylesheet" href="/static/portal.css">' in page.text
    assert [r.status_code for r in responses] == [200, 400, 200, 200, 404, 404, 404, 405, 401, 200, 200]
    assert responses[-2].headers["content-type"].startswith("text/css")
    assert responses[-1].json() == {"status": "ok"}


async def test_a_backend_failure_is_a_503_page_that_leaks_nothing(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
) -> None:
    def unavailable(*_: object) -> None:
        raise BackendUnavailable("could not connect to server: secret-host:5432")

    monkeypatch.setattr(portal_backend, "check_payment_method_link", unavailable)
    token = "a-secret-token-from-the-link"
    response = await client.get(f"/secure/payment-method/{token}", headers={"Accept-Language": "pt"})
    assert response.status_code == 503 and "Serviço temporariamente indisponível" in response.text
    assert "secret-host" not in response.text
    assert_secure(response)
    assert token not in logged_text(logged) and "portal.backend_unavailable" in logged.text


async def test_an_unexpected_error_is_a_500_page_logged_without_the_url(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(portal_backend, "open_invoice_link", broken)
    token = "some-secret-invoice-token.pdf"
    response = await client.get(f"/invoices/{token}")
    assert response.status_code == 500 and "Service momentanément indisponible" in response.text
    assert "boom" not in response.text and "Traceback" not in response.text
    assert_secure(response)
    assert "portal.error" in logged.text and token.removesuffix(".pdf") not in logged_text(logged)
