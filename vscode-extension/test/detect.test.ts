import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isOssaDocument, ossaApiVersion, specVersion } from '../src/detect';

const doc = (fileName: string, languageId: string, text: string) => ({ fileName, languageId, getText: () => text });

test('*.ossa.yaml, *.ossa.yml and *.ossa.json are manifests whatever their content', () => {
  for (const name of ['/a/agent.ossa.yaml', '/a/agent.ossa.yml', '/a/AGENT.OSSA.JSON']) {
    assert.equal(isOssaDocument(doc(name, 'yaml', '')), true, name);
  }
});

test('plain YAML and JSON are manifests when they declare an OSSA apiVersion', () => {
  assert.equal(isOssaDocument(doc('/a/agent.yaml', 'yaml', '# comment\napiVersion: ossa/v0.2.2\nkind: Agent\n')), true);
  assert.equal(isOssaDocument(doc('/a/agent.yaml', 'yaml', 'apiVersion: "ossa/v0.2.2"\n')), true);
  assert.equal(isOssaDocument(doc('/a/agent.json', 'json', '{\n  "kind": "Agent",\n  "apiVersion": "ossa/v0.2.2"\n}')), true);
  assert.equal(isOssaDocument(doc('untitled:Untitled-1', 'yaml', 'apiVersion: ossa/v0.2.2\n')), true);
});

test('other YAML, nested apiVersions and other languages are not', () => {
  assert.equal(isOssaDocument(doc('/a/deploy.yaml', 'yaml', 'apiVersion: apps/v1\nkind: Deployment\n')), false);
  assert.equal(isOssaDocument(doc('/a/x.yaml', 'yaml', 'spec:\n  apiVersion: ossa/v0.2.2\n')), false);
  assert.equal(isOssaDocument(doc('/a/notes.md', 'markdown', 'apiVersion: ossa/v0.2.2\n')), false);
});

test('the spec version for the status bar', () => {
  assert.equal(specVersion('apiVersion: ossa/v0.2.2 # current\n'), 'v0.2.2');
  assert.equal(specVersion('{"apiVersion": "ossa/v0.3.0"}', 'a.json', 'json'), 'v0.3.0');
  assert.equal(specVersion('kind: Agent\n'), undefined);
  assert.equal(ossaApiVersion("apiVersion: 'ossa/v1'\n"), 'ossa/v1');
});
