// "New agent manifest": a valid starting point that follows the workspace's conventions
// (pure: no `vscode` import, unit-tested with node:test). Conventions are read from the manifests
// already in the workspace: file extension, folder, apiVersion, LLM provider and model, label keys
// (with the value when every manifest agrees, e.g. the owning team), and indentation.

import { ossaApiVersion } from './detect';

export const DEFAULT_API_VERSION = 'ossa/v0.2.2';
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface Conventions {
  extension: '.ossa.yaml' | '.ossa.yml' | '.ossa.json';
  /** Folder (relative to the workspace folder, '' for its root) where most manifests live. */
  folder: string;
  apiVersion: string;
  provider: string;
  model: string;
  /** Label keys most manifests have, with the shared value or '' when they differ. */
  labels: Record<string, string>;
  indent: number;
}

export const DEFAULTS: Conventions = {
  extension: '.ossa.yaml',
  folder: '',
  apiVersion: DEFAULT_API_VERSION,
  provider: 'openai',
  model: 'gpt-4o-mini',
  labels: {},
  indent: 2,
};

export interface ExistingManifest {
  /** Path relative to the workspace folder, with '/' separators. */
  path: string;
  text: string;
}

/** DNS-1123 label, as `metadata.name` requires: undefined when fine, else why not. */
export function validateName(name: string): string | undefined {
  if (!name) {
    return 'Enter a name, e.g. support-triage';
  }
  if (name.length > 63) {
    return 'At most 63 characters';
  }
  if (!NAME.test(name)) {
    return 'Lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. support-triage)';
  }
  return undefined;
}

function mostCommon<T>(values: T[]): T | undefined {
  const counts = new Map<T, number>();
  let best: T | undefined;
  let bestCount = 0;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

function yamlScalar(text: string, key: string): string | undefined {
  const m = new RegExp(`^[ \\t]+${key}[ \\t]*:[ \\t]*["']?([^"'#\\n]*?)["']?[ \\t]*(?:#.*)?$`, 'm').exec(text);
  return m && m[1] ? m[1] : undefined;
}

interface Facts {
  provider?: string;
  model?: string;
  labels: Record<string, string>;
  indent?: number;
}

function factsOf(m: ExistingManifest): Facts {
  if (m.path.toLowerCase().endsWith('.json')) {
    try {
      const data = JSON.parse(m.text);
      const labels = data?.metadata?.labels ?? {};
      const indent = /\n( +)"/.exec(m.text)?.[1].length;
      return {
        provider: typeof data?.spec?.llm?.provider === 'string' ? data.spec.llm.provider : undefined,
        model: typeof data?.spec?.llm?.model === 'string' ? data.spec.llm.model : undefined,
        labels: Object.fromEntries(Object.entries(labels).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
        indent,
      };
    } catch {
      return { labels: {} };
    }
  }
  const labels: Record<string, string> = {};
  const block = /^([ \t]+)labels[ \t]*:[ \t]*\n((?:\1[ \t]+[^\n]*\n?)*)/m.exec(m.text);
  if (block) {
    for (const line of block[2].split('\n')) {
      const kv = /^[ \t]+([\w./-]+)[ \t]*:[ \t]*["']?([^"'#\n]*?)["']?[ \t]*(?:#.*)?$/.exec(line);
      if (kv) {
        labels[kv[1]] = kv[2];
      }
    }
  }
  const indent = /^metadata:[ \t]*\n( +)\S/m.exec(m.text)?.[1].length;
  return { provider: yamlScalar(m.text, 'provider'), model: yamlScalar(m.text, 'model'), labels, indent };
}

export function inferConventions(manifests: ExistingManifest[], defaults: Conventions = DEFAULTS): Conventions {
  if (manifests.length === 0) {
    return { ...defaults, labels: { ...defaults.labels } };
  }
  const ext = mostCommon(manifests.map((m) => /\.ossa\.(ya?ml|json)$/i.exec(m.path)?.[0].toLowerCase()).filter(Boolean));
  const folder = mostCommon(manifests.map((m) => (m.path.includes('/') ? m.path.slice(0, m.path.lastIndexOf('/')) : '')));
  const api = mostCommon(manifests.map((m) => ossaApiVersion(m.text, m.path)).filter((v): v is string => !!v));
  const facts = manifests.map(factsOf);
  const withLlm = facts.filter((f) => f.provider && f.model);
  const provider = mostCommon(withLlm.map((f) => f.provider as string));
  const model = mostCommon(withLlm.filter((f) => f.provider === provider).map((f) => f.model as string));
  const labels: Record<string, string> = {};
  const keys = new Set(facts.flatMap((f) => Object.keys(f.labels)));
  for (const key of keys) {
    const values = facts.map((f) => f.labels[key]).filter((v) => v !== undefined);
    if (values.length * 2 > manifests.length) {  // a majority of the manifests has this label
      labels[key] = values.every((v) => v === values[0]) ? values[0] : '';
    }
  }
  return {
    extension: (ext as Conventions['extension']) ?? defaults.extension,
    folder: folder ?? defaults.folder,
    apiVersion: api ?? defaults.apiVersion,
    provider: provider ?? defaults.provider,
    model: model ?? defaults.model,
    labels,
    indent: mostCommon(facts.map((f) => f.indent).filter((n): n is number => !!n && n <= 8)) ?? defaults.indent,
  };
}

function yamlValue(value: string): string {
  return value === '' || /^[\w./-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[\d.]+)$/i.test(value)
    ? value || '""'
    : JSON.stringify(value);
}

/** The text of a new manifest named `name`. */
export function renderManifest(name: string, c: Conventions, description = 'TODO: what this agent does.'): string {
  const role = 'You are the ' + name + ' agent. TODO: describe its job, its limits and its output.';
  if (c.extension === '.ossa.json') {
    const labels = Object.keys(c.labels).length ? { labels: c.labels } : {};
    const data = {
      apiVersion: c.apiVersion,
      kind: 'Agent',
      metadata: { name, version: '0.1.0', description, ...labels },
      spec: { role, llm: { provider: c.provider, model: c.model } },
    };
    return JSON.stringify(data, null, c.indent) + '\n';
  }
  const i = ' '.repeat(c.indent);
  const lines = [
    `apiVersion: ${c.apiVersion}`,
    'kind: Agent',
    '',
    'metadata:',
    `${i}name: ${name}`,
    `${i}version: 0.1.0`,
    `${i}description: ${yamlValue(description)}`,
  ];
  const labelKeys = Object.keys(c.labels);
  if (labelKeys.length) {
    lines.push(`${i}labels:`);
    for (const key of labelKeys) {
      lines.push(`${i}${i}${key}: ${yamlValue(c.labels[key])}`);
    }
  }
  lines.push('', 'spec:', `${i}role: |`, `${i}${i}${role}`, '', `${i}llm:`,
    `${i}${i}provider: ${yamlValue(c.provider)}`, `${i}${i}model: ${yamlValue(c.model)}`, '');
  return lines.join('\n');
}

/** Relative path of the new file, e.g. `agents/support-triage.ossa.yaml`. */
export function manifestPath(name: string, c: Conventions): string {
  return (c.folder ? c.folder.replace(/\/+$/, '') + '/' : '') + name + c.extension;
}
