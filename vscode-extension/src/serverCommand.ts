// How to start the server (pure: no `vscode` import, unit-tested with node:test).
//
// Precedence: `ossa.server.command` (the whole command) > `ossa.server.python` > (importStrategy
// `fromEnvironment`) an ossa-lsp installed for the Python extension's active environment, `python3`,
// `python` > the server bundled in a platform .vsix, run by those same interpreters. An environment
// launch is `<python> -m ossa_lsp`, a bundled one `<python> -I <extension>/bundled/launch.py`;
// vscode-languageclient appends `--stdio`, which the server accepts. Every candidate is probed with
// `--version` before the client starts; the first that answers is used, so a missing or outdated
// server in the environment falls through to the bundled one, and a real problem is reported.

import { ExpandContext, expandVariables, ServerSettings } from './settings';

export type LaunchSource = 'ossa.server.command' | 'ossa.server.python' | 'Python extension' | 'default' | 'bundled';

export interface Launch {
  command: string;
  args: string[];
  source: LaunchSource;
  /** The interpreter, for Python launches (what `pip install` must target). */
  python?: string;
}

/** The server shipped inside a platform-specific .vsix (absent from the universal one). */
export interface Bundle {
  /** Absolute path of bundled/launch.py. */
  launcher: string;
}

export interface Resolution {
  /** In order of preference; the first whose `--version` probe succeeds is used. */
  candidates: Launch[];
  /** Problems with the settings themselves (e.g. an unexpandable ${workspaceFolder}). */
  problems: string[];
}

export const SERVER_MODULE = 'ossa_lsp';

function pythonLaunch(python: string, source: LaunchSource): Launch {
  return { command: python, args: ['-m', SERVER_MODULE], source, python };
}

/** `-I`: the user's PYTHONPATH, user site-packages and the working directory stay out of sys.path. */
export function bundledLaunch(python: string, bundle: Bundle): Launch {
  return { command: python, args: ['-I', bundle.launcher], source: 'bundled', python };
}

export function resolveLaunch(
  settings: ServerSettings,
  ctx: ExpandContext,
  pythonFromExtension: string | undefined,
  platform: string = process.platform,
  bundle?: Bundle,
): Resolution {
  const problems: string[] = [];
  const expand = (value: string, setting: string): string => {
    const { value: out, unresolved } = expandVariables(value, ctx);
    for (const v of unresolved) {
      problems.push(`${setting}: cannot expand ${v}${v.includes('workspaceFolder') ? ' (no folder is open)' : ''}`);
    }
    return out;
  };
  if (settings.command.length > 0) {
    const [command, ...args] = settings.command.map((part) => expand(part, 'ossa.server.command'));
    return { candidates: [{ command, args, source: 'ossa.server.command' }], problems };
  }
  if (settings.python) {
    return { candidates: [pythonLaunch(expand(settings.python, 'ossa.server.python'), 'ossa.server.python')], problems };
  }
  const environment: Launch[] = [];
  if (pythonFromExtension) {
    environment.push(pythonLaunch(pythonFromExtension, 'Python extension'));
  }
  const defaults = platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
  for (const python of defaults) {
    if (!environment.some((c) => c.command === python)) {
      environment.push(pythonLaunch(python, 'default'));
    }
  }
  if (!bundle) {
    return { candidates: environment, problems };
  }
  const bundled = environment.map((c) => bundledLaunch(c.command, bundle));
  const candidates = settings.importStrategy === 'useBundled' ? bundled : [...environment, ...bundled];
  return { candidates, problems };
}

/** The command line that prints the server's version (`ossa-lsp X.Y.Z`). */
export function versionProbe(launch: Launch): { command: string; args: string[] } {
  return { command: launch.command, args: [...launch.args, '--version'] };
}

/** Human-readable command line, quoted for a POSIX shell (or cmd.exe on Windows). */
export function commandLine(parts: string[], platform: string = process.platform): string {
  return parts.map((p) => quote(p, platform)).join(' ');
}

export function quote(part: string, platform: string = process.platform): string {
  if (part !== '' && /^[\w@%+=:,./\\-]+$/.test(part)) {
    return part;
  }
  if (platform === 'win32') {
    return `"${part.replace(/"/g, '""')}"`;
  }
  return `'${part.replace(/'/g, `'\\''`)}'`;
}

export function describe(launch: Launch, platform: string = process.platform): string {
  return `${commandLine([launch.command, ...launch.args], platform)} (from ${launch.source})`;
}
