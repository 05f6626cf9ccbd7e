"""When the action server cannot be reached (or fails), the customer hears it, in their language, with the
support team's contact and the offer of a human, instead of Rasa's silence.

Rasa 3.6 logs a failed custom action and drops its events; the customer gets no answer at all. Rasa has no
hook for this, so `install()` wraps `RemoteAction.run` once per process (LocaleNLG calls it: every Rasa
process loads the NLG). The conversation itself is untouched (an open form stays open), so it goes on where
it was as soon as the action server is back. Rejections (a form's slot refused) are not failures and pass.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, FollowupAction
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.language import conversation_language
from bot.settings import Settings
from bot.support_contact import support_contact, support_country

logger = logging.getLogger(__name__)

APOLOGY = "utter_assistant_unavailable"
_INSTALLED = "_billing_apologises_when_unreachable"


async def apology(
    nlg: NaturalLanguageGenerator, tracker: DialogueStateTracker, output_channel: OutputChannel
) -> list[Event]:
    """The apology with the team's contact, then listen: no further action is tried in this turn."""
    language = conversation_language(tracker.current_slot_values(), Settings.from_env().default_language)
    contact = support_contact(support_country(language))
    message = await nlg.generate(
        APOLOGY, tracker, output_channel.name(), phone=contact.phone, email=contact.email
    )
    events: list[Event] = [FollowupAction(ACTION_LISTEN_NAME)]
    if message is not None:
        events.insert(0, create_bot_utterance(message))
    return events


def install() -> None:
    """Wraps RemoteAction.run (idempotent)."""
    if getattr(RemoteAction, _INSTALLED, False):
        return
    run = RemoteAction.run

    async def run_or_apologise(
        self: RemoteAction,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        tracker: DialogueStateTracker,
        domain: Domain,
        **kwargs: Any,
    ) -> list[Event]:
        try:
            return await run(self, output_channel, nlg, tracker, domain, **kwargs)
        except ActionExecutionRejection:
            raise
        except RasaException as error:
            logger.error(
                "actions.failed",
                extra={"action": self.name(), "error": type(error).__name__, "answer": APOLOGY},
            )
            return await apology(nlg, tracker, output_channel)

    RemoteAction.run = run_or_apologise
    setattr(RemoteAction, _INSTALLED, True)
