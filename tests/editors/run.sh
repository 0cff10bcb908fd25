#!/usr/bin/env bash
# Real-editor end-to-end tests: build + package the VS Code extension for this platform with the
# server bundled, then drive a real VS Code (code-server + headless Chromium) with it: once on a clean
# machine (no network, no ossa-lsp anywhere: the bundled server), once with the repo's
# .venv/bin/python -m ossa_lsp set in ossa.server.python; then the VS Code extension host, Neovim and
# Emacs + eglot. Called by .ci/run.
#
#   bash tests/editors/run.sh            everything (installs what it needs from apt/npm/PyPI)
#   ONLY=ext,nvim bash tests/editors/run.sh    some parts: ext (build, unit tests, bundle, package),
#                                        bundled, ui, exthost, nvim, emacs
#
# Installs go under ${OSSA_EDITORS_CACHE:-/tmp/ossa-editors} (npm cache, code-server, node tools, the
# extension's node_modules), so nothing big lands in the repo. Results: build/editors/ (logs, result
# JSON, screenshots), build/ossa-lsp-<target>-<version>.vsix, docs/images/vscode-problems.png,
# docs/images/vscode-inlay-codelens.png and docs/images/vscode-bundled-problems.png. OSSA_PYTHON: the
# Python with this repo's dev extra
# (default: the repo's .venv).
# An install that fails → a loud "SKIPPED: <why>" and that part is skipped (exit 0 for it); a test
# that fails → exit 1. The closing line counts parts: "editors: N passed, N failed, N skipped".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
C=${OSSA_EDITORS_CACHE:-/tmp/ossa-editors}
OUT="$REPO/build/editors"
PY=${OSSA_PYTHON:-$REPO/.venv/bin/python}
CODE_SERVER_VERSION=4.100.3   # VS Code 1.100.3: the newest code-server whose engine is Node 20
PLAYWRIGHT_VERSION=1.65.1
ONLY=${ONLY:-ext,bundled,ui,exthost,nvim,emacs}
export npm_config_cache="$C/npm-cache" npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$C" "$OUT"
T0=$(date +%s.%N)
declare -a TIMES=() SKIPS=() FAILS=() PASSES=()
APT_UPDATED=0

want() { [[ ",$ONLY," == *",$1,"* ]]; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
banner() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }
skip() { SKIPS+=("$1"); printf '\n\033[1;33m!!!!! SKIPPED: %s\033[0m\n' "$1" >&2; }
# step NAME CMD...: run and time; returns the command's status.
step() {
  local name=$1; shift
  local t; t=$(now)
  banner "$name"
  "$@"
  local rc=$?
  TIMES+=("$(printf '%-44s %7.1fs  %s' "$name" "$(since "$t")" "$([ $rc = 0 ] && echo ok || echo "FAILED ($rc)")")")
  return $rc
}
# test_step NAME CMD...: a test; its failure fails the run.
test_step() {
  local name=$1
  if step "$@"; then PASSES+=("$name"); else FAILS+=("$name"); fi
}

# ---- installs ---------------------------------------------------------------------------------
apt_install() {  # apt_install PKG...: install what is missing; 0 when all are there
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} = 0 ] && { echo "already installed: $*"; return 0; }
  if [ "$(id -u)" != 0 ]; then echo "not root: cannot apt-get install ${missing[*]}"; return 1; fi
  if [ $APT_UPDATED = 0 ]; then apt-get update -qq || return 1; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null || { echo "node/npm not found"; return 1; }
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" = 20 ] || { echo "node $major: code-server $CODE_SERVER_VERSION and this script need Node 20"; return 1; }
}

