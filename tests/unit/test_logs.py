from __future__ import annotations

import json
import logging

from bot import logs


def test_json_lines_with_extras_and_redaction() -> None:
    record = logging.getLogger("actions.test").makeRecord(
        "actions.test", logging.INFO, __file__, 1, "payment.card_typed 4242 4242 4242 4242", (), None,
        extra={"customer_id": 7, "note": "ana@example.com"},
    )  # fmt: skip
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry["level"] == "info" and entry["logger"] == "actions.test"
    assert entry["customer_id"] == 7
    assert "4242" not in entry["event"] and entry["note"] == "a***@example.com"


def test_configure_is_idempotent_and_keeps_our_logs_apart() -> None:
    logs.configure()
    logs.configure()
    for name in logs.OUR_LOGGERS:
        logger = logging.getLogger(name)
        assert len([h for h in logger.handlers if isinstance(h.formatter, logs.JsonFormatter)]) == 1
        assert logger.propagate is False
