#!/usr/bin/env bash
# Trains the Rasa model only when its inputs changed. The model is named after the fingerprint of
# config.yml, domain/, data/, the custom NLU components with the modules they import (bot/text.py,
# bot/i18n.py, bot/channels/media.py) and the lock file, so a second run reuses it.
# The training duration (whole seconds) goes next to the model, in <model>.train-seconds (for the bench).
# Prints the model path on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."

fingerprint=$(
  { find config.yml domain data bot/nlu bot/text.py bot/i18n.py bot/channels/media.py requirements.lock -type f \( -name '*.yml' -o -name '*.py' -o -name '*.lock' \) \
      -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16
)
model="models/billing-$fingerprint.tar.gz"

# One training at a time: a second caller waits for the first, then finds its model.
mkdir -p models
exec 9>models/.train.lock
flock 9
if [ ! -f "$model" ]; then
  echo "Training the model (inputs changed: $fingerprint)" >&2
  start=$(date +%s)
  RASA_TELEMETRY_ENABLED=false .venv/bin/rasa train --config config.yml --domain domain --data data \
    --out models --fixed-model-name "billing-$fingerprint" --augmentation 0 --quiet >&2
  seconds=$(( $(date +%s) - start ))
  echo "$seconds" >"$model.train-seconds"
  echo "Training took $seconds s" >&2
  # keep the three most recent models (and their training durations)
  ls -t models/billing-*.tar.gz 2>/dev/null | tail -n +4 | while read -r old; do rm -f "$old" "$old.train-seconds"; done
fi
echo "$model"
