"""The environment of a Rasa server process (bot/settings.py): TensorFlow's thread pools default to one
thread, what the operator sets wins, and nothing else is added or dropped (Rasa needs its empty variables)."""

from __future__ import annotations

from bot.settings import RASA_PROCESS_DEFAULTS, rasa_process_env


def test_unset_or_blank_thread_settings_default_to_one_thread() -> None:
    env = rasa_process_env({"TF_INTER_OP_PARALLELISM_THREADS": " ", "REDIS_PASSWORD": ""})
    assert env == {**RASA_PROCESS_DEFAULTS, "REDIS_PASSWORD": ""}
    assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == env["TF_INTER_OP_PARALLELISM_THREADS"] == "1"


def test_what_the_operator_sets_wins() -> None:
    environ = {"TF_INTRA_OP_PARALLELISM_THREADS": "4", "TF_INTER_OP_PARALLELISM_THREADS": "2", "X": "y"}
    assert rasa_process_env(environ) == environ
