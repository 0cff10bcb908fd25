import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AGENT_GRAPH_COMMANDS, commandsToRegister, firstAdvertised, SERVER_COMMANDS } from '../src/commandIds';

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
