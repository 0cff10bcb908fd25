// `vsce ls` must list exactly vsix-files.txt: the bundle and what it needs, no sources, tests or
// node_modules. Run after a build (vsce ls lists only files that exist).
//   node scripts/check-vsix.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const vsce = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
const listed = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n').map((l) => l.trim()).filter(Boolean).sort();
const expected = readFileSync(join(ROOT, 'vsix-files.txt'), 'utf8')
  .split('\n').map((l) => l.trim()).filter(Boolean).sort();
const extra = listed.filter((f) => !expected.includes(f));
const missing = expected.filter((f) => !listed.includes(f));
if (extra.length || missing.length) {
  console.error('vsce ls differs from vsix-files.txt');
  for (const f of extra) console.error(`  + ${f} (packaged but not expected: add it to .vscodeignore's exceptions on purpose, or not at all)`);
  for (const f of missing) console.error(`  - ${f} (expected but not packaged: built? excluded by .vscodeignore?)`);
  process.exit(1);
}
console.log(`vsce ls: ${listed.length} files, as expected (vsix-files.txt)`);
