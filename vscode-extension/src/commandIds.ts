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

/** The client-side command the server's code lenses run: (uri, position, locations) in LSP JSON. */
export const SHOW_REFERENCES = 'ossa.showReferences';

export interface LspPosition { line: number; character: number }
export interface LspLocation { uri: string; range: { start: LspPosition; end: LspPosition } }
export interface ReferenceArgs { uri: string; position: LspPosition; locations: LspLocation[] }

const isPosition = (p: unknown): p is LspPosition => typeof p === 'object' && p !== null
  && Number.isInteger((p as LspPosition).line) && Number.isInteger((p as LspPosition).character)
  && (p as LspPosition).line >= 0 && (p as LspPosition).character >= 0;

const isLocation = (l: unknown): l is LspLocation => typeof l === 'object' && l !== null
  && typeof (l as LspLocation).uri === 'string' && typeof (l as LspLocation).range === 'object'
  && (l as LspLocation).range !== null && isPosition((l as LspLocation).range.start)
  && isPosition((l as LspLocation).range.end);

/** The code lens arguments checked (they come from a server process), or undefined when malformed. */
export function referenceArgs(uri: unknown, position: unknown, locations: unknown): ReferenceArgs | undefined {
  if (typeof uri !== 'string' || !isPosition(position) || !Array.isArray(locations) || !locations.every(isLocation)) {
    return undefined;
  }
  return { uri, position, locations };
}
