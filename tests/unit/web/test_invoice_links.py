"""`GET /invoices/<token>.pdf`: the PDF behind a signed link, a localized 404 otherwise."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.billing.sql.backend import SqlBillingBackend

from .conftest import NOW, Clock, Ids, path_of

CAMILLE = "482130"


def invoice_path(backend: SqlBillingBackend, customer_id: int, language: str = "fr") -> tuple[str, str]:
    reference = backend.list_invoices(customer_id, limit=1)[0].reference
    return path_of(backend.invoice_link(customer_id, reference, language, NOW).url), reference


async def test_a_valid_link_serves_the_pdf_inline(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids
) -> None:
    path, reference = invoice_path(portal_backend, customer_ids[CAMILLE])
    assert path.startswith("/invoices/") and path.endswith(".pdf")
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="{reference}.pdf"'
    assert response.content.startswith(b"%PDF")


def tampered(path: str) -> str:
    position = len("/invoices/") + 5
    replacement = "A" if path[position] != "A" else "B"
    return path[:position] + replacement + path[position + 1 :]


@pytest.mark.parametrize(
    ("accept_language", "title"),
    [
        (None, "Lien introuvable"),
        ("pt-BR,pt;q=0.9", "Link não encontrado"),
        ("en-US,fr;q=0.5", "Lien introuvable"),
    ],
)
async def test_a_tampered_link_is_a_localized_404(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    customer_ids: Ids,
    accept_language: str | None,
    title: str,
) -> None:
    path, _ = invoice_path(portal_backend, customer_ids[CAMILLE])
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = await client.get(tampered(path), headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert title in response.text and "%PDF" not in response.text


async def test_an_expired_or_malformed_link_is_a_404(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids, clock: Clock
) -> None:
    path, _ = invoice_path(portal_backend, customer_ids[CAMILLE])
    for other in (path.removesuffix(".pdf"), "/invoices/nothing.pdf", "/invoices/%C3%A9.pdf"):
        assert (await client.get(other)).status_code == 404, other
    assert (await client.get(path)).status_code == 200
    clock.now = NOW + timedelta(minutes=60)  # links last LINK_MINUTES
    response = await client.get(path)
    assert response.status_code == 404 and "facture" in response.text
