// The palette commands (`ossa.*`). Server-side work goes through `workspace/executeCommand` to the
// server's `ossa-lsp.*` commands; templates, HTML and wording come from the pure modules.

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
} from 'vscode-languageclient/node';

import { AGENT_GRAPH_COMMANDS, firstAdvertised, SERVER_COMMANDS } from './commandIds';
import { OSSA_GLOB } from './detect';
import { graphHtml, mermaidSource, nonce } from './graphView';
import { ServerController } from './server';
import { ExistingManifest, inferConventions, manifestPath, renderManifest, validateName } from './template';
import { formatVersion } from './version';


export interface ValidateSummary {
  files: number;
  errors: number;
  warnings: number;
  infos?: number;
  filesWithProblems?: number;
  cancelled?: boolean;
}

export interface GraphResult {
  available: boolean;
  message?: string;
  panel?: vscode.WebviewPanel;
}

const EXCLUDE = '**/{node_modules,.git,.venv,venv,.tox,build,dist}/**';
export const RULE_SCHEME = 'ossa-rule';

export class Commands {
  private readonly ruleDocs = new Map<string, string>();
  readonly ruleDocsProvider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) => this.ruleDocs.get(uri.path.replace(/^\/|\.md$/g, '')) ?? '',
  };

  constructor(
    private readonly server: ServerController,
    private readonly extensionUri: vscode.Uri,
    private readonly info: (message: string, ...actions: string[]) => Thenable<string | undefined>,
  ) {}

  private async client(): Promise<LanguageClient | undefined> {
    const client = await this.server.ensureStarted();
    if (!client) {
      void this.info(this.server.lastProblem ?? 'OSSA: the language server is not running.', 'Show Output')
        .then((c) => c && vscode.commands.executeCommand('ossa.showOutput'));
    }
    return client;
  }

  private async execute<T>(client: LanguageClient, command: string, args: unknown[], token?: vscode.CancellationToken): Promise<T> {
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token) as Promise<T>;
  }

  private advertised(client: LanguageClient): string[] | undefined {
    return client.initializeResult?.capabilities.executeCommandProvider?.commands;
  }

  private serverHas(client: LanguageClient, command: string): boolean {
    return this.advertised(client)?.includes(command) ?? false;
  }

  /** False (after telling the user) when the running server predates `command`. */
  private supports(client: LanguageClient, command: string, what: string): boolean {
    if (this.serverHas(client, command)) {
      return true;
    }
    const version = this.server.version ? formatVersion(this.server.version) : 'unknown';
    void this.info(`OSSA: ${what} is not available in this server version (ossa-lsp ${version}). Upgrade the server to use it.`);
    return false;
  }

  /** Validate every manifest of the workspace; results land in the Problems panel. */
  async validateWorkspace(): Promise<ValidateSummary | undefined> {
    const client = await this.client();
    if (!client || !this.supports(client, SERVER_COMMANDS.validateWorkspace, 'Validate Workspace')) {
      return undefined;
    }
    const token = `ossa-validate-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'OSSA: validating the workspace', cancellable: true },
      async (progress, cancel) => {
        let done = 0;
        const sub = client.onProgress(WorkDoneProgress.type, token, (value) => {
          if (value.kind === 'report' || value.kind === 'begin') {
            const pct = value.percentage ?? done;
            progress.report({ message: value.kind === 'report' ? value.message : undefined, increment: pct - done });
            done = pct;
          }
        });
        const onCancel = cancel.onCancellationRequested(() =>
          void client.sendNotification(WorkDoneProgressCancelNotification.type, { token }));
        try {
          const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
          return await this.execute<ValidateSummary>(client, SERVER_COMMANDS.validateWorkspace,
            [{ workDoneToken: token, folders }]);
        } finally {
          sub.dispose();
          onCancel.dispose();
        }
      });
    const s = summary;
    const text = s.files === 0
      ? 'OSSA: no manifests found in the workspace (*.ossa.yaml, *.ossa.yml, *.ossa.json, or apiVersion: ossa/…).'
      : `OSSA: checked ${s.files} manifest${s.files === 1 ? '' : 's'}: ${s.errors} error${s.errors === 1 ? '' : 's'}, ` +
        `${s.warnings} warning${s.warnings === 1 ? '' : 's'}${s.cancelled ? ' (cancelled)' : ''}.`;
    void this.info(text, ...(s.errors + s.warnings > 0 ? ['Show Problems'] : [])).then((c) =>
      c && vscode.commands.executeCommand('workbench.actions.view.problems'));
    return s;
  }

  /** Show a rule's page: the code given, the code of the diagnostic under the cursor, or a pick. */
  async showRuleDocs(code?: string): Promise<string | undefined> {
    const client = await this.client();
    if (!client || !this.supports(client, SERVER_COMMANDS.ruleDocs, 'Rule documentation')) {
      return undefined;
    }
    code ??= await this.pickCode(client);
    if (!code) {
      return undefined;
    }
    const page = await this.execute<{ code: string; markdown: string }>(client, SERVER_COMMANDS.ruleDocs, [code]);
    this.ruleDocs.set(page.code, page.markdown);
    const uri = vscode.Uri.from({ scheme: RULE_SCHEME, path: `/${page.code}.md` });
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
    return page.markdown;
  }

  private async pickCode(client: LanguageClient): Promise<string | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const here = vscode.languages.getDiagnostics(editor.document.uri).filter((d) =>
        d.source?.startsWith('ossa') && d.range.contains(editor.selection.active));
      const codes = [...new Set(here.map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? ''))))]
        .filter(Boolean);
      if (codes.length === 1) {
        return codes[0];
      }
    }
    const listing = await this.execute<{ rules: { code: string; name: string; summary: string; kind: string }[] }>(
      client, SERVER_COMMANDS.ruleDocs, []);
    const pick = await vscode.window.showQuickPick(
      listing.rules.map((r) => ({ label: r.code, description: r.name, detail: r.summary })),
      { title: 'OSSA: rule documentation', placeHolder: 'Code or name (e.g. SCHEMA004, secret-literal)', matchOnDescription: true });
    return pick?.label;
  }

  /** Render the server's agent graph (Mermaid) in a webview; a clear message when the server has none. */
  async showAgentGraph(): Promise<GraphResult> {
    const client = await this.client();
    if (!client) {
      return { available: false, message: this.server.lastProblem };
    }
    const version = this.server.version ? formatVersion(this.server.version) : 'unknown';
    const unavailable = (why: string): GraphResult => {
      const message = `OSSA: the agent graph is not available in this server version (ossa-lsp ${version}${why}). ` +
        'Upgrade the server to use it.';
      void this.info(message);
      return { available: false, message };
    };
    const command = firstAdvertised(this.advertised(client), AGENT_GRAPH_COMMANDS);
    if (!command) {
      return unavailable('');
    }
    let result: unknown;
    try {
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
      result = await this.execute<unknown>(client, command, [{ format: 'mermaid', folders }]);
    } catch (err) {
      return unavailable(`: ${err instanceof Error ? err.message : String(err)}`);
    }
    const source = mermaidSource(result);
    if (!source) {
      return unavailable(': it returned no graph');
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel('ossa.agentGraph', 'OSSA agent graph', vscode.ViewColumn.Beside,
      { enableScripts: true, localResourceRoots: [media] });
    panel.webview.html = graphHtml({
      title: 'OSSA agent graph',
      mermaid: source,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'mermaid.min.js')).toString(),
      cspSource: panel.webview.cspSource,
      nonce: nonce(),
    });
    return { available: true, panel };
  }

  /**
   * Create a manifest from the template, following the workspace's conventions.
   * Arguments (all optional; prompts fill the gaps): a folder Uri (explorer context menu) or
   * `{ name, folder }` (tests, keybindings).
   */
  async newManifest(arg?: vscode.Uri | { name?: string; folder?: string }): Promise<vscode.Uri | undefined> {
    const root = vscode.workspace.workspaceFolders?.[0];
    const opts = arg instanceof vscode.Uri ? { folder: arg.fsPath } : (arg ?? {});
    const existing = await this.existingManifests(root);
    const conv = inferConventions(existing);
    const name = opts.name ?? await vscode.window.showInputBox({
      title: 'OSSA: new agent manifest', prompt: 'Agent name (metadata.name)', placeHolder: 'support-triage',
      validateInput: (v) => validateName(v.trim()),
    });
    if (!name) {
      return undefined;
    }
    const problem = validateName(name);
    if (problem) {
      void vscode.window.showErrorMessage(`OSSA: "${name}" is not a valid agent name: ${problem}`);
      return undefined;
    }
    let target: vscode.Uri;
    if (opts.folder) {
      target = vscode.Uri.file(path.join(opts.folder, name + conv.extension));
    } else if (root) {
      target = vscode.Uri.joinPath(root.uri, manifestPath(name, conv));
    } else {
      const doc = await vscode.workspace.openTextDocument({ language: conv.extension.endsWith('json') ? 'json' : 'yaml',
        content: renderManifest(name, conv) });
      await vscode.window.showTextDocument(doc);
      return doc.uri;
    }
    try {
      await vscode.workspace.fs.stat(target);
      void vscode.window.showErrorMessage(`OSSA: ${vscode.workspace.asRelativePath(target)} already exists.`);
      return undefined;
    } catch {
      // does not exist: good
    }
    await vscode.workspace.fs.writeFile(target, Buffer.from(renderManifest(name, conv), 'utf8'));
    const doc = await vscode.workspace.openTextDocument(target);
    await vscode.window.showTextDocument(doc);
    return target;
  }

  private async existingManifests(root: vscode.WorkspaceFolder | undefined): Promise<ExistingManifest[]> {
    if (!root) {
      return [];
    }
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(root, OSSA_GLOB), EXCLUDE, 50);
    const out: ExistingManifest[] = [];
    for (const uri of uris) {
      try {
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        out.push({ path: path.relative(root.uri.fsPath, uri.fsPath).split(path.sep).join('/'), text });
      } catch {
        // unreadable: ignore
      }
    }
    return out;
  }
}
