// `vsce ls` must list exactly vsix-files.txt: the bundle and what it needs, no sources, tests or
// node_modules. A line ending in `/**` stands for every file under that folder: the server bundled by
// `npm run package:target` (none in the universal package). Run after a build (vsce ls lists only
// files that exist).
//   node scripts/check-vsix.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const vsce = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
const listed = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })
  .split('\n').map((l) => l.trim()).filter(Boolean).sort();
const lines = readFileSync(join(ROOT, 'vsix-files.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
const folders = lines.filter((l) => l.endsWith('/**')).map((l) => l.slice(0, -2));
const expected = lines.filter((l) => !l.endsWith('/**')).sort();
const inFolder = (f) => folders.some((d) => f.startsWith(d));
const extra = listed.filter((f) => !expected.includes(f) && !inFolder(f));
const missing = expected.filter((f) => !listed.includes(f));
const cached = listed.filter((f) => /(^|\/)__pycache__\/|\.pyc$/.test(f));
if (extra.length || missing.length || cached.length) {
  console.error('vsce ls differs from vsix-files.txt');
  for (const f of extra) console.error(`  + ${f} (packaged but not expected: add it to .vscodeignore's exceptions on purpose, or not at all)`);
  for (const f of missing) console.error(`  - ${f} (expected but not packaged: built? excluded by .vscodeignore?)`);
  for (const f of cached) console.error(`  + ${f} (Python bytecode: never packaged)`);
  process.exit(1);
}
const bundled = listed.filter(inFolder).length;
console.log(`vsce ls: ${listed.length} files, as expected (vsix-files.txt)` +
  (bundled ? `, ${bundled} of them the bundled server` : ', no bundled server (universal)'));
