"""`GET /invoices/<token>.pdf`: the invoice behind a signed link (`BillingBackend.invoice_link`)."""

from __future__ import annotations

import logging
import re

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from bot.billing.backend import NotFound
from bot.web.context import Portal
from bot.web.pages import not_found, visitor_language

logger = logging.getLogger("bot.web.invoices")
SUFFIX = ".pdf"
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def blueprint(portal: Portal) -> Blueprint:
    routes = Blueprint("invoices")

    @routes.get("/invoices/<token:str>")
    async def invoice_pdf(request: Request, token: str) -> HTTPResponse:
        if not token.endswith(SUFFIX):
            return not_found(visitor_language(request, portal.default_language))
        try:
            document, file_name = await portal.call(portal.backend.open_invoice_link, token, portal.now())
        except NotFound:
            logger.info("portal.invoice_link_refused")
            return not_found(visitor_language(request, portal.default_language), "invoice")
        safe_name = _UNSAFE_IN_FILE_NAME.sub("_", file_name)
        logger.info("portal.invoice_served", extra={"file": safe_name})
        return raw(
            document,
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{safe_name}"'},
        )

    return routes
