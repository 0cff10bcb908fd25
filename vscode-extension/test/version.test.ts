import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Launch } from '../src/serverCommand';
import { compareVersions, installCommand, isServerCheckout, judge, MIN_SERVER_VERSION, parseVersion, problemMessage } from '../src/version';

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
