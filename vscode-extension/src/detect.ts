// Which documents are OSSA manifests (pure: no `vscode` import, unit-tested with node:test).
// The same rule as the server's `core/discover.py`: `*.ossa.yaml|yml|json`, or a YAML/JSON document
// whose top-level `apiVersion` starts with `ossa/`. The language id stays `yaml`/`json`, so VS Code's
// highlighting and other YAML tooling keep working.

export const OSSA_NAME = /\.ossa\.(ya?ml|json)$/i;
export const OSSA_GLOB = '**/*.ossa.{yaml,yml,json}';
export const DATA_LANGUAGES = ['yaml', 'json', 'jsonc'];
const SNIFF_CHARS = 65536;
const YAML_API = /^apiVersion[ \t]*:[ \t]*["']?(ossa\/[^\s"'#]*)/m;
const JSON_API = /"apiVersion"\s*:\s*"(ossa\/[^"]*)"/;

export interface DocLike {
  fileName: string;
  languageId: string;
  getText(): string;
}

function isJson(fileName: string, languageId: string, head: string): boolean {
  return languageId === 'json' || languageId === 'jsonc' || /\.json$/i.test(fileName) || head.trimStart().startsWith('{');
}

/** The `apiVersion` the text declares (`ossa/v0.2.2`), if it is an OSSA one. */
export function ossaApiVersion(text: string, fileName = '', languageId = ''): string | undefined {
  const head = text.slice(0, SNIFF_CHARS);
  const m = (isJson(fileName, languageId, head) ? JSON_API : YAML_API).exec(head);
  return m ? m[1] : undefined;
}

export function isOssaDocument(doc: DocLike): boolean {
  if (OSSA_NAME.test(doc.fileName)) {
    return true;
  }
  if (!DATA_LANGUAGES.includes(doc.languageId) && !/\.(ya?ml|json)$/i.test(doc.fileName)) {
    return false;
  }
  return ossaApiVersion(doc.getText(), doc.fileName, doc.languageId) !== undefined;
}

/** `ossa/v0.2.2` → `v0.2.2` (what the status bar shows). */
export function specVersion(text: string, fileName = '', languageId = ''): string | undefined {
  const api = ossaApiVersion(text, fileName, languageId);
  return api === undefined ? undefined : api.slice('ossa/'.length) || api;
}
