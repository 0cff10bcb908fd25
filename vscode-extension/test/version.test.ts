import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Launch } from '../src/serverCommand';
import { compareVersions, Failure, installCommand, isServerCheckout, judge, MIN_SERVER_VERSION, parseVersion, pickProblem,
  problemMessage } from '../src/version';

const venv: Launch = { command: '/ws/.venv/bin/python', args: ['-m', 'ossa_lsp'], source: 'ossa.server.python', python: '/ws/.venv/bin/python' };
const custom: Launch = { command: 'ossa-lsp', args: [], source: 'ossa.server.command' };

test('parses what `python -m ossa_lsp --version` prints', () => {
  assert.deepEqual(parseVersion('ossa-lsp 0.1.0\n'), [0, 1, 0]);
  assert.deepEqual(parseVersion('ossa-lsp 1.2'), [1, 2, 0]);
  assert.equal(parseVersion('Python 3.11.2'), undefined);
});

test('versions compare numerically', () => {
  assert.equal(compareVersions([0, 10, 0], [0, 9, 9]), 1);
  assert.equal(compareVersions([0, 1, 0], [0, 1, 0]), 0);
  assert.equal(compareVersions([0, 0, 9], [0, 1, 0]), -1);
});

test('a working server passes', () => {
  assert.deepEqual(judge({ code: 0, stdout: `ossa-lsp ${MIN_SERVER_VERSION}\n`, stderr: '' }), { ok: true, version: [0, 1, 0] });
});

test('an interpreter without ossa-lsp is "missing"', () => {
  const v = judge({ code: 1, stdout: '', stderr: '/usr/bin/python3: No module named ossa_lsp\n' });
  assert.equal(v.ok, false);
  assert.equal(!v.ok && v.reason, 'missing');
});

test('an interpreter that does not exist is "not-found"', () => {
  const v = judge({ code: null, stdout: '', stderr: '', error: 'ENOENT' });
  assert.equal(!v.ok && v.reason, 'not-found');
});

test('an old server is "too-old"', () => {
  const v = judge({ code: 0, stdout: 'ossa-lsp 0.0.9\n', stderr: '' });
  assert.deepEqual(v, { ok: false, reason: 'too-old', version: [0, 0, 9], detail: 'ossa-lsp 0.0.9' });
});

test('anything else is "failed" with the last lines of stderr', () => {
  const v = judge({ code: 1, stdout: '', stderr: 'Traceback (most recent call last):\n  ...\nImportError: cannot import name x\n' });
  assert.equal(!v.ok && v.reason, 'failed');
  assert.match(!v.ok ? v.detail : '', /ImportError: cannot import name x$/);
});

test('the install command targets the interpreter the server runs with', () => {
  assert.equal(installCommand(venv, undefined, false, 'linux'), '/ws/.venv/bin/python -m pip install ossa-lsp');
  assert.equal(installCommand(venv, undefined, true, 'linux'), "/ws/.venv/bin/python -m pip install -U 'ossa-lsp>=0.1.0'");
  assert.equal(installCommand(venv, '/ws', false, 'linux'), '/ws/.venv/bin/python -m pip install -e /ws');
  assert.equal(installCommand(custom, undefined, false, 'linux'), 'python3 -m pip install ossa-lsp');
});

test('a checkout of this project is recognised by its pyproject.toml', () => {
  assert.equal(isServerCheckout('[project]\nname = "ossa-lsp"\nversion = "0.1.0"\n'), true);
  assert.equal(isServerCheckout('[project]\nname = "something-else"\n'), false);
});

test('missing server: one message with the exact pip command', () => {
  const { message, install } = problemMessage(venv, { ok: false, reason: 'missing', detail: '' }, undefined, 'linux');
  assert.equal(install, '/ws/.venv/bin/python -m pip install ossa-lsp');
  assert.equal(message, 'OSSA: the ossa-lsp language server is not installed for /ws/.venv/bin/python. ' +
    'Install it with: /ws/.venv/bin/python -m pip install ossa-lsp');
});

test('missing interpreter: says which setting to change', () => {
  const { message } = problemMessage(venv, { ok: false, reason: 'not-found', detail: 'ENOENT' }, undefined, 'linux');
  assert.match(message, /the Python interpreter "\/ws\/.venv\/bin\/python" \(ossa.server.python\) was not found/);
  assert.match(message, /Set "ossa.server.python"/);
});

