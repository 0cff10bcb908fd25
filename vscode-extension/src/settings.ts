// Settings resolution (pure: no `vscode` import, unit-tested with node:test).
// Reads the extension-only settings from a plain object and expands the variables VS Code users
// expect in paths: ${workspaceFolder}, ${workspaceFolder:name}, ${workspaceFolderBasename},
// ${userHome}, ${env:NAME} and a leading ~.

export interface Folder {
  name: string;
  path: string;
}

export interface ExpandContext {
  /** Workspace folders, the one of the active resource first. */
  folders: Folder[];
  userHome: string;
  env: Record<string, string | undefined>;
}

export interface Expanded {
  value: string;
  /** Variables that could not be expanded (e.g. ${workspaceFolder} with no folder open). */
  unresolved: string[];
}

const VARIABLE = /\$\{([^}]+)\}/g;

export function expandVariables(value: string, ctx: ExpandContext): Expanded {
  const unresolved: string[] = [];
  let out = value.replace(VARIABLE, (whole: string, name: string) => {
    let resolved: string | undefined;
    if (name === 'workspaceFolder' || name === 'workspaceRoot') {
      resolved = ctx.folders[0]?.path;
    } else if (name === 'workspaceFolderBasename') {
      const path = ctx.folders[0]?.path;
      resolved = path === undefined ? undefined : path.replace(/[\\/]+$/, '').split(/[\\/]/).pop();
    } else if (name.startsWith('workspaceFolder:')) {
      const wanted = name.slice('workspaceFolder:'.length);
      resolved = ctx.folders.find((f) => f.name === wanted)?.path;
    } else if (name === 'userHome') {
      resolved = ctx.userHome;
    } else if (name.startsWith('env:')) {
      resolved = ctx.env[name.slice('env:'.length)] ?? '';
    }
    if (resolved === undefined) {
      unresolved.push(whole);
      return whole;
    }
    return resolved;
  });
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
    out = ctx.userHome + out.slice(1);
  }
  return { value: out, unresolved };
}

/**
 * `fromEnvironment`: an ossa-lsp installed in the Python environment wins over the bundled one (the
 * version a project pins for CI); `useBundled`: always the server bundled with the extension.
 */
export type ImportStrategy = 'fromEnvironment' | 'useBundled';

/** The extension-only settings (`ossa.server.*`), typed and defaulted. */
export interface ServerSettings {
  python: string;
  command: string[];
  importStrategy: ImportStrategy;
}

/** Read `ossa.server.*` from whatever `workspace.getConfiguration('ossa')` returned; bad values → defaults. */
export function readServerSettings(get: (key: string) => unknown): ServerSettings {
  const python = get('server.python');
  const command = get('server.command');
  const strategy = get('server.importStrategy');
  return {
    python: typeof python === 'string' ? python.trim() : '',
    command: Array.isArray(command) ? command.filter((c): c is string => typeof c === 'string' && c !== '') : [],
    importStrategy: strategy === 'useBundled' ? 'useBundled' : 'fromEnvironment',
  };
}
