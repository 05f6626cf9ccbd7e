#!/usr/bin/env bash
# Debian packages beyond Python: nginx (the load balancer of the scale-out test), a Unicode font for invoice PDFs (without it the PDF falls back to a core
# font), Node.js and npm to bundle the web chat widget, and Chromium for the browser tests (Playwright
# drives /usr/bin/chromium; its own browser download is blocked here). Installs what is missing when run as root with apt; otherwise says
# what to install and goes on.
set -euo pipefail
packages=(fonts-dejavu-core chromium nginx-light)

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# Node.js may come from elsewhere (NodeSource bundles npm, and conflicts with Debian's npm): the commands count.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "warning: missing Debian packages: ${missing[*]} (install them with apt-get as root)" >&2
fi
