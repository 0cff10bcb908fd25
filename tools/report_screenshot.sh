#!/usr/bin/env bash
# Regenerates docs/images/report.png: the fleet report of examples/ as headless Chromium draws it.
# Usage: tools/report_screenshot.sh [PYTHON]   (CHROMIUM=path overrides the browser)
set -euo pipefail
cd "$(dirname "$0")/.."
py="${1:-.venv/bin/python}"
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome)}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$py" -m ossa_lsp report examples/ -o "$out/report.html" || [ $? -eq 1 ]  # exit 1: the examples have errors
"$chromium" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1700 \
  --user-data-dir="$out/profile" --screenshot="$out/report.png" "file://$out/report.html" >/dev/null 2>&1
cp "$out/report.png" docs/images/report.png
echo "docs/images/report.png updated"
