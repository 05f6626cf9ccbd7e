"""Per-message cost of the MessageInspector NLU component (language classifier + langdetect), trained on
data/nlu and timed on the held-out messages of tests/nlu (unseen text: on training text langdetect never
runs, since every word is known). Prints the median and 95th percentile per message; a figure, never a test.

    .venv/bin/python -m bench.message_inspector
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.message_inspector import MessageInspector

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu"
ROUNDS = 20


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        storage, resource = LocalModelStorage(Path(directory)), Resource("message_inspector")
        context = ExecutionContext(GraphSchema({}), "bench")
        inspector = MessageInspector.create({}, storage, resource, context)
        training_data = load_data(str(DATA))
        inspector.train(training_data)
        texts = [
            m.get("text")
            for path in sorted(HELDOUT.glob("*.yml"))
            for m in load_data(str(path)).intent_examples
        ]
        timings = []
        for _ in range(ROUNDS):
            for text in texts:
                message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.9}})
                start = time.perf_counter()
                inspector.process([message])
                timings.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"{len(timings)} messages: median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms per message"
    )


if __name__ == "__main__":
    main()
