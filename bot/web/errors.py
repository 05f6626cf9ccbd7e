"""Error pages of the portal, in the visitor's language. Sanic's own error handler would log the URL,
which holds a link's token: every exception comes here instead and is logged without it."""

from __future__ import annotations

import logging

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse

from bot.billing.backend import BackendUnavailable
from bot.web.pages import not_found, render, visitor_language

logger = logging.getLogger("bot.web")


def install(app: Sanic, default_language: str) -> None:
    def handle(request: Request, exception: Exception) -> HTTPResponse:
        language = visitor_language(request, default_language)
        if isinstance(exception, SanicException):
            status = int(exception.status_code or 500)
            if status == 404:
                return not_found(language)
            if status < 500:
                return render("error.html", language, status=status, what="request")
        if isinstance(exception, BackendUnavailable):
            logger.warning("portal.backend_unavailable", extra={"route": request.name})
            return render("error.html", language, status=503, what="unavailable")
        logger.error(
            "portal.error",
            extra={"route": request.name, "error_type": type(exception).__name__},
            exc_info=exception,
        )
        return render("error.html", language, status=500, what="unavailable")

    app.error_handler.add(Exception, handle)
