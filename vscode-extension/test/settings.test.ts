import assert from 'node:assert/strict';
import { test } from 'node:test';

import { expandVariables, readServerSettings } from '../src/settings';

const ctx = {
  folders: [{ name: 'agents', path: '/work/agents' }, { name: 'infra', path: '/work/infra' }],
  userHome: '/home/ada',
  env: { VENV: '/opt/venv' } as Record<string, string | undefined>,
};

test('${workspaceFolder} is the first folder', () => {
  assert.deepEqual(expandVariables('${workspaceFolder}/.venv/bin/python', ctx),
    { value: '/work/agents/.venv/bin/python', unresolved: [] });
});

test('${workspaceFolder:name} picks a folder by name', () => {
  assert.equal(expandVariables('${workspaceFolder:infra}/py', ctx).value, '/work/infra/py');
});

test('${workspaceFolderBasename}, ${userHome}, ${env:NAME} and ~ expand', () => {
  assert.equal(expandVariables('${workspaceFolderBasename}', ctx).value, 'agents');
  assert.equal(expandVariables('${userHome}/x', ctx).value, '/home/ada/x');
  assert.equal(expandVariables('${env:VENV}/bin/python', ctx).value, '/opt/venv/bin/python');
  assert.equal(expandVariables('~/venv/bin/python', ctx).value, '/home/ada/venv/bin/python');
});

test('an unset environment variable expands to nothing, as in VS Code', () => {
  assert.deepEqual(expandVariables('${env:NOPE}python3', ctx), { value: 'python3', unresolved: [] });
});

test('${workspaceFolder} with no folder open is reported, not guessed', () => {
  const out = expandVariables('${workspaceFolder}/.venv/bin/python', { ...ctx, folders: [] });
  assert.deepEqual(out.unresolved, ['${workspaceFolder}']);
  assert.equal(out.value, '${workspaceFolder}/.venv/bin/python');
});

test('unknown variables are left alone and reported', () => {
  assert.deepEqual(expandVariables('${command:python.interpreterPath}', ctx).unresolved, ['${command:python.interpreterPath}']);
});

test('server settings: bad values fall back to the defaults', () => {
  const values: Record<string, unknown> = { 'server.python': 42, 'server.command': ['ossa-lsp', 7, ''] };
  assert.deepEqual(readServerSettings((k) => values[k]), { python: '', command: ['ossa-lsp'], importStrategy: 'fromEnvironment' });
  assert.deepEqual(readServerSettings(() => undefined), { python: '', command: [], importStrategy: 'fromEnvironment' });
  assert.deepEqual(readServerSettings((k) => (k === 'server.python' ? '  /usr/bin/python3 ' : undefined)),
    { python: '/usr/bin/python3', command: [], importStrategy: 'fromEnvironment' });
});

test('importStrategy: useBundled when asked, anything else is the default fromEnvironment', () => {
  const strategy = (value: unknown) => readServerSettings((k) => (k === 'server.importStrategy' ? value : undefined)).importStrategy;
  assert.equal(strategy('useBundled'), 'useBundled');
  assert.equal(strategy('fromEnvironment'), 'fromEnvironment');
  assert.equal(strategy('bundled'), 'fromEnvironment');
  assert.equal(strategy(42), 'fromEnvironment');
});
