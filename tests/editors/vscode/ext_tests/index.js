// Integration test of the OSSA extension, run INSIDE the VS Code extension host (loaded through the
// workbench payload `extensionTestsPath`; see ../exthost_test.sh). It asserts with the real `vscode`
// API against the real server: diagnostics, completion, hover, quick fixes, content detection, the
// status bar, every command, and the actionable error when the server is not installed.
// It writes its result to $OSSA_RESULT and throws on failure (the workbench then exits with 1).
const vscode = require('vscode');
const fs = require('fs');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PROVIDERS = ['openai', 'anthropic', 'google', 'azure', 'ollama', 'custom'];

async function until(what, fn, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

const label = (item) => (typeof item.label === 'string' ? item.label : item.label.label);
const code = (d) => (typeof d.code === 'object' && d.code ? String(d.code.value) : String(d.code));
// Only errors are asserted exactly: hints and infos (e.g. "a newer OSSA version exists") may come and go.
const errorsOf = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
const hoverText = (hovers) => hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');

exports.run = async function run() {
  const out = process.env.OSSA_RESULT;
  const result = { ok: false, steps: [], checks: {} };
  const t0 = Date.now();
  const step = (s) => result.steps.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
  const check = (name, ok, detail) => {
    result.checks[name] = { ok: !!ok, detail };
    step(`${ok ? 'PASS' : 'FAIL'} ${name}${detail !== undefined ? ': ' + JSON.stringify(detail).slice(0, 300) : ''}`);
    if (!ok) throw new Error(`check failed: ${name}`);
  };
  try {
    const ext = vscode.extensions.getExtension('ossa-lsp.ossa-lsp');
    check('extension is installed', !!ext);
    const api = await ext.activate();
    const root = vscode.workspace.workspaceFolders[0].uri;
    const uri = vscode.Uri.joinPath(root, 'agent.ossa.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    check('the manifest keeps the yaml language id', doc.languageId === 'yaml', doc.languageId);

    // Diagnostics (pulled by vscode-languageclient from our server).
    const diags = await until('2 errors', () => {
      const d = errorsOf(uri);
      return d.length >= 2 && d;
    });
    result.diagnostics = diags.map((d) => ({ message: d.message, code: code(d), source: d.source,
      severity: d.severity, range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character] }));
    const provider = diags.find((d) => code(d) === 'SCHEMA004');
    check('diagnostic: provider, our message, exact range of the value', provider
      && provider.message.endsWith("got 'open-ai'. Did you mean `openai`?") && provider.source === 'ossa-schema'
      && provider.severity === vscode.DiagnosticSeverity.Error
      && provider.range.isEqual(new vscode.Range(19, 14, 19, 21)), result.diagnostics);
    const currency = diags.find((d) => code(d) === 'SCHEMA005');
    check('diagnostic: currency', currency && currency.message.includes("got 'usd'")
      && currency.range.isEqual(new vscode.Range(27, 16, 27, 19)), currency && currency.message);
    check('exactly our two errors', diags.length === 2, diags.length);

    // Status bar: server running, OSSA version of this manifest.
    await until('status bar', () => api.statusText().includes('v0.2.2'));
    check('status bar shows the spec version', api.statusText() === '$(check) OSSA v0.2.2', api.statusText());

    // Code lens and inlay hints, through VS Code's own provider commands (what the editor renders).
    // agents/escalation.ossa.yaml calls this agent; cpu and memory are on the last lines.
    const lenses = await until('code lens "called by 1 agent"', async () => {
      const all = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
      return (all || []).find((l) => l.command && l.command.title === 'called by 1 agent · calls 0') && all;
    });
    const lens = lenses.find((l) => l.command && l.command.title.startsWith('called by'));
    check('code lens above metadata.name: who calls this agent', lens.range.start.line === 7
      && lens.command.command === 'ossa.showReferences' && lens.command.arguments[2].length === 1
      && lens.command.arguments[2][0].uri.endsWith('agents/escalation.ossa.yaml'), lens.command);
    await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);  // the click
    check('code lens click runs (the references peek)', true);
    await vscode.commands.executeCommand('closeReferenceSearch').then(undefined, () => undefined);
    const hints = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', uri,
      new vscode.Range(0, 0, doc.lineCount, 0));
    const hintText = (h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
    const shown = hints.map((h) => `${h.position.line}:${hintText(h)}`);
    check('inlay hints after cpu and memory', shown.includes(`${doc.lineCount - 3}:0.5 core`)
      && shown.includes(`${doc.lineCount - 2}:≈ 537 MB`), shown);

    // Hover on the `provider` key.
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(19, 6));
    const hover = hoverText(hovers);
    check('hover on `provider`: schema documentation', hover.includes('Who serves the model') && hover.includes('spec.llm.provider'),
      hover.slice(0, 120));

    // Quick fix for the provider.
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, provider.range,
      vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Change `open-ai` to `openai`');
    check('quick fix offered', fix && fix.edit && fix.isPreferred, actions.map((a) => a.title));
    await vscode.workspace.applyEdit(fix.edit);
    check('quick fix applied', doc.lineAt(19).text === '    provider: openai', doc.lineAt(19).text);
    await until('provider error gone', () => errorsOf(uri).length === 1);

    // Completion after `provider: `.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(19, 14, 19, 20), '');
    await vscode.workspace.applyEdit(edit);
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, new vscode.Position(19, 14));
    const labels = list.items.map(label);
    check('completion after `provider: `', PROVIDERS.every((p) => labels.includes(p)), labels);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    check('reverted', doc.lineAt(19).text === '    provider: open-ai' && !doc.isDirty);

    // Content detection: a plain .yaml with `apiVersion: ossa/...` is ours; other YAML is not.
    const notifier = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'agents', 'notifier.yaml'));
    await vscode.window.showTextDocument(notifier);
    const nh = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', notifier.uri, new vscode.Position(9, 6)));
    check('content-detected manifest: hover from our schema', nh.includes('spec.llm.provider'), nh.slice(0, 80));
    check('content-detected manifest: status bar', api.statusText() === '$(check) OSSA v0.2.2', api.statusText());
    const other = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'settings.yaml'));
    await vscode.window.showTextDocument(other);
    const oh = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', other.uri, new vscode.Position(2, 2)));
    await sleep(500);
    check('plain YAML: no hover, no diagnostics from us', !oh.includes('ossa') && vscode.languages.getDiagnostics(other.uri)
      .filter((d) => (d.source || '').startsWith('ossa')).length === 0, oh);
    await vscode.window.showTextDocument(doc);

    // Validate Workspace: closed files get diagnostics in the Problems panel.
    const reviewer = vscode.Uri.joinPath(root, 'agents', 'reviewer.ossa.yaml');
    const summary = await vscode.commands.executeCommand('ossa.validateWorkspace');
    check('validate workspace: summary', summary && summary.files === 4 && summary.errors === 3 && summary.warnings === 0, summary);
    const rd = await until('reviewer diagnostics', () => {
      const d = errorsOf(reviewer);
      return d.length && d;
    });
    check('validate workspace: closed file diagnostic', rd.length === 1 && rd[0].message.includes('did you mean `temperature`')
      && rd[0].range.start.line === 14, rd.map((d) => d.message));

    // Opening a validated file: the editor's (pulled) diagnostics replace the pushed ones, no duplicates.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(reviewer));
    await sleep(1500);
    const afterOpen = vscode.languages.getDiagnostics(reviewer).map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`);
    check('validated file opened: no duplicate diagnostics', new Set(afterOpen).size === afterOpen.length
      && errorsOf(reviewer).length === 1, afterOpen);

    // Rule documentation.
    const page = await vscode.commands.executeCommand('ossa.showRuleDocs', 'SCHEMA004');
    check('rule docs: SCHEMA004 page', typeof page === 'string' && page.startsWith('# SCHEMA004 `value-not-allowed`'), page && page.slice(0, 60));
    const tabs = await until('rule docs tab', () => {
      const labels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
      return labels.some((l) => l.includes('SCHEMA004')) && labels;
    }, 10000);
    check('rule docs: shown in a (markdown preview) tab', true, tabs);

    // New Agent Manifest follows the workspace's conventions and is valid.
    const created = await vscode.commands.executeCommand('ossa.newManifest', { name: 'new-helper' });
    check('new manifest: in agents/ (where most manifests are), .ossa.yaml', created
      && created.path.endsWith('/agents/new-helper.ossa.yaml'), created && created.path);
    const text = fs.readFileSync(created.fsPath, 'utf8');
    check('new manifest: conventions (label, provider, model)', text.includes('    owner: support-team')
      && text.includes('provider: anthropic') && text.includes('model: claude-sonnet-4-5'), text);
    const again = await vscode.commands.executeCommand('ossa.validateWorkspace');
    check('new manifest: valid (validate workspace finds no new problem)', again.files === 5 && again.errors === 3, again);

    // Agent graph: a Mermaid webview when the server has the command, else a clear message.
    const advertised = api.server.client.initializeResult.capabilities.executeCommandProvider.commands;
    const graph = await api.showAgentGraph();
    if (advertised.includes('ossa-lsp.agentGraph') || advertised.includes('ossa.showAgentGraph')) {
      check('agent graph: rendered in a webview', graph.available && graph.panel && graph.panel.title === 'OSSA agent graph'
        && graph.panel.webview.html.includes('mermaid.min.js') && graph.panel.webview.html.includes('ticket-reviewer'),
        graph.panel && graph.panel.webview.html.slice(0, 2000));
      graph.panel.dispose();
    } else {
      check('agent graph: clear "not available" message', !graph.available
        && /agent graph is not available in this server version \(ossa-lsp \d+\.\d+\.\d+\)/.test(graph.message), graph.message);
    }

    // No server installed: one actionable notification with the exact pip command.
    const config = vscode.workspace.getConfiguration('ossa');
    const before = api.notifications.length;
    await config.update('server.python', process.env.OSSA_BARE_PYTHON, vscode.ConfigurationTarget.Global);
    await until('server failed', () => api.server.state === 'failed', 30000);
    const told = api.notifications.slice(before);
    const expected = `OSSA: the ossa-lsp language server is not installed for ${process.env.OSSA_BARE_PYTHON}. ` +
      `Install it with: ${process.env.OSSA_BARE_PYTHON} -m pip install ossa-lsp`;
    check('missing server: exactly one notification, with the exact pip command', told.length === 1 && told[0] === expected, told);
    check('missing server: status bar shows the failure', api.statusText() === '$(error) OSSA', api.statusText());
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'agents', 'escalation.ossa.yaml')));
    await sleep(500);
    check('missing server: not repeated when another manifest opens', api.notifications.length === before + 1);

    // Back to the real server, then Restart Language Server.
    await config.update('server.python', process.env.OSSA_PYTHON, vscode.ConfigurationTarget.Global);
    await until('server running again', () => api.server.state === 'running', 30000);
    await vscode.commands.executeCommand('ossa.restartServer');
    check('restart server', api.server.state === 'running' && api.server.client && api.server.client.isRunning());
    await vscode.window.showTextDocument(doc);
    const back = await until('errors after restart', () => errorsOf(uri).length === 2);
    check('diagnostics after restart', back);
    result.ok = true;
  } catch (e) {
    result.error = String((e && e.stack) || e);
  }
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  if (!result.ok) throw new Error('OSSA extension test failed: ' + result.error);
};
