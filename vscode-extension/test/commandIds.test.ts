import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AGENT_GRAPH_COMMANDS, commandsToRegister, firstAdvertised, referenceArgs, SERVER_COMMANDS } from '../src/commandIds';

const own = new Set(['ossa.validateWorkspace', 'ossa.showAgentGraph']);

test("server commands that share an id with the extension's are not registered twice", () => {
  assert.deepEqual(commandsToRegister(['ossa-lsp.validateWorkspace', 'ossa.showAgentGraph', 'ossa-lsp.ruleDocs'], own),
    ['ossa-lsp.validateWorkspace', 'ossa-lsp.ruleDocs']);
  assert.deepEqual(commandsToRegister(undefined, own), []);
});

test('the agent graph is found under either id, the ossa-lsp one first', () => {
  assert.equal(firstAdvertised(['ossa.showAgentGraph'], AGENT_GRAPH_COMMANDS), 'ossa.showAgentGraph');
  assert.equal(firstAdvertised(['ossa.showAgentGraph', 'ossa-lsp.agentGraph'], AGENT_GRAPH_COMMANDS), 'ossa-lsp.agentGraph');
  assert.equal(firstAdvertised([SERVER_COMMANDS.validateWorkspace], AGENT_GRAPH_COMMANDS), undefined);
  assert.equal(firstAdvertised(undefined, AGENT_GRAPH_COMMANDS), undefined);
});

test('code lens arguments are checked before they reach editor.action.showReferences', () => {
  const loc = { uri: 'file:///w/a.ossa.yaml', range: { start: { line: 3, character: 8 }, end: { line: 3, character: 16 } } };
  assert.deepEqual(referenceArgs('file:///w/b.ossa.yaml', { line: 1, character: 2 }, [loc]),
    { uri: 'file:///w/b.ossa.yaml', position: { line: 1, character: 2 }, locations: [loc] });
  assert.deepEqual(referenceArgs('file:///w/b.ossa.yaml', { line: 0, character: 0 }, []),
    { uri: 'file:///w/b.ossa.yaml', position: { line: 0, character: 0 }, locations: [] });
  assert.equal(referenceArgs(undefined, { line: 1, character: 2 }, [loc]), undefined);
  assert.equal(referenceArgs('file:///x', { line: -1, character: 2 }, [loc]), undefined);
  assert.equal(referenceArgs('file:///x', { line: 1, character: 2 }, [{ uri: 'file:///y' }]), undefined);
  assert.equal(referenceArgs('file:///x', { line: 1, character: 2 }, 'nope'), undefined);
});
