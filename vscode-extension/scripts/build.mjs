// Build: bundle src/extension.ts (with vscode-languageclient) into dist/extension.js, and put the
// Mermaid browser bundle the agent-graph webview needs into dist/media/.
//   node scripts/build.mjs                 development bundle with source maps
//   node scripts/build.mjs --production    minified, no source maps (what `vsce package` ships)
//   node scripts/build.mjs --tests         compile test/*.test.ts (+ the pure modules) to out/ for node:test
//
// Mermaid comes from the npm registry with `npm pack` (no install of its ~100 dependencies: only the
// self-contained dist/mermaid.min.js is needed), pinned by version and verified by its sha512.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MERMAID = {
  version: '11.17.2',
  integrity: 'sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg==',
};
const args = new Set(process.argv.slice(2));
const production = args.has('--production');

function integrityOf(file) {
  return 'sha512-' + createHash('sha512').update(readFileSync(file)).digest('base64');
}

function vendorMermaid() {
  const target = join(ROOT, 'dist', 'media');
  const cache = join(ROOT, 'node_modules', '.cache', 'ossa-vendor');
  const stamp = join(cache, `mermaid-${MERMAID.version}.done`);
  if (existsSync(stamp) && existsSync(join(target, 'mermaid.min.js'))) {
    return;
  }
  mkdirSync(cache, { recursive: true });
  const tgz = join(cache, `mermaid-${MERMAID.version}.tgz`);
  if (!existsSync(tgz) || integrityOf(tgz) !== MERMAID.integrity) {
    execFileSync('npm', ['pack', '--silent', `mermaid@${MERMAID.version}`, '--pack-destination', cache],
      { stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
  }
  const got = integrityOf(tgz);
  if (got !== MERMAID.integrity) {
    throw new Error(`mermaid-${MERMAID.version}.tgz: integrity ${got} is not the pinned ${MERMAID.integrity}`);
  }
  const unpack = join(cache, `mermaid-${MERMAID.version}`);
  rmSync(unpack, { recursive: true, force: true });
  mkdirSync(unpack, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', unpack, 'package/dist/mermaid.min.js', 'package/LICENSE']);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  copyFileSync(join(unpack, 'package', 'dist', 'mermaid.min.js'), join(target, 'mermaid.min.js'));
  copyFileSync(join(unpack, 'package', 'LICENSE'), join(target, 'mermaid.LICENSE.txt'));
  writeFileSync(stamp, MERMAID.integrity + '\n');
}

/** dist/ThirdPartyNotices.txt: name, version and license text of every npm package in the bundle. */
function notices(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) {
      const dir = join(ROOT, input.slice(0, m.index + m[0].length));
      packages.set(dir, m[1]);
    }
  }
  const parts = ['Third-party software bundled in dist/extension.js of the OSSA extension', ''];
  for (const dir of [...packages.keys()].sort()) {
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\.(md|txt))?$/i.test(f));
    parts.push('='.repeat(78), `${meta.name} ${meta.version} (${meta.license ?? 'see below'})`, '='.repeat(78),
      file ? readFileSync(join(dir, file), 'utf8').trim() : '(no license file in the package)', '');
  }
  parts.push('='.repeat(78), `mermaid ${MERMAID.version} (MIT), in dist/media: see dist/media/mermaid.LICENSE.txt`, '');
  writeFileSync(join(ROOT, 'dist', 'ThirdPartyNotices.txt'), parts.join('\n'));
}

async function bundle() {
  rmSync(join(ROOT, 'dist', 'extension.js.map'), { force: true });
  const result = await esbuild.build({
    metafile: true,
    entryPoints: [join(ROOT, 'src', 'extension.ts')],
    outfile: join(ROOT, 'dist', 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
    legalComments: 'none',  // the licenses are in dist/ThirdPartyNotices.txt
    logLevel: 'warning',
  });
  notices(result.metafile);
}

async function tests() {
  const out = join(ROOT, 'out');
  rmSync(out, { recursive: true, force: true });
  const entryPoints = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => join(ROOT, 'test', f));
  await esbuild.build({
    entryPoints,
    outdir: join(out, 'test'),
    bundle: true,  // each test with the pure modules it imports; importing `vscode` would fail here, on purpose
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

if (args.has('--tests')) {
  await tests();
} else {
  await bundle();
  vendorMermaid();
}
