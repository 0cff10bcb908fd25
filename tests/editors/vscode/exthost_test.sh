#!/usr/bin/env bash
# Extension integration tests inside the real VS Code extension host, without @vscode/test-electron
# (it downloads VS Code, impossible offline): the VS Code server bundled in code-server runs the
# workbench with the smoke-test driver, headless Chromium opens it with the URL payload
# extensionDevelopmentPath/extensionTestsPath, and ext_tests/index.js's run() executes in the remote
# (Node) extension host with the full `vscode` API. Its result JSON is read back by exthost_driver.cjs.
# Env: CS_PKG (node_modules/code-server), WORK, WS_DIR, EXT_DEV (built extension folder), PY, OUT,
#      NODE_PATH (node_modules with playwright-core). Optional: PORT.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
: "${CS_PKG:?}" "${WORK:?}" "${WS_DIR:?}" "${EXT_DEV:?}" "${PY:?}" "${OUT:?}"
PORT=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
mkdir -p "$WORK/data/User" "$WORK/ext" "$WORK/server" "$OUT"
python3 -m venv --without-pip "$WORK/bare"   # a Python without ossa-lsp
cat > "$WORK/data/User/settings.json" <<JSON
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "chat.disableAIFeatures": true,
  "ossa.debounceMs": 50,
  "ossa.server.python": "$PY"
}
JSON
export OSSA_RESULT="$OUT/vscode-exthost.json" OSSA_PYTHON="$PY" OSSA_BARE_PYTHON="$WORK/bare/bin/python"
rm -f "$OSSA_RESULT"
# server-main.js directly: the code-server CLI rejects --enable-smoke-test-driver, without which a built
# workbench ignores the payload. The extension host inherits this environment (OSSA_RESULT, ...).
set -m
node "$CS_PKG/lib/vscode/out/server-main.js" --host 127.0.0.1 --port "$PORT" \
  --without-connection-token --accept-server-license-terms --enable-smoke-test-driver \
  --disable-workspace-trust --telemetry-level off \
  --user-data-dir "$WORK/data" --server-data-dir "$WORK/server" --extensions-dir "$WORK/ext" \
  > "$OUT/vscode-server.log" 2>&1 &
SPID=$!
set +m
trap 'kill -- -$SPID 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done
CS_URL="http://127.0.0.1:$PORT" EXT_TESTS="$HERE/ext_tests/index.js" node "$HERE/exthost_driver.cjs"