install_code_server() {  # the recipe of shared/editors/install_code_server.sh, with its 3 workarounds
  local dest="$C/cs" bin="$C/cs/node_modules/.bin/code-server"
  local cfg="$C/cs/config.yaml"  # --config: otherwise code-server writes ~/.config/code-server/config.yaml
  if [ -x "$bin" ] && "$bin" --config "$cfg" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
    echo "code-server $CODE_SERVER_VERSION already in $dest"; return 0
  fi
  apt_install libkrb5-dev || return 1  # kerberos builds from source (its prebuilt download fails offline)
  # @vscode/ripgrep's postinstall downloads rg from GitHub: seed its cache from the npm package that ships rg.
  local t; t=$(mktemp -d)
  ( cd "$t" && npm pack --silent @vscode/ripgrep-linux-x64@1.18.0 >/dev/null && tar xzf vscode-ripgrep-linux-x64-*.tgz ) || return 1
  local rgcache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$rgcache"
  tar czf "$rgcache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$t/package/bin" rg || return 1
  rm -rf "$t"
  # A local install (not -g: the nested npm install in lib/vscode would delete its own directory);
  # npm_config_yes=true: node-pty's postinstall runs `npx node-gyp`.
  mkdir -p "$dest"
  [ -f "$dest/package.json" ] || echo '{"name":"code-server-host","private":true}' > "$dest/package.json"
  ( cd "$dest" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" ) || return 1
  "$bin" --config "$cfg" --version 2>/dev/null | grep "^$CODE_SERVER_VERSION "
}

install_tools() {  # playwright-core drives Debian's Chromium (no browser download)
  local dest="$C/tools"
  [ -f "$dest/node_modules/playwright-core/package.json" ] && \
    grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$dest/node_modules/playwright-core/package.json" && \
    { echo "playwright-core $PLAYWRIGHT_VERSION already in $dest"; return 0; }
  mkdir -p "$dest"
  echo '{"name":"ossa-editor-test-tools","private":true}' > "$dest/package.json"
  ( cd "$dest" && npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" )
}

# The extension is built in a copy under the cache so its node_modules (npm ci from the committed
# package-lock.json) stays out of the repo and is reused while the lock file is unchanged.
EXT="$C/ext"
sync_extension() {
  mkdir -p "$EXT"
  find "$EXT" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  tar -C "$REPO/vscode-extension" --exclude=./node_modules --exclude=./dist --exclude=./out --exclude='*.vsix' -cf - . \
    | tar -C "$EXT" -xf -
}
install_extension_deps() {
  local stamp="$EXT/node_modules/.ossa-lock.sha256" sum
  sum=$(sha256sum "$EXT/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then echo "node_modules match package-lock.json"; return 0; fi
  ( cd "$EXT" && npm ci --no-audit --no-fund --loglevel=error ) || return 1
  echo "$sum" > "$stamp"
}

# ---- the extension: unit tests, type check, bundle, package, vsce ls -----------------------------
VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$REPO/vscode-extension/package.json" | head -1)
case "$(uname -m)" in  # the vsce target of this machine: its .vsix carries the server for it
  x86_64) TARGET=linux-x64 ;;
  aarch64 | arm64) TARGET=linux-arm64 ;;
  *) TARGET=unknown ;;
