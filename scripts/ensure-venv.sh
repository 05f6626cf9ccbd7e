#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs requirements.lock into it, unless the lock's fingerprint
# already matches what is installed. Idempotent: a second run with nothing changed does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
UV_VERSION=0.13.9
lock_hash=$(sha256sum requirements.lock | cut -c1-16)
stamp="$VENV/.installed-$lock_hash"

if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ]; then
  exit 0
fi

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/"3.10*/bin/python3.10 \
                   /usr/local/bin/python3.10 /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  if ! python=$(find_python310); then
    cat >&2 <<'MSG'
error: Python 3.10 is required (Rasa 3.6 supports Python 3.8 to 3.10) and none was found.
Install one, then run the command again, for example:
  - pyenv:           pyenv install 3.10 && export PYTHON310="$(pyenv root)/versions/$(pyenv latest 3.10)/bin/python3.10"
  - Debian/Ubuntu:   apt-get install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
Or point PYTHON310 at an interpreter: PYTHON310=/path/to/python3.10 make run
MSG
    exit 1
  fi
  echo "Creating $VENV with $python"
  "$python" -m venv "$VENV"
fi

echo "Installing locked dependencies (requirements.lock $lock_hash)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
"$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" requirements.lock
rm -f "$VENV"/.installed-*
touch "$stamp"
