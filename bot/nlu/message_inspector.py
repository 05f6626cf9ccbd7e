"""NLU component: which language a message is in, and whether it is usable at all.

- `detected_language` entity (fr/pt) when a character n-gram classifier, trained on our own examples
  (labelled by the `language` metadata of each intent block), is confident. Short or ambiguous messages
  ("ok", "482130") get none, so the conversation keeps its language.
- `channel_language` entity from the channel's hint (`metadata.language`, e.g. Telegram's language_code).
- `input_issue` entity and the `nlu_fallback` intent for messages nobody could answer as such: empty,
  no letters or digits (emoji only), too long, confidently in another language, or not text at all (a
  photo, a voice note, a location, which the channels mark in `metadata.media`: bot/channels/media.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import joblib
from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from bot.channels.media import media_kind
from bot.i18n import SUPPORTED_LANGUAGES, normalize_language
from bot.text import fold

logger = logging.getLogger(__name__)

DetectorFactory.seed = 0  # langdetect is random by default; make it repeatable
# langdetect confuses casual Portuguese and French with these (it calls "obrigado pela ajuda amigo"
# Spanish at 0.9999): a message in one of them is answered in our languages rather than refused.
NEIGHBOUR_LANGUAGES = frozenset({"es", "it", "ca", "gl", "ro", "oc"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)
MODEL_FILE = "language_classifier.joblib"
FALLBACK_INTENT = "nlu_fallback"


def example_language(message: Message) -> str | None:
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        language = normalize_language((metadata.get(level) or {}).get("language"))
        if language:
            return language
    return None


def words_of(text: str) -> list[str]:
    """Words of two letters or more, lower case and without accents."""
    return [fold(word) for word in _WORD.findall(text) if len(word) > 1]


def input_issue(text: str, max_chars: int) -> str | None:
    if not text.strip():
        return "empty"
    if not _ALNUM.search(text):
        return "no_text"
    if len(text) > max_chars:
        return "too_long"
    return None


def media_issue(metadata: dict[str, Any]) -> str | None:
    """`location` for a shared location, `media` for any other message that is not text."""
    kind = media_kind(metadata)
    if kind is None:
        return None
    return "location" if kind == "location" else "media"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class MessageInspector(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "min_letters": 2,
            "language_threshold": 0.8,
            "max_chars": 2000,
            "other_language_min_words": 4,
            "other_language_threshold": 0.8,
            # a message where at least this share of the words are words of our own training data is
            # ours, whatever langdetect says ("bjr tt le monde", "changement de rib stp", "ticket TK-6VJ2NE")
            "known_words_share": 0.5,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Pipeline | None = None,
        symbol_intents: dict[str, str] | None = None,
        vocabulary: frozenset[str] = frozenset(),
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier
        self._symbol_intents = symbol_intents or {}
        self._vocabulary = vocabulary

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageInspector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        symbol_intents: dict[str, str] = {}
        for message in training_data.intent_examples:
            if input_issue(message.get("text"), self._config["max_chars"]) == "no_text":
                symbol_intents[message.get("text").strip()] = message.get("intent")
            language = example_language(message)
            if language:
                texts.append(message.get("text"))
                labels.append(language)
        if len(set(labels)) < 2:
            raise ValueError("MessageInspector needs examples of at least two languages (intent metadata)")
        classifier = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), lowercase=True, sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=2000, random_state=0),
        )
        classifier.fit(texts, labels)
        vocabulary = frozenset(word for text in texts for word in words_of(text))
        self._classifier, self._symbol_intents, self._vocabulary = classifier, symbol_intents, vocabulary
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(
                {"classifier": classifier, "symbol_intents": symbol_intents, "vocabulary": vocabulary},
                directory / MODEL_FILE,
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MessageInspector:
        try:
            with model_storage.read_from(resource) as directory:
                saved = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("message_inspector.untrained")
            return cls(config, model_storage, resource)
        return cls(
            config,
            model_storage,
            resource,
            saved["classifier"],
            saved["symbol_intents"],
            saved["vocabulary"],
        )

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._inspect(message)
        return messages

    # -- per message -----------------------------------------------------------------------------
    def _inspect(self, message: Message) -> None:
        text: str = message.get("text") or ""
        entities: list[dict[str, Any]] = list(message.get("entities") or [])
        metadata = message.get("metadata") or {}

        hint = normalize_language(metadata.get("language"))
        if hint:
            entities.append(self._entity("channel_language", hint, text))

        issue = media_issue(metadata) or input_issue(text, self._config["max_chars"])
        if issue == "no_text" and text.strip() in self._symbol_intents:
            # a lone 👍 is a fine "yes", when our own examples say so; DIET is over-confident on unseen emoji
            issue = None
            message.set(
                "intent", {"name": self._symbol_intents[text.strip()], "confidence": 1.0}, add_to_output=True
            )
        if issue is None and self._is_other_language(text):
            issue = "other_language"
        if issue is None:
            language, confidence = self.classify_language(text)
            if language:
                entities.append(self._entity("detected_language", language, text, confidence))
        else:
            entities.append(self._entity("input_issue", issue, text))
            message.set("intent", {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True)
        message.set("entities", entities, add_to_output=True)

    def classify_language(self, text: str) -> tuple[str | None, float]:
        letters = sum(len(word) for word in _WORD.findall(text))
        if self._classifier is None or letters < self._config["min_letters"]:
            return None, 0.0
        probabilities = self._classifier.predict_proba([text])[0]
        best = int(probabilities.argmax())
        confidence = float(probabilities[best])
        if confidence < self._config["language_threshold"]:
            return None, confidence
        return str(self._classifier.classes_[best]), confidence

    def _is_other_language(self, text: str) -> bool:
        words = words_of(text)
        if len(words) < self._config["other_language_min_words"]:
            return False
        if sum(word in self._vocabulary for word in words) >= self._config["known_words_share"] * len(words):
            return False
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return False
        if best.lang in SUPPORTED_LANGUAGES or best.lang in NEIGHBOUR_LANGUAGES:
            return False
        return bool(best.prob >= self._config["other_language_threshold"])

    @staticmethod
    def _entity(name: str, value: str, text: str, confidence: float = 1.0) -> dict[str, Any]:
        return {
            "entity": name,
            "value": value,
            "start": 0,
            "end": len(text),
            "confidence_entity": round(confidence, 4),
            "extractor": MessageInspector.__name__,
        }