esac
VSIX="$REPO/build/ossa-lsp-$TARGET-$VERSION.vsix"
ext_unit() { ( cd "$EXT" && npm test --silent 2>&1 | tail -n 12 ); }
ext_settings_fresh() { "$PY" -m ossa_lsp.output.settings_export --check "$REPO/vscode-extension/package.json"; }
ext_package() {  # the server + dependencies for $TARGET from PyPI (tools/bundle_server.py), then vsce --target
  ( cd "$EXT" && rm -f ./*.vsix "$VSIX" && OSSA_REPO="$REPO" OSSA_PYTHON="$PY" OSSA_VSIX="$VSIX" \
      node scripts/package.mjs --target "$TARGET" 2>&1 | grep -v "^WARNING: Location" | tail -n 4 ) || return 1
  [ -f "$VSIX" ] && echo "$(basename "$VSIX"): $(( $(stat -c %s "$VSIX") / 1024 )) KiB"
}
ext_vsce_ls() {
  ( cd "$EXT" && node scripts/check-vsix.mjs ) || return 1
  # and the .vsix itself holds exactly those files (plus the two manifest files vsce adds), with the
  # server bundled for $TARGET
  "$PY" - "$VSIX" "$EXT/vsix-files.txt" "$TARGET" <<'PY'
import json, sys, zipfile
def norm(name):  # vsce stores LICENSE as LICENSE.txt, README.md as readme.md, CHANGELOG.md as changelog.md
    name = name.lower()
    return name[:-4] if name == "license.txt" else name
vsix = zipfile.ZipFile(sys.argv[1])
names = sorted(n.removeprefix("extension/") for n in vsix.namelist() if n.startswith("extension/"))
lines = [l.strip() for l in open(sys.argv[2]) if l.strip()]
folders = tuple(l[:-2] for l in lines if l.endswith("/**"))
bundled = [n for n in names if n.startswith(folders)]
listed = sorted(norm(n) for n in names if not n.startswith(folders))
expected = sorted(norm(l) for l in lines if not l.endswith("/**"))
if listed != expected:
    sys.exit(f"{sys.argv[1]} holds {listed}, expected {expected}")
manifest = json.loads(vsix.read("extension/bundled/libs/BUNDLE.json"))
if manifest["target"] != sys.argv[3] or f'TargetPlatform="{sys.argv[3]}"' not in vsix.read("extension.vsixmanifest").decode():
    sys.exit(f"{sys.argv[1]}: not a {sys.argv[3]} package (bundle for {manifest['target']})")
if manifest["unavailable"]:
    sys.exit(f"{sys.argv[1]}: no wheels for CPython {manifest['unavailable']}")
if any("__pycache__" in n or n.endswith(".pyc") for n in bundled):
    sys.exit(f"{sys.argv[1]}: Python bytecode in the bundle")
print(f"{sys.argv[1]}: {len(listed)} files as vsix-files.txt says, plus the server bundled for "
      f"{manifest['target']} and CPython {', '.join(manifest['pythons'])} in {len(bundled)} files")
PY
}

# ---- tests ---------------------------------------------------------------------------------------
show_result() {  # the steps and error of a result JSON (the whole JSON stays in build/editors/)
  "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("\n".join("  " + s for s in r.get("steps", [])))
print(r.get("error") or "")' "$1" 2>/dev/null || echo "no result in $1"
}

fresh_workspace() {  # fresh_workspace DIR: a scratch copy of tests/editors/workspace
  rm -rf "$1"; mkdir -p "$(dirname "$1")"; cp -r "$HERE/workspace" "$1"
}

t_ui() {  # ossa.server.python = the repo's venv: the user's setting wins over the bundled server
  local w="$C/work/ui"
  rm -rf "$w"; mkdir -p "$w"
  fresh_workspace "$w/ws"
  CS="$C/cs/node_modules/.bin/code-server" VSIX="$VSIX" PY="$PY" WORK="$w" OUT="$OUT" \
    NODE_PATH="$C/tools/node_modules" bash "$HERE/vscode/ui_test.sh" || return 1
  mkdir -p "$REPO/docs/images"
  cp "$OUT/vscode-problems.png" "$REPO/docs/images/vscode-problems.png"
  cp "$OUT/vscode-inlay-codelens.png" "$REPO/docs/images/vscode-inlay-codelens.png"
}

# The .vsix on a clean machine: a fresh profile and HOME, an environment with nothing but
# PATH=/usr/bin:/bin (Debian's python3, which has no ossa-lsp; no venv, no ossa-lsp command), and a
# network namespace whose only interface is loopback (code-server and Chromium talk over it).
SYS_PYTHON=/usr/bin/python3
bundled_preconditions() {
  unshare -n true 2>/dev/null || { echo "unshare -n is not permitted (needs root)"; return 1; }
  [ -x "$SYS_PYTHON" ] || { echo "no $SYS_PYTHON"; return 1; }
  command -v ip >/dev/null || apt_install iproute2 || { echo "no ip (iproute2) to bring up loopback"; return 1; }
}
t_bundled() {
  local w="$C/work/bundled" ip; ip=$(command -v ip)
  rm -rf "$w"; mkdir -p "$w/home"
  fresh_workspace "$w/ws"
  local clean=(env -i PATH=/usr/bin:/bin HOME="$w/home" LANG=C.UTF-8)
  if "${clean[@]}" sh -c 'command -v ossa-lsp'; then echo "FAIL: ossa-lsp is on the clean PATH"; return 1; fi
  if "${clean[@]}" "$SYS_PYTHON" -c 'import ossa_lsp' 2>/dev/null; then echo "FAIL: $SYS_PYTHON imports ossa_lsp"; return 1; fi
  echo "clean machine: $("$SYS_PYTHON" --version), no ossa-lsp on PATH=/usr/bin:/bin or in its site-packages; no network"
  "${clean[@]}" CS="$C/cs/node_modules/.bin/code-server" VSIX="$VSIX" PY="" WORK="$w" OUT="$OUT" \
    NODE_PATH="$C/tools/node_modules" MODE=bundled SCREENSHOT=vscode-bundled-problems.png \
    unshare -n bash -c '"$0" link set lo up && exec bash "$1"' "$ip" "$HERE/vscode/ui_test.sh" || return 1
  mkdir -p "$REPO/docs/images"
  cp "$OUT/vscode-bundled-problems.png" "$REPO/docs/images/vscode-bundled-problems.png"
}

t_exthost() {
  local w="$C/work/exthost"
  rm -rf "$w"; mkdir -p "$w"
  fresh_workspace "$w/ws"
  CS_PKG="$C/cs/node_modules/code-server" WORK="$w" WS_DIR="$w/ws" EXT_DEV="$EXT" PY="$PY" OUT="$OUT" \
    NODE_PATH="$C/tools/node_modules" bash "$HERE/vscode/exthost_test.sh"
}

t_nvim() {
  local w="$C/work/nvim"
  rm -rf "$w"; mkdir -p "$w"
  fresh_workspace "$w/ws"
  # The set-up snippet from docs/editors.md, verbatim; `ossa-lsp` resolves to the one beside $PY.
  "$PY" "$HERE/extract_snippet.py" "$REPO/docs/editors.md" neovim > "$w/ossa.lua" || return 1
  PATH="$(dirname "$PY"):$PATH" XDG_CACHE_HOME="$w/cache" XDG_DATA_HOME="$w/data" XDG_STATE_HOME="$w/state" \
    OSSA_SNIPPET="$w/ossa.lua" OSSA_FILE="$w/ws/agent.ossa.yaml" OSSA_OTHER="$w/ws/agents/notifier.yaml" \
    OSSA_OUT="$OUT/nvim.json" timeout 120 nvim --headless -n -i NONE --noplugin -u "$HERE/nvim_test.lua"
  local rc=$?
  show_result "$OUT/nvim.json"
  return $rc
}

t_emacs() {
  local w="$C/work/emacs"
  rm -rf "$w"; mkdir -p "$w"
  fresh_workspace "$w/ws"
  "$PY" "$HERE/extract_snippet.py" "$REPO/docs/editors.md" emacs > "$w/ossa.el" || return 1
  PATH="$(dirname "$PY"):$PATH" HOME="$w/home" OSSA_SNIPPET="$w/ossa.el" OSSA_FILE="$w/ws/agent.ossa.yaml" \
    OSSA_OUT="$OUT/emacs.json" timeout 120 emacs --batch -Q -l "$HERE/eglot_test.el" 2>"$OUT/emacs.stderr"
  local rc=$?
  show_result "$OUT/emacs.json"
  [ $rc = 0 ] || tail -n 20 "$OUT/emacs.stderr"
  return $rc
}

# ---- run ---------------------------------------------------------------------------------------
[ -x "$PY" ] || { echo "no $PY: create the venv first (README: python3 -m venv .venv && .venv/bin/pip install -e '.[dev]')"; exit 1; }

HAVE_NODE=0; HAVE_EXT=0; HAVE_VSIX=0; HAVE_CS=0; HAVE_TOOLS=0; HAVE_CHROMIUM=0
if want ext || want bundled || want ui || want exthost; then
  if step "check: node 20 + npm" node_ok; then HAVE_NODE=1; else skip "VS Code parts: node 20 + npm needed"; fi
fi
if [ $HAVE_NODE = 1 ]; then
  sync_extension
  if step "npm ci (extension, package-lock.json)" install_extension_deps; then HAVE_EXT=1
  else skip "extension: npm ci failed (registry unreachable?)"; fi
fi
if [ $HAVE_EXT = 1 ]; then
  test_step "extension: settings match the server model" ext_settings_fresh
  test_step "extension: node:test unit tests" ext_unit
  if step "extension: typecheck + bundle + vsce package" ext_package; then HAVE_VSIX=1; PASSES+=("package"); else FAILS+=("package"); fi
  [ $HAVE_VSIX = 1 ] && test_step "extension: vsce ls = vsix-files.txt" ext_vsce_ls
fi
if [ $HAVE_EXT = 1 ] && { want ui || want exthost || want bundled; }; then
  if step "apt: chromium" apt_install chromium; then HAVE_CHROMIUM=1; else skip "VS Code tests: apt-get install chromium failed"; fi
  if step "npm: code-server $CODE_SERVER_VERSION" install_code_server; then HAVE_CS=1
  else skip "VS Code tests: code-server $CODE_SERVER_VERSION did not install"; fi
  if step "npm: playwright-core $PLAYWRIGHT_VERSION" install_tools; then HAVE_TOOLS=1
  else skip "VS Code tests: playwright-core did not install"; fi
fi
if [ $HAVE_CHROMIUM = 1 ] && [ $HAVE_CS = 1 ] && [ $HAVE_TOOLS = 1 ]; then
  if want bundled; then
    if [ $HAVE_VSIX != 1 ]; then skip "bundled-server test: no .vsix"
    elif step "check: unshare -n, $SYS_PYTHON, ip" bundled_preconditions; then
      test_step "test: bundled server, clean machine, no network" t_bundled
    else skip "bundled-server test: needs root for unshare -n, $SYS_PYTHON and iproute2"; fi
  fi
  if want ui; then
    if [ $HAVE_VSIX = 1 ]; then test_step "test: VS Code UI (code-server + Chromium)" t_ui
    else skip "VS Code UI test: no .vsix"; fi
  fi
  want exthost && test_step "test: VS Code extension host" t_exthost
fi
if want nvim; then
  if step "apt: neovim" apt_install neovim; then test_step "test: Neovim headless (docs snippet)" t_nvim
  else skip "Neovim test: apt-get install neovim failed"; fi
fi
if want emacs; then
  if step "apt: emacs-nox elpa-eglot" apt_install emacs-nox elpa-eglot; then test_step "test: Emacs + eglot batch (docs snippet)" t_emacs
  else skip "Emacs test: apt-get install emacs-nox elpa-eglot failed"; fi
fi

banner "timings"
printf '%s\n' "${TIMES[@]}"
printf '%-44s %7.1fs\n' "TOTAL" "$(since "$T0")"
for s in "${SKIPS[@]}"; do printf '\033[1;33mSKIPPED: %s\033[0m\n' "$s"; done
for f in "${FAILS[@]}"; do printf '\033[1;31mFAILED: %s\033[0m\n' "$f"; done
echo "results: $OUT"
echo "editors: ${#PASSES[@]} passed, ${#FAILS[@]} failed, ${#SKIPS[@]} skipped"
[ ${#FAILS[@]} = 0 ]