test('too old: says which version is needed and how to upgrade', () => {
  const { message } = problemMessage(venv, { ok: false, reason: 'too-old', version: [0, 0, 9], detail: '' }, undefined, 'linux');
  assert.equal(message, 'OSSA: ossa-lsp 0.0.9 is too old for this extension (it needs 0.1.0 or newer). ' +
    "Upgrade it with: /ws/.venv/bin/python -m pip install -U 'ossa-lsp>=0.1.0'");
});

const bundled: Launch = { command: 'python3', args: ['-I', '/ext/bundled/launch.py'], source: 'bundled', python: 'python3' };
const envPython: Launch = { command: 'python3', args: ['-m', 'ossa_lsp'], source: 'default', python: 'python3' };
const missing: Failure = { ok: false, reason: 'missing', detail: 'No module named ossa_lsp' };
const notFound: Failure = { ok: false, reason: 'not-found', detail: 'ENOENT' };
const UNSUPPORTED = 'ossa-lsp bundle: /usr/bin/python3 is cpython 3.9; the server bundled with this extension runs on ' +
  'CPython 3.10, 3.11, 3.12, 3.13, 3.14 on linux-x64\n';

test('the bundle launcher refusing an interpreter is "unsupported-python", with its explanation', () => {
  assert.deepEqual(judge({ code: 3, stdout: '', stderr: UNSUPPORTED }), { ok: false, reason: 'unsupported-python',
    detail: '/usr/bin/python3 is cpython 3.9; the server bundled with this extension runs on CPython 3.10, 3.11, 3.12, 3.13, 3.14 on linux-x64' });
  assert.equal(judge({ code: 1, stdout: '', stderr: UNSUPPORTED }).ok === false
    && (judge({ code: 1, stdout: '', stderr: UNSUPPORTED }) as Failure).reason, 'failed');  // only with its status 3
});

test('unsupported Python: says which Pythons the bundle has, no pip command', () => {
  const { message, install } = problemMessage(bundled, judge({ code: 3, stdout: '', stderr: UNSUPPORTED }) as Failure, undefined, 'linux');
  assert.equal(install, '');
  assert.equal(message, 'OSSA: cannot start the bundled language server: /usr/bin/python3 is cpython 3.9; the server bundled with ' +
    'this extension runs on CPython 3.10, 3.11, 3.12, 3.13, 3.14 on linux-x64. Install one of those, or set "ossa.server.python" ' +
    'to a Python 3.10+ (or "ossa.server.command" to another server).');
});

test('no Python at all for the bundle: says to install one', () => {
  const { message, install } = problemMessage(bundled, notFound, undefined, 'linux');
  assert.equal(install, '');
  assert.match(message, /^OSSA: cannot start the bundled language server: no Python interpreter was found \("python3"\)\. Install Python 3\.10 or newer/);
});

test('a bundled server that crashes: the command and its last line', () => {
  const { message } = problemMessage(bundled, { ok: false, reason: 'failed', detail: 'Traceback ...\nImportError: bad .so' }, undefined, 'linux');
  assert.equal(message, 'OSSA: the bundled language server did not start ("python3 -I /ext/bundled/launch.py --version": ImportError: bad .so). ' +
    'See the output for details, or set "ossa.server.python" to a Python 3.10+ (or "ossa.server.command" to another server).');
});

test('with a bundle the problem told is the bundled one, not the environment without ossa-lsp', () => {
  const unsupported = judge({ code: 3, stdout: '', stderr: UNSUPPORTED }) as Failure;
  const picked = pickProblem([[envPython, missing], [{ ...envPython, command: 'python' }, notFound], [bundled, unsupported],
    [{ ...bundled, command: 'python' }, notFound]]);
  assert.deepEqual(picked, [bundled, unsupported]);
});

test('without a bundle the first real problem is told; a missing `python` only when nothing else failed', () => {
  assert.deepEqual(pickProblem([[{ ...envPython, command: 'python' }, notFound], [envPython, missing]]), [envPython, missing]);
  assert.deepEqual(pickProblem([[envPython, notFound]]), [envPython, notFound]);
  assert.equal(pickProblem([]), undefined);
});
