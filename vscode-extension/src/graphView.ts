// The agent graph webview's HTML (pure: no `vscode` import, unit-tested with node:test).
// Mermaid runs from the copy bundled in the extension (dist/media/mermaid.min.js): no network, and a
// strict Content-Security-Policy that only allows that script and this page's nonce.

export interface GraphPage {
  title: string;
  mermaid: string;
  /** webview.asWebviewUri(dist/media/mermaid.min.js).toString() */
  scriptUri: string;
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** What the server's agent-graph command returned (`{format: 'mermaid', text}`, `{mermaid}` or the text)
 * → Mermaid source, or undefined when unusable. */
export function mermaidSource(result: unknown): string | undefined {
  if (typeof result === 'string' && result.trim()) {
    return result;
  }
  if (result && typeof result === 'object') {
    const r = result as { mermaid?: unknown; format?: unknown; text?: unknown };
    if (typeof r.mermaid === 'string' && r.mermaid.trim()) {
      return r.mermaid;
    }
    if ((r.format === undefined || r.format === 'mermaid') && typeof r.text === 'string' && r.text.trim()) {
      return r.text;
    }
  }
  return undefined;
}

export function nonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) {
    out += chars[Math.floor(random() * chars.length)];
  }
  return out;
}

export function graphHtml(p: GraphPage): string {
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource} data:`,
    `style-src ${p.cspSource} 'unsafe-inline'`,
    `font-src ${p.cspSource}`,
    `script-src 'nonce-${p.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(p.title)}</title>
<style>
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); }
  pre.mermaid { background: transparent; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
</style>
</head>
<body>
<h2>${escapeHtml(p.title)}</h2>
<pre class="mermaid">${escapeHtml(p.mermaid)}</pre>
<div id="error"></div>
<script nonce="${p.nonce}" src="${escapeHtml(p.scriptUri)}"></script>
<script nonce="${p.nonce}">
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: dark ? 'dark' : 'default' });
  mermaid.run().catch((e) => { document.getElementById('error').textContent = String(e && e.message || e); });
</script>
</body>
</html>
`;
}
