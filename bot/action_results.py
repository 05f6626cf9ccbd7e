"""Rasa checks every reply of the action server against its JSON schema with `jsonschema.validate`, which
first checks the schema itself against the JSON Schema meta-schema and builds a new validator, for each
custom action of each message. py-spy on a Rasa instance under load (`python -m bench.serving`) put a
third of its CPU there. `install()` makes the validator once per process; the reply is still checked
against the same schema, and a bad reply fails with the same error as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError, exceptions, validators
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_INSTALLED = "_billing_validator_made_once"
RASA_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action "
    f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
)


@cache
def action_result_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    kind = validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema)


def validate_action_result(_: RemoteAction, result: dict[str, Any]) -> bool:
    error: ValidationError | None = exceptions.best_match(action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += RASA_HINT
    raise error


def install() -> None:
    """Replaces RemoteAction._validate_action_result (idempotent)."""
    if getattr(RemoteAction, _INSTALLED, False):
        return
    RemoteAction._validate_action_result = validate_action_result
    setattr(RemoteAction, _INSTALLED, True)
