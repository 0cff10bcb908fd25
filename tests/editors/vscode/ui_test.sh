#!/usr/bin/env bash
# VS Code for real: code-server with the packaged .vsix installed, driven by headless Chromium
# (Debian) through playwright-core (ui_test.cjs). Everything lives under $WORK; code-server and all
# it starts run in their own process group, ended on exit.
# Env: CS (code-server binary), VSIX, PY (python with ossa-lsp, written to ossa.server.python; empty:
#      no setting, so the extension runs its bundled server), WORK (with WORK/ws prepared),
#      OUT (results dir), NODE_PATH (node_modules with playwright-core).
#      Optional: PORT, CHROMIUM, MODE (bundled: only the checks a clean machine can pass), SCREENSHOT.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
: "${CS:?}" "${VSIX:?}" "${PY?}" "${WORK:?}" "${OUT:?}"
PORT=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
mkdir -p "$WORK/data/User" "$WORK/ext" "$OUT"
# An interpreter without ossa-lsp, for the "server not installed" check at the end.
[ "${MODE:-}" = bundled ] || python3 -m venv --without-pip "$WORK/bare"
write_settings() {  # write_settings PYTHON (empty: no ossa.server.python)
  local python_line=""
  [ -z "$1" ] || python_line=$(printf ',\n  "ossa.server.python": "%s"' "$1")
  cat > "$WORK/data/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "editor.minimap.enabled": false,
  "editor.hover.delay": 200,
  "ossa.debounceMs": 50$python_line
}
JSON
}
write_settings "$PY"
ts() { date +%s.%N; }
t=$(ts)
"$CS" --config "$WORK/config.yaml" --user-data-dir "$WORK/data" --extensions-dir "$WORK/ext" \
  --install-extension "$VSIX" > "$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; exit 1; }
echo "install-extension $(basename "$VSIX"): $(awk -v a="$t" -v b="$(ts)" 'BEGIN { printf "%.1f", b - a }')s"
set -m  # own process group (pgid = its pid): the trap ends code-server, its extension host and the server
"$CS" --config "$WORK/config.yaml" --bind-addr "127.0.0.1:$PORT" --auth none \
  --user-data-dir "$WORK/data" --extensions-dir "$WORK/ext" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  "$WORK/ws" > "$OUT/code-server.log" 2>&1 &
CSPID=$!
set +m
trap 'kill -- -$CSPID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
CS_URL="http://127.0.0.1:$PORT" WS_DIR="$WORK/ws" OUT="$OUT" BARE_PYTHON="$WORK/bare/bin/python" \
  EXT_DIR="$WORK/ext" SERVER_PYTHON="$PY" node "$HERE/ui_test.cjs"
