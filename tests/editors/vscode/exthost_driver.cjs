// Open the VS Code server's workbench with the extension-development payload and wait for the
// integration test (ext_tests/index.js, run in the extension host) to write its result.
// Env: CS_URL, WS_DIR, EXT_DEV, EXT_TESTS, OSSA_RESULT, CHROMIUM, DEBUG.
const { chromium } = require('playwright-core');
const fs = require('fs');

const CS_URL = process.env.CS_URL;
const RESULT = process.env.OSSA_RESULT;
const t0 = Date.now();
const lap = (s) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  let exitCode = null;
  if (process.env.DEBUG) page.on('console', (m) => console.log('[console]', m.type(), m.text().slice(0, 300)));
  await page.exposeFunction('codeAutomationExit', (code) => { exitCode = code; });
  await page.exposeFunction('codeAutomationLog', (type, args) => { if (process.env.DEBUG) console.log('[ext]', type, ...args); });
  // The remote authority the server announces in the workbench page's configuration.
  const html = await (await fetch(CS_URL + '/')).text();
  const m = html.match(/remoteAuthority&quot;:&quot;([^&]+)&quot;/);
  const authority = m ? m[1] : new URL(CS_URL).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  lap('remote authority: ' + authority);
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(process.env.EXT_DEV)],
    ['extensionTestsPath', remote(process.env.EXT_TESTS)],
    ['skipWelcome', 'true'],
  ]);
  await page.goto(`${CS_URL}/?folder=${encodeURIComponent(process.env.WS_DIR)}&payload=${encodeURIComponent(payload)}`);
  lap('workbench loading; the test runs in the extension host');
  for (let i = 0; i < 900 && exitCode === null && !fs.existsSync(RESULT); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1000));  // let codeAutomationExit arrive if it will
  lap(`codeAutomationExit: ${exitCode}`);
  const result = fs.existsSync(RESULT) ? JSON.parse(fs.readFileSync(RESULT, 'utf8')) : null;
  if (result) {
    for (const s of result.steps) console.log('  ' + s);
    if (result.error) console.log(result.error);
  } else {
    console.log('no result file: the test did not run (see vscode-server.log)');
  }
  await browser.close();
  const ok = !!(result && result.ok) && exitCode !== 1;
  console.log(ok ? 'RESULT: PASS' : 'RESULT: FAIL');
  process.exit(ok ? 0 : 1);
})().catch((e) => { console.error('RESULT: FAIL', e); process.exit(2); });
