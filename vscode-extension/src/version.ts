// Server version check and the actionable messages when the server is missing or too old
// (pure: no `vscode` import, unit-tested with node:test).

import { commandLine, Launch } from './serverCommand';

/** The oldest server this extension works with (it needs `--stdio`, `--version`, the `ossa-lsp.*` commands). */
export const MIN_SERVER_VERSION = '0.1.0';
export const PACKAGE = 'ossa-lsp';

export type Version = [number, number, number];

/** `ossa-lsp 0.1.0` (what `python -m ossa_lsp --version` prints) → [0, 1, 0]. */
export function parseVersion(output: string): Version | undefined {
  const m = /\bossa-lsp\s+v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) {
      return a[i] < b[i] ? -1 : 1;
    }
  }
  return 0;
}

export function formatVersion(v: Version): string {
  return v.join('.');
}

export interface ProbeResult {
  /** Exit code, or null when the process could not run at all. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Spawn error code, e.g. ENOENT when the interpreter does not exist. */
  error?: string;
}

export type Verdict =
  | { ok: true; version: Version }
  | { ok: false; reason: 'not-found' | 'missing' | 'too-old' | 'unsupported-python' | 'failed'; version?: Version; detail: string };

export type Failure = Exclude<Verdict, { ok: true }>;

/** bundled/launch.py's status and line prefix for an interpreter the bundle has no libraries for. */
const BUNDLE_UNSUPPORTED = { code: 3, line: /^ossa-lsp bundle: (.+)$/m };

export function judge(result: ProbeResult, minimum: string = MIN_SERVER_VERSION): Verdict {
  const detail = (result.stderr || result.stdout || result.error || '').trim().split('\n').slice(-3).join('\n');
  if (result.error === 'ENOENT' || result.error === 'EACCES') {
    return { ok: false, reason: 'not-found', detail: result.error };
  }
  const unsupported = BUNDLE_UNSUPPORTED.line.exec(result.stderr);
  if (result.code === BUNDLE_UNSUPPORTED.code && unsupported) {
    return { ok: false, reason: 'unsupported-python', detail: unsupported[1].trim() };
  }
  const version = parseVersion(result.stdout) ?? parseVersion(result.stderr);
  if (result.code === 0 && version) {
    const min = parseVersion(`ossa-lsp ${minimum}`) as Version;
    return compareVersions(version, min) < 0 ? { ok: false, reason: 'too-old', version, detail } : { ok: true, version };
  }
  if (/No module named ['"]?ossa_lsp|ModuleNotFoundError|command not found|is not recognized/.test(result.stderr)) {
    return { ok: false, reason: 'missing', detail };
  }
  return { ok: false, reason: 'failed', detail: detail || `exit code ${result.code}` };
}

/** `python -m pip install …`: for a checkout of this repository, an editable install of it. */
export function installCommand(launch: Launch, checkout: string | undefined, upgrade: boolean,
  platform: string = process.platform): string {
  const python = launch.python ?? (platform === 'win32' ? 'python' : 'python3');
  const target = checkout ? ['-e', checkout] : [upgrade ? `${PACKAGE}>=${MIN_SERVER_VERSION}` : PACKAGE];
  return commandLine([python, '-m', 'pip', 'install', ...(upgrade && !checkout ? ['-U'] : []), ...target], platform);
}

/** Whether a pyproject.toml is this project's (then `pip install -e <folder>` is the right hint). */
export function isServerCheckout(pyprojectText: string): boolean {
  return /^\s*name\s*=\s*["']ossa-lsp["']/m.test(pyprojectText);
}

/**
 * Which failure to tell the user about when no candidate worked: with a bundle, the bundled server's
 * (an environment without ossa-lsp is expected then), else any; the first that is more than "this
 * interpreter does not exist" (no `python` on PATH is normal), else the first.
 */
export function pickProblem(tried: Array<[Launch, Failure]>): [Launch, Failure] | undefined {
  const bundled = tried.filter(([launch]) => launch.source === 'bundled');
  const pool = bundled.length > 0 ? bundled : tried;
  return pool.find(([, verdict]) => verdict.reason !== 'not-found') ?? pool[0];
}

/** The notification for the bundled server: no pip command (there is nothing to install but Python). */
function bundledProblem(launch: Launch, verdict: Failure, run: string): string {
  const other = 'set "ossa.server.python" to a Python 3.10+ (or "ossa.server.command" to another server)';
  switch (verdict.reason) {
    case 'not-found':
      return `OSSA: cannot start the bundled language server: no Python interpreter was found ("${launch.command}"). ` +
        `Install Python 3.10 or newer, or ${other}.`;
    case 'unsupported-python':
      return `OSSA: cannot start the bundled language server: ${verdict.detail.replace(/\.$/, '')}. ` +
        `Install one of those, or ${other}.`;
    default:
      return `OSSA: the bundled language server did not start ("${run} --version": ${verdict.detail.split('\n').pop()}). ` +
        `See the output for details, or ${other}.`;
  }
}

/** The one notification shown when the server cannot be used, with the exact command to fix it. */
export function problemMessage(launch: Launch, verdict: Failure, checkout: string | undefined,
  platform: string = process.platform): { message: string; install: string } {
  const run = commandLine([launch.command, ...launch.args], platform);
  if (launch.source === 'bundled') {
    return { message: bundledProblem(launch, verdict, run), install: '' };
  }
  const install = installCommand(launch, checkout, verdict.reason === 'too-old', platform);
  let message: string;
  switch (verdict.reason) {
    case 'not-found':
      message = launch.python
        ? `OSSA: cannot start the language server: the Python interpreter "${launch.command}" (${launch.source}) was not found. ` +
          `Set "ossa.server.python" to a Python 3.10+ with ossa-lsp, or install it: ${install}`
        : `OSSA: cannot start the language server: "${launch.command}" (ossa.server.command) was not found. ` +
          `Install the server with: ${install}`;
      break;
    case 'missing':
      message = `OSSA: the ossa-lsp language server is not installed for ${launch.python ?? launch.command}. Install it with: ${install}`;
      break;
    case 'too-old':
      message = `OSSA: ossa-lsp ${formatVersion(verdict.version as Version)} is too old for this extension ` +
        `(it needs ${MIN_SERVER_VERSION} or newer). Upgrade it with: ${install}`;
      break;
    default:
      message = `OSSA: "${run} --version" failed (${verdict.detail.split('\n').pop()}). ` +
        `Reinstall the server with: ${install}`;
  }
  return { message, install };
}
