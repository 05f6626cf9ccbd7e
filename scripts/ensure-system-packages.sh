#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: a Unicode font for invoice PDFs (without it the
# PDF falls back to a core font). Installs what is missing when run as root with apt; otherwise says
# what to install and goes on.
set -euo pipefail
packages=(fonts-dejavu-core)

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "warning: missing Debian packages: ${missing[*]} (install them with apt-get as root)" >&2
fi
