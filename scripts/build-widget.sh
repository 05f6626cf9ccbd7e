#!/usr/bin/env bash
# Builds the web chat widget (bot/web/widget: sources, package.json, package-lock.json) into one file,
# var/widget/widget.js, only when its inputs changed: their fingerprint is kept beside the bundle, as
# scripts/train-if-changed.sh does for the model. Dependencies come from the npm registry at the exact
# versions of package-lock.json (`npm ci`, install scripts off); nothing is loaded from a CDN.
# Prints the bundle path on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."

source_dir=bot/web/widget
out_dir=var/widget
bundle=$out_dir/widget.js
stamp=$out_dir/fingerprint

fingerprint=$(
  { find "$source_dir" -path "$source_dir/node_modules" -prune -o -type f \
      \( -name '*.js' -o -name '*.css' -o -name 'package.json' -o -name 'package-lock.json' \) -print0 \
      | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16
)

if [ -f "$bundle" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$fingerprint" ]; then
  echo "$bundle"
  exit 0
fi

command -v npm >/dev/null || { echo "npm (Node.js 18 or later) is needed to build the web chat widget" >&2; exit 1; }
echo "Building the web chat widget (inputs changed: $fingerprint)" >&2
mkdir -p "$out_dir"
(cd "$source_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
partial=$(mktemp "$out_dir/.widget.XXXXXX")
trap 'rm -f "$partial"' EXIT
"$source_dir/node_modules/.bin/esbuild" "$source_dir/src/index.js" --bundle --minify --format=iife \
  --target=es2019 --loader:.css=text --log-level=warning --outfile="$partial" >&2
# The portal puts the widget's texts in place of this literal (bot/web/widget_pages.py).
grep -q '__BILLING_WIDGET_TEXTS__' "$partial" || { echo "the bundle lost its texts placeholder" >&2; exit 1; }
chmod 0644 "$partial"
mv "$partial" "$bundle"
echo "$fingerprint" >"$stamp"
echo "$bundle"
