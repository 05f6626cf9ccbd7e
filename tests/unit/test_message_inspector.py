"""The NLU component trained for real (Rasa model storage), on our own training data."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.channels.media import media_metadata, placeholder
from bot.nlu.message_inspector import FALLBACK_INTENT, MessageInspector, input_issue

DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"


@pytest.fixture(scope="module")
def inspector(tmp_path_factory: pytest.TempPathFactory) -> MessageInspector:
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("message_inspector")
    context = ExecutionContext(GraphSchema({}), "test")
    trained = MessageInspector.create({}, storage, resource, context)
    trained.train(load_data(str(DATA)))
    return MessageInspector.load({}, storage, resource, context)


def inspect(inspector: MessageInspector, text: str, **data: object) -> Message:
    message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.99}, **data})
    inspector.process([message])
    return message


def entity(message: Message, name: str) -> str | None:
    return next((e["value"] for e in message.get("entities") if e["entity"] == name), None)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Olá", "pt"),
        ("Bonjour", "fr"),
        ("quanto eu devo", "pt"),
        ("combien je dois", "fr"),
        ("vc pode me ajudar com a fatura?", "pt"),
        ("jveux ma facture stp", "fr"),
        ("obrigado pela ajuda amigo", "pt"),
    ],
)
def test_detects_french_and_portuguese(inspector: MessageInspector, text: str, language: str) -> None:
    message = inspect(inspector, text)
    assert entity(message, "detected_language") == language
    assert message.get("intent")["name"] == "greet"


@pytest.mark.parametrize("text", ["482130", "ok", "01310-100"])
def test_ambiguous_messages_carry_no_language(inspector: MessageInspector, text: str) -> None:
    assert entity(inspect(inspector, text), "detected_language") is None


def test_channel_hint_becomes_an_entity(inspector: MessageInspector) -> None:
    message = inspect(inspector, "482130", metadata={"language": "pt-BR"})
    assert entity(message, "channel_language") == "pt"


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("", "empty"),
        (" \n ", "empty"),
        ("🤔🤔", "no_text"),
        ("x" * 2001, "too_long"),
        ("Hello, could you tell me how much I owe?", "other_language"),
    ],
)
def test_unusable_input_becomes_a_fallback_with_its_issue(
    inspector: MessageInspector, text: str, issue: str
) -> None:
    message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.3}})
    inspector.process([message])
    assert entity(message, "input_issue") == issue
    assert message.get("intent")["name"] == FALLBACK_INTENT


@pytest.mark.parametrize(
    ("kind", "issue"),
    [("image", "media"), ("audio", "media"), ("unknown", "media"), ("location", "location")],
)
def test_a_message_that_is_not_text_is_answered_as_such(
    inspector: MessageInspector, kind: str, issue: str
) -> None:
    """A photo's placeholder text is not guessed at: the channel said it was not text."""
    message = inspect(inspector, placeholder(kind), metadata={**media_metadata(kind), "language": "pt"})
    assert entity(message, "input_issue") == issue
    assert entity(message, "channel_language") == "pt"
    assert message.get("intent")["name"] == FALLBACK_INTENT


def test_an_emoji_from_the_training_data_gets_its_intent(inspector: MessageInspector) -> None:
    message = inspect(inspector, "👍")
    assert entity(message, "input_issue") is None
    assert message.get("intent")["name"] == "affirm"


def test_an_unseen_emoji_is_unusable_whatever_the_classifier_said(inspector: MessageInspector) -> None:
    message = inspect(inspector, "🦄🦄")
    assert entity(message, "input_issue") == "no_text"
    assert message.get("intent")["name"] == FALLBACK_INTENT


def test_input_issue_boundaries() -> None:
    assert input_issue("a" * 2000, 2000) is None
    assert input_issue("1", 2000) is None


@pytest.mark.parametrize(
    "text",
    [
        "bon week-end à vous",
        "ticket TK-6VJ2NE",
        "changement de rib stp",
        "2ª via do boleto pfv",
        "bjr tt le monde",
    ],
)
def test_our_own_words_are_never_another_language(inspector: MessageInspector, text: str) -> None:
    # langdetect calls each of these English, Dutch or Slovak with a high probability
    assert entity(inspect(inspector, text), "input_issue") is None


@pytest.mark.parametrize(
    "text", ["where can I download my last invoice please", "Ich möchte meine Rechnung bezahlen, bitte"]
)
def test_sentences_in_other_languages_are_still_refused(inspector: MessageInspector, text: str) -> None:
    assert entity(inspect(inspector, text), "input_issue") == "other_language"
