import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULTS, inferConventions, manifestPath, renderManifest, validateName } from '../src/template';

const agent = (name: string, owner: string, extra = '') => `apiVersion: ossa/v0.2.2
kind: Agent
metadata:
    name: ${name}
    labels:
        owner: ${owner}
        environment: production${extra}
spec:
    role: x
    llm:
        provider: anthropic
        model: claude-sonnet-4-5
`;

test('names must be DNS-1123 labels, like metadata.name', () => {
  assert.equal(validateName('support-triage'), undefined);
  assert.match(validateName('Support_Triage') ?? '', /Lowercase letters/);
  assert.match(validateName('') ?? '', /Enter a name/);
  assert.match(validateName('a'.repeat(64)) ?? '', /63/);
});

test('an empty workspace gets the defaults', () => {
  assert.deepEqual(inferConventions([]), DEFAULTS);
});

test("the workspace's folder, extension, apiVersion, LLM, shared labels and indentation are followed", () => {
  const c = inferConventions([
    { path: 'agents/a.ossa.yml', text: agent('a', 'support-team') },
    { path: 'agents/b.ossa.yml', text: agent('b', 'support-team') },
    { path: 'c.ossa.yaml', text: agent('c', 'billing-team', '\n        tier: worker') },
  ]);
  assert.deepEqual(c, {
    extension: '.ossa.yml', folder: 'agents', apiVersion: 'ossa/v0.2.2', provider: 'anthropic', model: 'claude-sonnet-4-5',
    labels: { owner: '', environment: 'production' }, indent: 4,
  });
  assert.equal(manifestPath('new-agent', c), 'agents/new-agent.ossa.yml');
});

test('the YAML template is a complete minimal agent', () => {
  const text = renderManifest('new-agent', { ...DEFAULTS, labels: { owner: 'support-team', 'cost-center': '4410' } });
  assert.equal(text, `apiVersion: ossa/v0.2.2
kind: Agent

metadata:
  name: new-agent
  version: 0.1.0
  description: "TODO: what this agent does."
  labels:
    owner: support-team
    cost-center: "4410"

spec:
  role: |
    You are the new-agent agent. TODO: describe its job, its limits and its output.

  llm:
    provider: openai
    model: gpt-4o-mini
`);
});

test('the JSON template follows the JSON convention', () => {
  const c = inferConventions([{ path: 'x.ossa.json', text: '{\n    "apiVersion": "ossa/v0.2.2",\n    "metadata": {"name": "x", "labels": {"team": "a"}}}' }]);
  const data = JSON.parse(renderManifest('json-agent', c));
  assert.equal(c.indent, 4);
  assert.deepEqual(data.metadata, { name: 'json-agent', version: '0.1.0', description: 'TODO: what this agent does.', labels: { team: 'a' } });
  assert.deepEqual(data.spec.llm, { provider: 'openai', model: 'gpt-4o-mini' });
  assert.equal(manifestPath('json-agent', c), 'json-agent.ossa.json');
});
