// Command ids on both sides of the wire (pure: no `vscode` import, unit-tested with node:test).
//
// The palette commands are `ossa.*` (package.json); the server's are `ossa-lsp.*`, called with
// `workspace/executeCommand`. vscode-languageclient registers every command the server advertises as a
// VS Code command of the same id, and a second registration of an id makes the whole client fail to
// start ("command 'x' already exists"). So a server command that happens to share an id with one of
// ours is left to our command (which calls the server itself) instead of being registered again.

export const SERVER_COMMANDS = {
  validateWorkspace: 'ossa-lsp.validateWorkspace',
  ruleDocs: 'ossa-lsp.ruleDocs',
} as const;

/** Ids under which a server may offer the agent graph, preferred first. */
export const AGENT_GRAPH_COMMANDS = ['ossa-lsp.agentGraph', 'ossa.showAgentGraph'];

/** The server's advertised commands minus the ids the extension registers itself. */
export function commandsToRegister(advertised: readonly string[] | undefined, own: ReadonlySet<string>): string[] {
  return (advertised ?? []).filter((c) => !own.has(c));
}

/** The first of `wanted` the server advertises, if any. */
export function firstAdvertised(advertised: readonly string[] | undefined, wanted: readonly string[]): string | undefined {
  return wanted.find((c) => advertised?.includes(c));
}
