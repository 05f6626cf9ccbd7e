"""The dependency audit: scripts/audit-dependencies.sh runs a pinned pip-audit (its own venv, var/tools/)
over requirements.lock and writes var/reliability/pip-audit.json.

Known vulnerabilities are reported in the row, they do not fail it (Rasa 3.6 pins versions we cannot
upgrade). An audit that could not ask the vulnerability service is skipped with the reason, never passed:
pip-audit itself then lists every package as "not found" and says "No known vulnerabilities found".
The second row checks the script's verdicts against a stand-in OSV service on the loopback interface.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.processes import PROJECT_DIR
from tests.reliability.report import Figures

SCRIPT = PROJECT_DIR / "scripts" / "audit-dependencies.sh"
LOCK_FILE = PROJECT_DIR / "requirements.lock"
REPORT = PROJECT_DIR / "var" / "reliability" / "pip-audit.json"
SERVICE_UNREACHABLE = 3  # the script's exit status when nothing could be audited
AUDIT_TIMEOUT_S = 1200  # 210 packages, one request each (15 s timeout each), plus the tool's install
LISTED_VULNERABILITIES = 8  # in the row; the report has them all
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)", re.MULTILINE)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_packages() -> dict[str, str]:
    """name → version of every pinned line of requirements.lock."""
    return {canonical(name): version for name, version in PINNED.findall(LOCK_FILE.read_text("utf-8"))}


@dataclass(frozen=True)
class Run:
    status: int | None  # None: stopped after the timeout
    stdout: str
    stderr: str


def run_audit(extra_env: dict[str, str] | None = None, timeout: float = AUDIT_TIMEOUT_S) -> Run:
    """The script in its own process group, so that a timeout stops pip-audit too."""
    process = subprocess.Popen(
        [str(SCRIPT)],
        cwd=PROJECT_DIR,
        env={**os.environ, **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        return Run(None, stdout, stderr)
    return Run(process.returncode, stdout, stderr)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@dataclass(frozen=True)
class Audit:
    audited: dict[str, str]  # name → version
    skipped: dict[str, str]  # name → why it could not be audited
    vulnerabilities: list[tuple[str, str, str, list[str]]]  # package, version, id, fix versions


def read_report(path: Path) -> Audit:
    report: dict[str, Any] = json.loads(path.read_text("utf-8"))
    audited: dict[str, str] = {}
    skipped: dict[str, str] = {}
    found: list[tuple[str, str, str, list[str]]] = []
    for dependency in report["dependencies"]:
        name = canonical(dependency["name"])
        if "skip_reason" in dependency:
            skipped[name] = str(dependency["skip_reason"])
            continue
        audited[name] = str(dependency["version"])
        found += [
            (name, audited[name], str(vuln["id"]), [str(v) for v in vuln.get("fix_versions", [])])
            for vuln in dependency.get("vulns", [])
        ]
    return Audit(audited, skipped, found)


def listed(found: list[tuple[str, str, str, list[str]]]) -> str:
    shown = [f"{package} {version} {vuln_id}" for package, version, vuln_id, _ in found]
    more = len(shown) - LISTED_VULNERABILITIES
    return "; ".join(shown[:LISTED_VULNERABILITIES]) + (f"; +{more} more" if more > 0 else "")


@pytest.mark.reliability("Dependencies", "known vulnerabilities in requirements.lock (pip-audit)")
def test_dependency_audit(figures: Figures) -> None:
    locked = locked_packages()
    run = run_audit()
    figures["packages locked"] = len(locked)
    if run.status is None:
        figures["packages audited"] = 0
        figures["why"] = f"no answer from the vulnerability service within {AUDIT_TIMEOUT_S} s"
        pytest.skip(figures["why"])
    if run.status == SERVICE_UNREACHABLE:
        figures["packages audited"] = 0
        figures["why"] = (
            "the vulnerability service could not be reached (report: var/reliability/pip-audit.json)"
        )
        pytest.skip(f"the vulnerability service could not be reached: {last_line(run.stderr)}")
    assert run.status == 0, f"audit-dependencies.sh exited {run.status}:\n{run.stderr[-3000:]}"

    audit = read_report(REPORT)
    assert set(audit.audited) | set(audit.skipped) == set(locked), "the report does not cover the lock file"
    assert all(audit.audited[name] == locked[name] for name in audit.audited)
    figures["packages audited"] = len(audit.audited)
    if audit.skipped:
        figures["not audited"] = ", ".join(sorted(audit.skipped))
    figures["vulnerabilities"] = len(audit.vulnerabilities)
    figures["vulnerable packages"] = len({package for package, *_ in audit.vulnerabilities})
    if audit.vulnerabilities:
        figures["found"] = listed(audit.vulnerabilities)
    figures["report"] = str(REPORT.relative_to(PROJECT_DIR))


# -- The script's verdicts against a stand-in OSV API (pip-audit's `--osv-url`) on the loopback interface.
STAND_IN_VULNERABILITY = "STAND-IN-2026-0001"


class OsvStandIn(BaseHTTPRequestHandler):
    """POST /v1/query: one vulnerability for the package `vulnerable` names, none for the others; or a 503
    for everything when `down`."""

    vulnerable: tuple[str, str] = ("", "")
    down = False
    queries = 0

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        type(self).queries += 1
        if self.down:
            self.send_response(503)
            self.end_headers()
            return
        name, version = self.vulnerable
        package = query["package"]["name"]
        body: dict[str, Any] = {}
        if package == name and query["version"] == version:
            body = {
                "vulns": [
                    {
                        "id": STAND_IN_VULNERABILITY,
                        "summary": "stand-in vulnerability",
                        "affected": [
                            {
                                "package": {"name": name, "ecosystem": "PyPI"},
                                "ranges": [
                                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "999"}]}
                                ],
                            }
                        ],
                    }
                ]
            }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def osv_stand_in(vulnerable: tuple[str, str], *, down: bool) -> Iterator[tuple[str, type[OsvStandIn]]]:
    handler = type("Handler", (OsvStandIn,), {"vulnerable": vulnerable, "down": down, "queries": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.reliability(
    "Dependencies", "audit script: a vulnerability is reported, a dead service is not a pass"
)
def test_audit_script_verdicts_against_a_stand_in_service(figures: Figures, tmp_path: Path) -> None:
    locked = locked_packages()
    vulnerable = min(locked.items())  # the first package of the lock, at its pinned version
    report = tmp_path / "pip-audit.json"
    env = {"PIP_AUDIT_REPORT": str(report), "PIP_AUDIT_TIMEOUT": "5"}

    with osv_stand_in(vulnerable, down=False) as (url, service):
        found = run_audit({**env, "PIP_AUDIT_OSV_URL": url}, timeout=600)
    assert found.status == 0, (
        f"exit {found.status}: known vulnerabilities must not fail the build\n{found.stderr}"
    )
    audit = read_report(report)
    assert set(audit.audited) == set(locked) and not audit.skipped
    assert [(p, v, i) for p, v, i, _ in audit.vulnerabilities] == [(*vulnerable, STAND_IN_VULNERABILITY)]
    assert STAND_IN_VULNERABILITY in found.stdout
    figures["queries answered"] = service.queries
    figures["reported"] = f"{vulnerable[0]} {vulnerable[1]} {STAND_IN_VULNERABILITY}, exit 0"

    report.unlink()
    with osv_stand_in(vulnerable, down=True) as (url, service):
        dead = run_audit({**env, "PIP_AUDIT_OSV_URL": url}, timeout=600)
    assert dead.status == SERVICE_UNREACHABLE, f"exit {dead.status}\n{dead.stderr}"
    assert not report.exists()
    figures["service down"] = f"exit {dead.status} (skipped, not passed)"
