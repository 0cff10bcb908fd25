// The language client's life cycle: find a usable server (probing `--version`), start it, restart it,
// and report what went wrong in one actionable notification. The decisions themselves are in the pure
// modules (serverCommand.ts, settings.ts, version.ts); this file only talks to VS Code.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DynamicFeature,
  ExecuteCommandRegistrationOptions,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RegistrationData,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  StaticFeature,
  TransportKind,
} from 'vscode-languageclient/node';

import { commandsToRegister } from './commandIds';

import { DATA_LANGUAGES } from './detect';
import { Bundle, describe, Launch, resolveLaunch, versionProbe } from './serverCommand';
import { ExpandContext, readServerSettings } from './settings';
import { Failure, formatVersion, isServerCheckout, judge, pickProblem, ProbeResult, problemMessage, Version } from './version';

export type ServerState = 'stopped' | 'starting' | 'running' | 'failed';

const PROBE_TIMEOUT_MS = 30000;
// `python -m ossa_lsp` runs in the workspace folder: without this, Python 3.11+ would put that folder
// first on sys.path and import an `ossa_lsp` the workspace contains (bundled launches use -I instead).
const SERVER_ENV = { PYTHONSAFEPATH: '1', PYTHONUNBUFFERED: '1' };

/** The bundle of a platform .vsix (bundled/libs/ is made by tools/bundle_server.py), if this one has it. */
export function findBundle(extensionPath: string): Bundle | undefined {
  const dir = path.join(extensionPath, 'bundled');
  return existsSync(path.join(dir, 'libs', 'BUNDLE.json')) ? { launcher: path.join(dir, 'launch.py') } : undefined;
}

/** Notifications are routed through here so the integration tests can read what a user would see. */
export interface Notifier {
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
  info(message: string, ...actions: string[]): Thenable<string | undefined>;
}

export class ServerController implements vscode.Disposable {
  client: LanguageClient | undefined;
  state: ServerState = 'stopped';
  version: Version | undefined;
  launch: Launch | undefined;
  lastProblem: string | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly notify: Notifier,
    /** The command ids the extension registers itself (package.json contributes.commands). */
    private readonly ownCommands: ReadonlySet<string> = new Set(),
    /** The server bundled in this .vsix, if any. */
    private readonly bundle?: Bundle,
  ) {}

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  /** The running client, starting it first when needed; undefined when the server cannot be used. */
  async ensureStarted(): Promise<LanguageClient | undefined> {
    if (this.client && this.client.state === State.Running) {
      return this.client;
    }
    if (this.state === 'failed') {
      return undefined;  // told once; "Restart Language Server" or a settings change tries again
    }
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async restart(): Promise<LanguageClient | undefined> {
    await this.stop();
    this.setState('stopped');
    return this.ensureStarted();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.warn(`stopping the server: ${err}`);
      }
    }
  }

  private async start(): Promise<LanguageClient | undefined> {
    this.setState('starting');
    const found = await this.findServer();
    if (!found) {
      this.setState('failed');
      return undefined;
    }
    const [launch, version] = found;
    this.launch = launch;
    this.version = version;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: launch.command,
      args: launch.args,
      transport: TransportKind.stdio,  // the client appends --stdio; the server accepts it
      options: { cwd: folder, env: { ...process.env, ...SERVER_ENV } },
    };
    const selector = DATA_LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]);
    const clientOptions: LanguageClientOptions = {
      documentSelector: selector,  // the server answers only for OSSA manifests among these
      synchronize: { configurationSection: 'ossa' },
      initializationOptions: vscode.workspace.getConfiguration('ossa'),
      outputChannel: this.output,
      traceOutputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      diagnosticCollectionName: 'ossa',
      middleware: {
        // Diagnostics pushed by "Validate Workspace" for a closed file would sit next to the pulled
        // ones once the file is opened: drop the pushed copy when the editor takes over.
        didOpen: (document, next) => {
          this.client?.diagnostics?.delete(document.uri);
          return next(document);
        },
      },
    };
    const client = new OssaLanguageClient('ossa', 'OSSA Language Server', serverOptions, clientOptions);
    client.ownCommands = this.ownCommands;
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.client === client && this.state === 'running') {
        this.setState('stopped');
      } else if (e.newState === State.Running && this.client === client) {
        this.setState('running');
      }
    });
    this.client = client;
    this.output.info(`starting ${describe(launch)}, ossa-lsp ${formatVersion(version)}`);
    try {
      await client.start();
    } catch (err) {
      this.client = undefined;
      await this.report(`OSSA: the language server did not start (${describe(launch)}): ${err}`, undefined);
      this.setState('failed');
      return undefined;
    }
    this.setState('running');
    return client;
  }

  /** The first launch candidate whose `--version` says it is a usable ossa-lsp. */
  private async findServer(): Promise<[Launch, Version] | undefined> {
    const config = vscode.workspace.getConfiguration('ossa');
    // In an untrusted workspace VS Code ignores the workspace's values of these two settings
    // (package.json: capabilities.untrustedWorkspaces.restrictedConfigurations).
    const settings = readServerSettings((key) => config.get(key));
    const ctx: ExpandContext = {
      folders: (vscode.workspace.workspaceFolders ?? []).map((f) => ({ name: f.name, path: f.uri.fsPath })),
      userHome: os.homedir(),
      env: process.env,
    };
    const fromPython = settings.command.length || settings.python ? undefined : await pythonExtensionInterpreter();
    const { candidates, problems } = resolveLaunch(settings, ctx, fromPython, process.platform, this.bundle);
    for (const p of problems) {
      this.output.warn(p);
    }
    const failed: Array<[Launch, Failure]> = [];
    for (const launch of candidates) {
      const probe = versionProbe(launch);
      const result = await run(probe.command, probe.args, ctx.folders[0]?.path);
      const verdict = judge(result);
      this.output.info(`${describe(launch)} --version → ${verdict.ok ? formatVersion(verdict.version)
        : `${verdict.reason}: ${verdict.detail}`}`);
      if (verdict.ok) {
        return [launch, verdict.version];
      }
      failed.push([launch, verdict]);
    }
    const problem = pickProblem(failed);
    if (problem) {
      const checkout = await serverCheckout();
      const { message, install } = problemMessage(problem[0], problem[1], checkout);
      await this.report(message, install);
    }
    return undefined;
  }

  /** One notification with the exact fix; details go to the output channel. */
  private async report(message: string, install: string | undefined): Promise<void> {
    this.lastProblem = message;
    this.output.error(message);
    const actions = install ? ['Show Output', 'Copy Install Command', 'Open Settings'] : ['Show Output', 'Open Settings'];
    void this.notify.error(message, ...actions).then(async (choice) => {
      if (choice === 'Show Output') {
        this.output.show(true);
      } else if (choice === 'Copy Install Command' && install) {
        await vscode.env.clipboard.writeText(install);
      } else if (choice === 'Open Settings') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'ossa.server');
      }
    });
  }
}

