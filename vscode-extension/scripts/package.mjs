// Package the extension.
//   node scripts/package.mjs                       universal .vsix: no server inside; it runs an
//                                                  ossa-lsp installed for Python
//   node scripts/package.mjs --target linux-x64    the server and its dependencies for that platform
//                                                  inside (tools/bundle_server.py), then `vsce package --target`
// Further arguments go to tools/bundle_server.py (e.g. --python 3.12 --wheel dist/ossa_lsp-0.1.0-py3-none-any.whl).
// The bundler runs with $OSSA_PYTHON (default python3; it needs pip, and `build` + hatchling unless
// --wheel is given) from the repository at $OSSA_REPO (default: the folder above this extension).
// Output: ossa-lsp[-TARGET]-VERSION.vsix here, or $OSSA_VSIX.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(process.env.OSSA_REPO ?? join(ROOT, '..'));
const PYTHON = process.env.OSSA_PYTHON ?? (process.platform === 'win32' ? 'python' : 'python3');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const at = args.indexOf('--target');
const target = at >= 0 ? args[at + 1] : undefined;
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
const libs = join(ROOT, 'bundled', 'libs');
const run = (command, argv) => execFileSync(command, argv, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });

if (target) {
  run(PYTHON, [join(REPO, 'tools', 'bundle_server.py'), '--target', target, '--out', libs, ...rest]);
} else {
  rmSync(libs, { recursive: true, force: true });
}
const out = process.env.OSSA_VSIX ?? join(ROOT, `ossa-lsp-${target ? target + '-' : ''}${version}.vsix`);
const vsce = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
run(vsce, ['package', '--no-dependencies', ...(target ? ['--target', target] : []), '-o', out]);
