// Entry point: wires the output channel, status bar, commands and server controller together.
// No decisions are made here; they live in the pure modules (serverCommand, settings, version,
// detect, template, graphView) and in server.ts / commands.ts.

import * as vscode from 'vscode';

import { referenceArgs, SHOW_REFERENCES } from './commandIds';
import { Commands, GraphResult, RULE_SCHEME, ValidateSummary } from './commands';
import { isOssaDocument, OSSA_GLOB, specVersion } from './detect';
import { findBundle, onPythonEnvironmentChange, ServerController, ServerState } from './server';
import { formatVersion } from './version';

/** What `activate` returns: used by the integration tests, harmless for anyone else. */
export interface OssaApi {
  readonly server: ServerController;
  /** Every notification the extension showed, newest last. */
  readonly notifications: string[];
  statusText(): string;
  validateWorkspace(): Promise<ValidateSummary | undefined>;
  showAgentGraph(): Promise<GraphResult>;
}

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<OssaApi> {
  const output = vscode.window.createOutputChannel('OSSA', { log: true });
  const notifications: string[] = [];
  const notify = {
    error: (message: string, ...actions: string[]) => {
      notifications.push(message);
      return vscode.window.showErrorMessage(message, ...actions);
    },
    info: (message: string, ...actions: string[]) => {
      notifications.push(message);
      return vscode.window.showInformationMessage(message, ...actions);
    },
  };
  // The server offers `ossa.showReferences` too (for other clients); here the extension's own one runs.
  const own = new Set<string>([...(context.extension.packageJSON.contributes?.commands ?? [])
    .map((c: { command: string }) => c.command), SHOW_REFERENCES]);
  const server = new ServerController(output, notify, own, findBundle(context.extensionPath));
  controller = server;
  const commands = new Commands(server, context.extensionUri, notify.info);
  const status = vscode.window.createStatusBarItem('ossa.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'OSSA';
  status.command = 'ossa.showOutput';

  const updateStatus = (): void => {
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    const ossa = doc !== undefined && isOssaDocument(doc);
    const spec = ossa ? specVersion(doc.getText(), doc.fileName, doc.languageId) : undefined;
    const version = server.version
      ? `ossa-lsp ${formatVersion(server.version)}${server.launch?.source === 'bundled' ? ' (bundled)' : ''}`
      : 'ossa-lsp';
    const texts: Record<ServerState, [string, string]> = {
      stopped: ['$(circle-outline) OSSA', 'OSSA language server: stopped'],
      starting: ['$(sync~spin) OSSA', 'OSSA language server: starting…'],
      running: [`$(check) OSSA${spec ? ' ' + spec : ''}`, `${version} is running${spec ? `; this manifest uses OSSA ${spec}` : ''}`],
      failed: ['$(error) OSSA', server.lastProblem ?? 'OSSA language server: failed to start'],
    };
    const [text, tooltip] = texts[server.state];
    status.text = text;
    status.tooltip = `${tooltip}\nClick to show the output.`;
    status.backgroundColor = server.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    if (ossa || server.state === 'failed' || server.state === 'starting') {
      status.show();
    } else {
      status.hide();
    }
  };

  const startIfOssa = (doc: vscode.TextDocument): void => {
    if (isOssaDocument(doc)) {
      void server.ensureStarted();
    }
  };

  context.subscriptions.push(
    output,
    status,
    server,
    server.onDidChangeState(updateStatus),
    vscode.workspace.registerTextDocumentContentProvider(RULE_SCHEME, commands.ruleDocsProvider),
    vscode.commands.registerCommand('ossa.validateWorkspace', () => commands.validateWorkspace()),
    vscode.commands.registerCommand('ossa.newManifest', (arg) => commands.newManifest(arg)),
    vscode.commands.registerCommand('ossa.restartServer', () => server.restart()),
    vscode.commands.registerCommand('ossa.showRuleDocs', (code?: string) =>
      commands.showRuleDocs(typeof code === 'string' ? code : undefined)),
    vscode.commands.registerCommand('ossa.showAgentGraph', () => commands.showAgentGraph()),
    vscode.commands.registerCommand('ossa.showOutput', () => output.show(true)),
    vscode.commands.registerCommand(SHOW_REFERENCES, showReferences),
    vscode.workspace.onDidOpenTextDocument(startIfOssa),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) {
        updateStatus();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('ossa.server')) {
        output.info('ossa.server.* changed: restarting the server');
        void server.restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void server.restart()),
  );
  const pythonChange = onPythonEnvironmentChange(() => {
    if (server.launch?.source === 'Python extension' || server.state === 'failed') {
      void server.restart();
    }
  });
  if (pythonChange) {
    context.subscriptions.push(pythonChange);
  }

  updateStatus();
  // Start now when a manifest is open or the workspace has one; otherwise on the first manifest opened.
  if (vscode.workspace.textDocuments.some((d) => isOssaDocument(d))) {
    void server.ensureStarted();
  } else {
    void vscode.workspace.findFiles(OSSA_GLOB, '**/node_modules/**', 1).then((found) => {
      if (found.length > 0) {
        void server.ensureStarted();
      }
    });
  }

  return {
    server,
    notifications,
    statusText: () => status.text,
    validateWorkspace: () => commands.validateWorkspace(),
    showAgentGraph: () => commands.showAgentGraph(),
  };
}

export function deactivate(): Thenable<void> | undefined {
  return controller?.stop();  // shutdown + exit, so no server process outlives the window
}

/** A code lens click (`ossa.showReferences`, LSP JSON arguments) → VS Code's references peek, which wants
 * VS Code objects. */
function showReferences(uri: unknown, position: unknown, locations: unknown): Thenable<unknown> | undefined {
  const args = referenceArgs(uri, position, locations);
  if (!args) {
    return undefined;
  }
  const pos = (p: { line: number; character: number }) => new vscode.Position(p.line, p.character);
  return vscode.commands.executeCommand('editor.action.showReferences', vscode.Uri.parse(args.uri), pos(args.position),
    args.locations.map((l) => new vscode.Location(vscode.Uri.parse(l.uri), new vscode.Range(pos(l.range.start), pos(l.range.end)))));
}