/**
 * A LanguageClient that does not register, as VS Code commands, the server commands whose ids the
 * extension already registers (see commandIds.ts): a duplicate would stop the client from starting.
 */
class OssaLanguageClient extends LanguageClient {
  ownCommands: ReadonlySet<string> = new Set();

  override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const dynamic = feature as DynamicFeature<ExecuteCommandRegistrationOptions>;
    if (dynamic.registrationType?.method === ExecuteCommandRequest.method) {
      const register = dynamic.register.bind(dynamic);
      dynamic.register = (data: RegistrationData<ExecuteCommandRegistrationOptions>) => register({
        ...data,
        registerOptions: { ...data.registerOptions,
          commands: commandsToRegister(data.registerOptions.commands, this.ownCommands) },
      });
    }
    super.registerFeature(feature);
  }
}

function run(command: string, args: string[], cwd: string | undefined): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: PROBE_TIMEOUT_MS, windowsHide: true, env: { ...process.env, ...SERVER_ENV } },
      (error, stdout, stderr) => {
        const out = { stdout: String(stdout), stderr: String(stderr) };
        const code = (error as { code?: unknown } | null)?.code;
        if (!error) {
          resolve({ code: 0, ...out });
        } else if (typeof code === 'string') {  // could not run at all: ENOENT, EACCES, ...
          resolve({ code: null, error: code, ...out });
        } else {
          const killed = (error as { killed?: boolean }).killed;
          resolve({ code: typeof code === 'number' ? code : 1, ...out,
            stderr: killed ? `${out.stderr}\ntimed out after ${PROBE_TIMEOUT_MS / 1000} s` : out.stderr });
        }
      });
  });
}

/** The Python extension's active interpreter for the first folder, when that extension is installed. */
async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) {
    return undefined;
  }
  try {
    const api = (ext.isActive ? ext.exports : await withTimeout(ext.activate(), 15000)) as PythonApi | undefined;
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const envPath = api?.environments?.getActiveEnvironmentPath(resource);
    if (!envPath) {
      return undefined;
    }
    const env = await withTimeout(api!.environments!.resolveEnvironment(envPath), 15000);
    return env?.executable?.uri?.fsPath ?? envPath.path;
  } catch {
    return undefined;
  }
}

interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

export function onPythonEnvironmentChange(listener: () => void): vscode.Disposable | undefined {
  const ext = vscode.extensions.getExtension('ms-python.python');
  const api = ext?.isActive ? (ext.exports as PythonApi | undefined) : undefined;
  return api?.environments?.onDidChangeActiveEnvironmentPath?.(() => listener());
}

function withTimeout<T>(p: Thenable<T>, ms: number): Promise<T | undefined> {
  return Promise.race([Promise.resolve(p), new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

/** A workspace folder that is a checkout of ossa-lsp (then the hint is `pip install -e <folder>`). */
async function serverCheckout(): Promise<string | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'pyproject.toml'));
      if (isServerCheckout(Buffer.from(bytes).toString('utf8'))) {
        return folder.uri.fsPath;
      }
    } catch {
      // no pyproject.toml here
    }
  }
  return undefined;
}
