import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeHtml, graphHtml, mermaidSource, nonce } from '../src/graphView';

test('the server result may be {format, text}, {mermaid} or the Mermaid text', () => {
  assert.equal(mermaidSource('graph TD; a-->b'), 'graph TD; a-->b');
  assert.equal(mermaidSource({ mermaid: 'graph LR; x-->y' }), 'graph LR; x-->y');
  assert.equal(mermaidSource({ format: 'mermaid', text: 'flowchart LR\n  a --> b' }), 'flowchart LR\n  a --> b');
  assert.equal(mermaidSource({ format: 'dot', text: 'digraph { a -> b }' }), undefined);
  assert.equal(mermaidSource({}), undefined);
  assert.equal(mermaidSource(null), undefined);
  assert.equal(mermaidSource('  '), undefined);
});

test('the page loads only the bundled script, under a nonce', () => {
  const html = graphHtml({ title: 'Agents', mermaid: 'graph TD; a["<b>x</b>"]-->b', scriptUri: 'vscode-resource://x/mermaid.min.js',
    cspSource: 'vscode-resource:', nonce: 'N0NCE' });
  assert.match(html, /script-src 'nonce-N0NCE'/);
  assert.match(html, /default-src 'none'/);
  assert.match(html, /<script nonce="N0NCE" src="vscode-resource:\/\/x\/mermaid.min.js"><\/script>/);
  assert.ok(html.includes('a[&quot;&lt;b&gt;x&lt;/b&gt;&quot;]--&gt;b'), 'diagram text is escaped');
  assert.ok(!html.includes('https://'), 'no network');
});

test('helpers', () => {
  assert.equal(escapeHtml(`<&>"'`), '&lt;&amp;&gt;&quot;&#39;');
  assert.equal(nonce(() => 0), 'A'.repeat(32));
});
