import assert from 'node:assert/strict';
import { test } from 'node:test';

import { commandLine, describe, resolveLaunch, versionProbe } from '../src/serverCommand';
import { ServerSettings } from '../src/settings';

const ctx = { folders: [{ name: 'ws', path: '/ws' }], userHome: '/home/ada', env: {} };
const none: ServerSettings = { python: '', command: [], importStrategy: 'fromEnvironment' };
const bundle = { launcher: '/ext/bundled/launch.py' };
const argv = (c: { command: string; args: string[]; source: string }) => [c.source, c.command, ...c.args].join(' ');

test('default: python3, then python, each as `-m ossa_lsp`', () => {
  const { candidates, problems } = resolveLaunch(none, ctx, undefined, 'linux');
  assert.deepEqual(candidates.map((c) => [c.command, ...c.args]), [['python3', '-m', 'ossa_lsp'], ['python', '-m', 'ossa_lsp']]);
  assert.deepEqual(candidates.map((c) => c.source), ['default', 'default']);
  assert.deepEqual(problems, []);
});

test('Windows defaults: python, then the py launcher', () => {
  const { candidates } = resolveLaunch(none, ctx, undefined, 'win32');
  assert.deepEqual(candidates.map((c) => c.command), ['python', 'py']);
});

test("the Python extension's environment comes before the defaults", () => {
  const { candidates } = resolveLaunch(none, ctx, '/ws/.venv/bin/python', 'linux');
  assert.deepEqual(candidates.map((c) => [c.command, c.source]),
    [['/ws/.venv/bin/python', 'Python extension'], ['python3', 'default'], ['python', 'default']]);
});

test('ossa.server.python wins over the Python extension and is the only candidate', () => {
  const { candidates } = resolveLaunch({ ...none, python: '${workspaceFolder}/.venv/bin/python' }, ctx, '/other/python', 'linux');
  assert.deepEqual(candidates, [{ command: '/ws/.venv/bin/python', args: ['-m', 'ossa_lsp'], source: 'ossa.server.python',
    python: '/ws/.venv/bin/python' }]);
});

test('ossa.server.command overrides everything, with variables expanded', () => {
  const { candidates } = resolveLaunch({ ...none, python: '/usr/bin/python3', command: ['${userHome}/.local/bin/ossa-lsp', '-v'] },
    ctx, '/ws/.venv/bin/python', 'linux');
  assert.deepEqual(candidates, [{ command: '/home/ada/.local/bin/ossa-lsp', args: ['-v'], source: 'ossa.server.command' }]);
});

test('an unexpandable ${workspaceFolder} is a reported problem', () => {
  const { problems } = resolveLaunch({ ...none, python: '${workspaceFolder}/.venv/bin/python' },
    { ...ctx, folders: [] }, undefined, 'linux');
  assert.deepEqual(problems, ['ossa.server.python: cannot expand ${workspaceFolder} (no folder is open)']);
});

test('the version probe appends --version (and the client appends --stdio itself)', () => {
  const [launch] = resolveLaunch(none, ctx, undefined, 'linux').candidates;
  assert.deepEqual(versionProbe(launch), { command: 'python3', args: ['-m', 'ossa_lsp', '--version'] });
  assert.deepEqual(launch.args, ['-m', 'ossa_lsp']);
});

test('command lines are quoted for the shell only where needed', () => {
  assert.equal(commandLine(['/opt/my venv/bin/python', '-m', 'ossa_lsp'], 'linux'), "'/opt/my venv/bin/python' -m ossa_lsp");
  assert.equal(commandLine(["it's"], 'linux'), `'it'\\''s'`);
  assert.equal(commandLine(['C:\\Program Files\\Python\\python.exe', '-m', 'ossa_lsp'], 'win32'),
    '"C:\\Program Files\\Python\\python.exe" -m ossa_lsp');
  assert.equal(commandLine(['ossa-lsp>=0.1.0'], 'linux'), "'ossa-lsp>=0.1.0'");
});

test('describe names the source of the command', () => {
  const [launch] = resolveLaunch({ ...none, python: '/usr/bin/python3' }, ctx, undefined, 'linux').candidates;
  assert.equal(describe(launch, 'linux'), '/usr/bin/python3 -m ossa_lsp (from ossa.server.python)');
});

test('with a bundle: an environment ossa-lsp first, then the bundled server run by the same interpreters', () => {
  const { candidates } = resolveLaunch(none, ctx, '/ws/.venv/bin/python', 'linux', bundle);
  assert.deepEqual(candidates.map(argv), [
    'Python extension /ws/.venv/bin/python -m ossa_lsp',
    'default python3 -m ossa_lsp',
    'default python -m ossa_lsp',
    'bundled /ws/.venv/bin/python -I /ext/bundled/launch.py',
    'bundled python3 -I /ext/bundled/launch.py',
    'bundled python -I /ext/bundled/launch.py',
  ]);
  assert.equal(candidates[3].python, '/ws/.venv/bin/python');
});

test('useBundled: only the bundled server', () => {
  const { candidates } = resolveLaunch({ ...none, importStrategy: 'useBundled' }, ctx, undefined, 'win32', bundle);
  assert.deepEqual(candidates.map(argv), ['bundled python -I /ext/bundled/launch.py', 'bundled py -I /ext/bundled/launch.py']);
});

test('the user\'s ossa.server.python and ossa.server.command still win over the bundle', () => {
  const python = resolveLaunch({ ...none, python: '/opt/py/bin/python', importStrategy: 'useBundled' }, ctx, undefined, 'linux', bundle);
  assert.deepEqual(python.candidates.map(argv), ['ossa.server.python /opt/py/bin/python -m ossa_lsp']);
  const command = resolveLaunch({ ...none, command: ['ossa-lsp'] }, ctx, undefined, 'linux', bundle);
  assert.deepEqual(command.candidates.map(argv), ['ossa.server.command ossa-lsp']);
});

test('without a bundle (the universal .vsix) useBundled changes nothing', () => {
  const { candidates } = resolveLaunch({ ...none, importStrategy: 'useBundled' }, ctx, undefined, 'linux');
  assert.deepEqual(candidates.map(argv), ['default python3 -m ossa_lsp', 'default python -m ossa_lsp']);
});
