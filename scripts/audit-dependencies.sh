#!/usr/bin/env bash
# Audits the locked dependencies (requirements.lock) for known vulnerabilities with pip-audit.
#
# pip-audit cannot live in .venv (it needs packaging>=23, rasa pins packaging<21), so it gets its own
# venv, var/tools/pip-audit, made once per pinned version with the Python that made .venv (or python3)
# and never sharing its site-packages. The report is var/reliability/pip-audit.json (pip-audit's JSON:
# every dependency with its vulnerabilities, or the reason it could not be audited), and a summary on
# standard output. The vulnerability service is PyPI's JSON API (pip-audit's default); PIP_AUDIT_OSV_URL
# points it at an OSV API instead (a mirror); PIP_AUDIT_REPORT changes where the report goes.
#
# Exit status: 0 the audit ran (known vulnerabilities are reported, they do not fail the build: Rasa 3.6
# pins versions we cannot upgrade); 3 the vulnerability service could not be reached or answered for no
# package (nothing was audited; pip-audit itself says "No known vulnerabilities found" then); anything
# else: the tool could not be installed or failed otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_AUDIT_VERSION=2.10.1
TOOL_VENV=var/tools/pip-audit
REPORT=${PIP_AUDIT_REPORT:-var/reliability/pip-audit.json}
TIMEOUT_S=${PIP_AUDIT_TIMEOUT:-15} # per request to the vulnerability service
service=()
if [ -n "${PIP_AUDIT_OSV_URL:-}" ]; then
  service=(--vulnerability-service osv --osv-url "$PIP_AUDIT_OSV_URL")
fi

base_python() {
  # The interpreter .venv was made from (its pyvenv.cfg `home`), else python3: pip-audit needs >= 3.9.
  local home candidate
  if [ -f .venv/pyvenv.cfg ]; then
    home=$(sed -n 's/^home *= *//p' .venv/pyvenv.cfg | head -n 1)
    for candidate in "$home/python3" "$home/python"; do
      if [ -x "$candidate" ]; then
        echo "$candidate"
        return 0
      fi
    done
  fi
  command -v python3
}

stamp="$TOOL_VENV/.installed-pip-audit-$PIP_AUDIT_VERSION"
if [ ! -x "$TOOL_VENV/bin/pip-audit" ] || [ ! -f "$stamp" ]; then
  python=$(base_python)
  echo "Creating $TOOL_VENV with $python (pip-audit $PIP_AUDIT_VERSION)" >&2
  rm -rf "$TOOL_VENV"
  "$python" -m venv "$TOOL_VENV"
  "$TOOL_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pip-audit==$PIP_AUDIT_VERSION" 2> >(grep -v "is neither a file nor a directory" >&2)
  touch "$stamp"
fi

mkdir -p "$(dirname "$REPORT")"
partial="$REPORT.partial"
errors=$(mktemp)
trap 'rm -f "$partial" "$errors"' EXIT
rm -f "$partial"

# --no-deps --disable-pip: every line of the lock is pinned; audit exactly those, resolve nothing.
# pip-audit exits 1 when it finds vulnerabilities: the report tells which, the status is ours below.
set +e
"$TOOL_VENV/bin/pip-audit" -r requirements.lock --no-deps --disable-pip --format json -o "$partial" \
  --progress-spinner off --timeout "$TIMEOUT_S" "${service[@]}" 2>"$errors"
status=$?
set -e
grep -v -e "--no-deps is supported" -e "Consider using a tool like" "$errors" >&2 || true

if [ ! -s "$partial" ]; then
  if grep -q -E "ConnectionError|NameResolutionError|Max retries exceeded|Timeout|timed out|ServiceError" "$errors"; then
    echo "audit-dependencies: the vulnerability service could not be reached: $(grep -E 'Error|Timeout' "$errors" | tail -n 1)" >&2
    exit 3
  fi
  echo "audit-dependencies: pip-audit failed (exit $status) and wrote no report" >&2
  exit "$((status == 0 ? 1 : status))"
fi
mv "$partial" "$REPORT"

# What was audited: pip-audit lists a dependency it could not look up with a skip_reason (the PyPI JSON
# API answering 404 for everything, for instance) and still says "No known vulnerabilities found".
"$TOOL_VENV/bin/python" - "$REPORT" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
dependencies = report.get("dependencies", [])
skipped = [d for d in dependencies if "skip_reason" in d]
audited = [d for d in dependencies if "skip_reason" not in d]
found = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
print(f"audit-dependencies: {len(audited)} of {len(dependencies)} packages audited, "
      f"{len(found)} known vulnerabilities in {len({name for name, _, _ in found})} packages")
for name, version, vuln in found:
    print(f"  {name} {version}: {vuln}")
if skipped:
    print(f"  not audited: {len(skipped)} ({skipped[0]['skip_reason']}{', ...' if len(skipped) > 1 else ''})")
if dependencies and not audited:
    print(f"audit-dependencies: nothing audited, the vulnerability service did not answer: "
          f"{skipped[0]['skip_reason']}", file=sys.stderr)
    sys.exit(3)
PY
