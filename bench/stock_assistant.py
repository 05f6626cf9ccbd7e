"""The stock `rasa init` assistant, the serving benchmark's point of comparison: created and trained with
our Rasa once, in var/bench/stock-<Rasa version>/ (the training time kept next to it, in stock.json),
then served by `rasa run` with the REST channel only, as it comes: one Sanic worker, in-memory tracker
and lock stores, no action server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from bot.settings import rasa_process_env
from tests.processes import BIN, PROJECT_DIR, free_port
from tests.stack import Service

RASA_VERSION = version("rasa")
STOCK_DIR = PROJECT_DIR / "var" / "bench" / f"stock-{RASA_VERSION}"
SUMMARY = "stock.json"
CREDENTIALS = "bench-credentials.yml"


@dataclass(frozen=True)
class StockModel:
    project: Path
    model: Path
    train_seconds: float  # `rasa init --no-prompt`, measured when it was trained (scaffold included)


def stock_env() -> dict[str, str]:
    """The process settings ours gets (TensorFlow's thread pools, bot/settings.py), so that the ratios
    compare the assistants, not a setting either could use."""
    return rasa_process_env({**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SANIC_WORKERS": "1"})


def trained_stock_model(log: Path) -> StockModel:
    """The cached stock project and model; created and trained first when absent (`rasa init` output in
    `log`)."""
    summary = STOCK_DIR / SUMMARY
    if summary.is_file():
        known = json.loads(summary.read_text(encoding="utf-8"))
        model = STOCK_DIR / known["model"]
        if model.is_file():
            return StockModel(STOCK_DIR, model, float(known["train_seconds"]))
    # trained aside, then renamed: an interrupted training leaves no half-made cache
    building = STOCK_DIR.with_name(STOCK_DIR.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    start = time.perf_counter()
    with open(log, "wb") as out:
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(building)],
            cwd=building,
            env=stock_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    train_seconds = time.perf_counter() - start
    models = sorted((building / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"`rasa init` trained no model, see {log}")
    (building / CREDENTIALS).write_text("rest:\n", encoding="utf-8")
    model = models[-1].relative_to(building)
    record = {"rasa_version": RASA_VERSION, "model": str(model), "train_seconds": round(train_seconds, 1)}
    (building / SUMMARY).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    building.rename(STOCK_DIR)
    return StockModel(STOCK_DIR, STOCK_DIR / model, round(train_seconds, 1))


def stock_service(stock: StockModel, workdir: Path) -> Service:
    """`rasa run` of the stock model on a free port (not started yet); the REST channel is at
    `service.health_url` without its trailing slash."""
    port = free_port()
    command = [str(BIN / "rasa"), "run", "--model", str(stock.model)]
    command += ["--interface", "127.0.0.1", "--port", str(port)]
    command += ["--credentials", str(stock.project / CREDENTIALS)]
    command += ["--endpoints", str(stock.project / "endpoints.yml")]
    # "/" answers once the model is loaded (Rasa loads it before it serves)
    return Service("stock", command, stock_env(), workdir / "stock.log", f"http://127.0.0.1:{port}/")
