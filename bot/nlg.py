"""In-process NLG: renders every `utter_*` from locales/<lang>.yml in the conversation's language.

Configured in endpoints.yml as `nlg: {type: bot.nlg.LocaleNLG}`. Parameters come from the slots and
from the action's keyword arguments (the latter win); money and dates tagged by `bot.i18n` are
formatted for the language. An action may force the language with a `language` keyword argument.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_results, i18n, logs, ted_cache
from bot.language import conversation_language
from bot.resilience import action_server
from bot.settings import Settings

logger = logging.getLogger(__name__)

RENDERED_KEYS = ("text", "image", "attachment", "custom")


class LocaleNLG(NaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        self._random = random.Random()  # noqa: S311 (choosing a response variation, not a secret)
        self._default_language = Settings.from_env().default_language
        # Every Rasa process builds its NLG: the apology when actions fail, the reply check made once, TED's
        # predictions remembered by dialogue state, and our JSON logs (endpoints files: `json_logs: true`)
        # instead of Rasa's bare message lines.
        action_server.install()
        action_results.install()
        ted_cache.install()
        if endpoint_config is not None and endpoint_config.kwargs.get("json_logs"):
            logs.configure()

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        kwargs.pop("domain_responses", None)
        slots = tracker.current_slot_values()
        language = i18n.normalize_language(kwargs.pop("language", None)) or conversation_language(
            slots, self._default_language
        )
        variations = i18n.responses(language).get(utter_action)
        if not variations:
            logger.error("nlg.missing_response", extra={"response": utter_action, "language": language})
            return None
        return render_variation(self._random.choice(variations), {**slots, **kwargs}, language)


def render_variation(variation: dict[str, Any], params: dict[str, Any], language: str) -> dict[str, Any]:
    message: dict[str, Any] = {}
    for key in RENDERED_KEYS:
        value = variation.get(key)
        if isinstance(value, str):
            message[key] = i18n.fill(value, params, language)
        elif value is not None:
            message[key] = value
    buttons = variation.get("buttons")
    if buttons:
        message["buttons"] = [
            {**button, "title": i18n.fill(button["title"], params, language)} for button in buttons
        ]
    return message
