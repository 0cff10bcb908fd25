// Static checks of package.json against the sources: every contributed command is registered,
// activation covers every OSSA file name, and the snippets parse.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const extension = readFileSync(join(ROOT, 'src', 'extension.ts'), 'utf8');

test('every contributed command is registered by the extension, and vice versa', () => {
  const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  const registered = [...extension.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(registered, contributed);
});

test('palette commands never use the server command namespace (ossa-lsp.*)', () => {
  for (const c of pkg.contributes.commands) {
    assert.match(c.command, /^ossa\.[a-zA-Z]+$/);
  }
});

test('activation covers *.ossa.yaml|yml|json and YAML/JSON by language', () => {
  for (const e of ['workspaceContains:**/*.ossa.yaml', 'workspaceContains:**/*.ossa.yml', 'workspaceContains:**/*.ossa.json',
    'onLanguage:yaml', 'onLanguage:json']) {
    assert.ok(pkg.activationEvents.includes(e), e);
  }
  assert.equal(pkg.contributes.languages, undefined, 'no own language id: yaml/json highlighting and other YAML tools stay');
});

test('vscode-languageclient is pinned to one major and vsce to 3.x (Node 20)', () => {
  assert.match(pkg.dependencies['vscode-languageclient'], /^\^11\./);
  assert.match(pkg.devDependencies['@vscode/vsce'], /^\^3\./);
});

test('snippets parse and are all prefixed ossa-', () => {
  for (const s of pkg.contributes.snippets) {
    const snippets = JSON.parse(readFileSync(join(ROOT, s.path), 'utf8'));
    assert.ok(Object.keys(snippets).length > 0, s.path);
    for (const [name, body] of Object.entries(snippets) as [string, { prefix: string; body: string[] }][]) {
      assert.match(body.prefix, /^ossa-/, name);
      assert.ok(Array.isArray(body.body) && body.body.length > 0, name);
    }
  }
});

test('settings: the generated server settings plus the extension-only ones', () => {
  const props = Object.keys(pkg.contributes.configuration.properties);
  for (const key of ['ossa.enable', 'ossa.server.python', 'ossa.server.command', 'ossa.trace.server']) {
    assert.ok(props.includes(key), key);
  }
});
