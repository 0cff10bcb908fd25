// VS Code for real: drive code-server's workbench in headless Chromium (playwright-core) with the
// packaged OSSA extension installed, and read what a person would see:
//   diagnostics in the Problems panel (our messages, codes and positions), which server process
//   answers, the squiggle's hover with its quick fix, the status bar item, hover on a key, completion
//   after `provider: `, applying a quick fix, a code lens and inlay hints, and the notification when the
//   server is not installed.
//   Screenshots go to $OUT.
// MODE=bundled (a clean machine, no ossa.server.python): the server must be the one bundled in the
// .vsix; stops after the Problems panel, status bar and hover. Otherwise ossa.server.python is
// $SERVER_PYTHON and that server must be the one running (the user's setting wins over the bundle).
// Env: CS_URL, WS_DIR, OUT, EXT_DIR (code-server's --extensions-dir), SERVER_PYTHON, BARE_PYTHON (a
//      python without ossa-lsp), MODE, SCREENSHOT (default vscode-problems.png), CHROMIUM (default
//      /usr/bin/chromium), DEBUG=1 for the page's console.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const MODE = process.env.MODE || 'full';
const SCREENSHOT = process.env.SCREENSHOT || 'vscode-problems.png';

/** The command lines of the language servers running in this workspace (/proc, so no `ps` is needed;
 * the extension starts the server in the workspace folder, which tells it from other tests' servers). */
function serverProcesses() {
  const lines = [];
  const ws = fs.realpathSync(WS_DIR);
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let args;
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`) !== ws) continue;
      args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;  // gone meanwhile
    }
    if (args.includes('--stdio') && args.some((a) => a === 'ossa_lsp' || a.endsWith('/bundled/launch.py'))) {
      lines.push(args);
    }
  }
  return lines;
}

const CS_URL = process.env.CS_URL || 'http://127.0.0.1:18080';
const WS_DIR = process.env.WS_DIR;
const OUT = process.env.OUT;
const FILE = 'agent.ossa.yaml';
const t0 = Date.now();
const result = { ok: false, steps: [], checks: {} };
const lap = (what) => {
  const line = `[${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`;
  result.steps.push(line);
  console.log(line);
};
const clean = (s) => s.replace(/\s+/g, ' ').trim();
function check(name, ok, detail) {
  result.checks[name] = { ok: !!ok, detail };
  lap(`${ok ? 'PASS' : 'FAIL'} ${name}${detail !== undefined ? ': ' + JSON.stringify(detail) : ''}`);
  if (!ok) throw new Error(`check failed: ${name}`);
}

async function visibleText(page, selector, pattern, timeout = 10000) {
  const handle = await page.waitForFunction(([sel, src]) => {
    const re = new RegExp(src);
    const text = (e) => (e.textContent || '').replace(/\u00a0/g, ' ');  // Monaco renders spaces as NBSP
    const el = [...document.querySelectorAll(sel)].find((e) => e.offsetParent !== null && re.test(text(e)));
    return el ? el.innerText : null;
  }, [selector, pattern], { timeout });
  return handle.jsonValue();
}

async function goToLine(page, line) {  // Ctrl+G, `line` or `line:column`, Enter
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  if (process.env.DEBUG) page.on('console', (m) => console.log('[console]', m.type(), m.text().slice(0, 300)));
  try {
    lap('browser launched');
    await page.goto(`${CS_URL}/?folder=${encodeURIComponent(WS_DIR)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${FILE}"]`).first().waitFor({ timeout: 60000 });
    lap('workbench up, explorer lists the manifest');

    // Open the manifest with Quick Open.
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 15000 });
    await page.keyboard.type(FILE);
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 15000 });
    const opened = Date.now();  // the first squiggle is timed from here: the manifest opens in a fresh window
    await page.keyboard.press('Enter');
    await page.waitForSelector('.editor-instance .monaco-editor .view-lines', { timeout: 30000 });
    lap('editor opened');

    // 1. Diagnostics: squiggles, then the Problems panel's rows.
    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 90000 });
    lap('error squiggle rendered');
    // A figure, not a check (issue 19: goal 1.5 s; extension activation + server start + analysis).
    result.first_squiggle_ms = Date.now() - opened;
    console.log(`FIGURE first squiggle after opening the manifest in a fresh window: ${result.first_squiggle_ms} ms` +
      ` (mode ${process.env.MODE || 'python'}; goal <= 1500 ms, not asserted)`);
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.filter({ hasText: 'currency' }).first().waitFor({ timeout: 30000 });
    const problems = (await rows.allInnerTexts()).map(clean);
    result.problems = problems;
    lap('problems panel: ' + JSON.stringify(problems));
    const provider = problems.find((p) => p.includes('`provider` must be one of'));
    check('problems: provider error with our suggestion and position', provider
      && provider.includes("got 'open-ai'. Did you mean `openai`?") && provider.includes('SCHEMA004')
      && provider.includes('ossa-schema') && provider.includes('[Ln 20, Col 15]'), provider);
    const currency = problems.find((p) => p.includes('`currency` must be three upper-case letters'));
    check('problems: currency error', currency && currency.includes('SCHEMA005') && currency.includes('[Ln 28, Col 17]'), currency);
    // Workspace diagnostics (pull): the closed reviewer manifest's planted error is listed without opening it.
    await rows.filter({ hasText: 'temprature' }).first().waitFor({ timeout: 30000 });
    const withClosed = (await rows.allInnerTexts()).map(clean);
    const closed = withClosed.find((p) => p.includes('Unknown key `temprature`'));
    check('problems: the closed manifest\'s error, never opened', closed && closed.includes('SCHEMA001')
      && withClosed.some((p) => p.startsWith('reviewer.ossa.yaml')), withClosed);
    const counts = await page.locator('[id="status.problems"]').getAttribute('aria-label').catch(() => null);
    check('status bar: exactly our three errors (two open, one closed)', /^Errors: 3\b/.test(counts || ''), counts);

    // Which server answered: the bundled one on a clean machine, else the one ossa.server.python names.
    const servers = serverProcesses();
    if (MODE === 'bundled') {
      check('the server bundled in the .vsix answers (python -I <extension>/bundled/launch.py)',
        servers.length === 1 && servers[0].includes('-I') && servers[0].some((a) =>
          a.startsWith(path.join(process.env.EXT_DIR, 'ossa-lsp.ossa-lsp-')) && a.endsWith('/bundled/launch.py')),
        servers.map((s) => s.join(' ')));
    } else {
      check('ossa.server.python wins over the bundled server', servers.length === 1
        && servers[0][0] === process.env.SERVER_PYTHON && servers[0].join(' ').includes('-m ossa_lsp'),
        servers.map((s) => s.join(' ')));
    }

    // 2. Our status bar item: server running, OSSA version of the active manifest.
    const status = clean(await visibleText(page, '.statusbar-item', '^\\s*OSSA|OSSA v', 30000));
    check('status bar shows the manifest\'s OSSA version', /OSSA v0\.2\.2/.test(status), status);

    // 3. Hover over the squiggled value: the diagnostic and its quick fix; screenshot with the panel.
    const squiggle = page.locator('.monaco-editor .squiggly-error').first();
    const box = await squiggle.boundingBox();
    await page.mouse.move(box.x + Math.min(15, box.width / 2), box.y + box.height / 2);
    const diagHover = clean(await visibleText(page, '.monaco-hover', 'Did you mean', 10000));
    check('hover on the error shows our message', diagHover.includes("Did you mean `openai`?"), diagHover.slice(0, 160));
    await page.waitForTimeout(700);  // the hover's fade-in
    const png = path.join(OUT, SCREENSHOT);
    await page.screenshot({ path: png });
    lap('screenshot ' + png);

    // 3b. Code lens above metadata.name (agents/escalation.ossa.yaml calls this agent) and inlay hints
    // after `cpu: 500m` / `memory: 512Mi` (the last lines). The panel is hidden so every line is in view.
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    // Known issue (issue 19 note): on a cold first start VS Code may drop the first code-lens answer and ask
    // again only after an edit; an edit that is undone makes it ask, and the lap says it was needed.
    let lensText = await visibleText(page, '.monaco-editor .codelens-decoration', 'called by 1 agent', 15000)
      .catch(() => null);
    if (lensText === null) {
      lap('no code lens after 15 s: nudging VS Code with an edit that is undone');
      await goToLine(page, '8:1');
      await page.keyboard.type(' ');
      await page.keyboard.press('Control+Z');
      lensText = await visibleText(page, '.monaco-editor .codelens-decoration', 'called by 1 agent', 30000);
    }
    lensText = clean(lensText);
    check('code lens above metadata.name: who calls this agent', lensText.includes('called by 1 agent · calls 0'), lensText);
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
    await page.keyboard.type('View: Toggle Panel Visibility');
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Toggle Panel Visibility' }).first()
        .waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
    } catch {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+J');  // the same command's key binding
    }
    await page.waitForSelector('.part.panel', { state: 'hidden', timeout: 10000 }).catch(() => {});
    // Go to Line centres a line it has to scroll to: line 1 keeps the whole file (33 lines) in view, the
    // code lens and the hints in one screenshot.
    await goToLine(page, 1);
    const hints = await page.waitForFunction(() => {
      // inlay hints are injected text in the line (some builds draw them as ::before/::after content)
      const norm = (t) => (t || '').replace(/\u00a0/g, ' ');
      const seen = [];
      for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
        let text = norm(line.textContent);
        for (const el of line.querySelectorAll('span')) {
          for (const pseudo of ['::before', '::after']) {
            const c = getComputedStyle(el, pseudo).content;
            if (c && c !== 'none' && c !== 'normal') text += ' ' + norm(c);
          }
        }
        if (/cpu: 500m/.test(text) && text.includes('0.5 core')) seen.push('0.5 core');
        if (/memory: 512Mi/.test(text) && text.includes('≈ 537 MB')) seen.push('≈ 537 MB');
      }
      return seen.length === 2 ? seen : null;
    }, null, { timeout: 30000 }).then((h) => h.jsonValue());
    check('inlay hints after cpu and memory', hints.length === 2, hints);
    await page.waitForTimeout(300);
    if (MODE !== 'bundled') {
      await page.screenshot({ path: path.join(OUT, 'vscode-inlay-codelens.png') });
      lap('screenshot vscode-inlay-codelens.png');
    }
    await page.keyboard.press('Control+Shift+M');  // the Problems panel again, for the steps below
    await rows.first().waitFor({ timeout: 10000 });
    await goToLine(page, 1);  // back to the top, where the steps below expect the view

    if (MODE !== 'bundled') {  // the rest needs neither a clean machine nor the bundle
      // 4. Hover over a key: the schema's documentation.
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      const key = page.locator('.view-lines .view-line span', { hasText: /^provider$/ }).first();
      let keyBox = await key.boundingBox().catch(() => null);
      if (!keyBox) {  // the tokenizer may keep "provider:" in one span
        keyBox = await page.locator('.view-lines .view-line span', { hasText: /provider/ }).first().boundingBox();
      }
      await page.mouse.move(keyBox.x + 10, keyBox.y + keyBox.height / 2);
      const keyHover = clean(await visibleText(page, '.monaco-hover', 'Who serves the model', 10000));
      check('hover on `provider` shows the schema documentation', keyHover.includes('spec.llm.provider'), keyHover.slice(0, 160));
      await page.mouse.move(5, 5);

      // 5. Quick fix: Ctrl+. on `open-ai`, pick "Change `open-ai` to `openai`".
      await goToLine(page, '20:16');  // the cursor on `open-ai`
      await page.keyboard.press('Control+.');
      const fixRow = page.locator('.action-widget .monaco-list-row', { hasText: 'to `openai`' }).first();
      await fixRow.waitFor({ timeout: 10000 });
      const actions = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map(clean).filter(Boolean);
      lap('quick fixes offered: ' + JSON.stringify(actions));
      for (let i = 0; i < 8; i++) {  // keyboard, as a person would: the focused row is applied with Enter
        const focused = await page.locator('.action-widget .monaco-list-row.focused').first().innerText().catch(() => '');
        if (focused.includes('to `openai`')) break;
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => [...document.querySelectorAll('.view-lines .view-line')]
        .some((l) => /provider:\s+openai\s*$/.test(l.textContent.replace(/\u00a0/g, ' '))), null, { timeout: 10000 });
      await rows.filter({ hasText: '`provider`' }).first().waitFor({ state: 'detached', timeout: 15000 });
      check('quick fix applied: `provider: openai`, its problem gone', true, actions.find((a) => a.includes('to `openai`')));

      // 6. Completion after `provider: `.
      await goToLine(page, 20);
      await page.keyboard.press('End');
      for (let i = 0; i < 'openai'.length; i++) await page.keyboard.press('Backspace');
      await page.keyboard.press('Control+Space');
      const sugg = page.locator('.suggest-widget .monaco-list-row');
      await sugg.first().waitFor({ timeout: 20000 });
      await page.waitForTimeout(300);
      const labels = (await sugg.allInnerTexts()).map((s) => s.split('\n')[0].trim());
      result.completion = labels;
      check('completion after `provider: ` offers the providers',
        ['openai', 'anthropic', 'google', 'azure', 'ollama', 'custom'].every((p) => labels.includes(p)), labels);
      await page.keyboard.press('Escape');

      // 7. Agent graph (Mermaid in a webview) from the Command Palette, when the server has the graph.
      await page.keyboard.press('Control+Shift+P');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
      await page.keyboard.type('OSSA: Show Agent Graph');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Agent Graph' }).first().waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      const graph = await page.waitForFunction(() => {
        const toast = [...document.querySelectorAll('.notifications-toasts .notification-toast')]
          .find((t) => /agent graph is not available/.test(t.textContent || ''));
        if (toast) return { available: false, text: toast.innerText };
        const tab = [...document.querySelectorAll('.tabs-container .tab')].find((t) => /OSSA agent graph/.test(t.textContent || ''));
        return tab ? { available: true } : null;
      }, null, { timeout: 20000 }).then((h) => h.jsonValue());
      if (graph.available) {
        let svg = null;
        for (let i = 0; i < 100 && !svg; i++) {
          for (const frame of page.frames()) {
            svg = await frame.evaluate(() => {
              const el = document.querySelector('pre.mermaid svg');
              return el ? el.textContent : null;
            }).catch(() => null);
            if (svg) break;
          }
          if (!svg) await page.waitForTimeout(200);
        }
        check('agent graph: Mermaid rendered an SVG with the agents', svg && svg.includes('ticket-reviewer'), svg && svg.slice(0, 200));
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, 'vscode-agent-graph.png') });
        await page.keyboard.press('Control+W');  // close the graph
      } else {
        check('agent graph: clear "not available" message', true, clean(graph.text));
        await page.keyboard.press('Escape');
      }

      // 8. No server: point ossa.server.python at a Python without ossa-lsp → one actionable notification.
      // Through the Settings editor, as a person would: Ctrl+, → search → Remote tab → type the path.
      // Focus may still sit in the graph's webview (where Ctrl+, does nothing): fall back to the palette.
      await page.keyboard.press('Control+,');
      try {
        await page.waitForSelector('.settings-editor', { timeout: 10000 });
      } catch {
        await page.locator('.monaco-workbench').first().click({ position: { x: 5, y: 5 } }).catch(() => {});
        await page.keyboard.press('F1');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
        await page.keyboard.type('Preferences: Open Settings (UI)');
        await page.waitForTimeout(500);
        await page.keyboard.press('Enter');
        await page.waitForSelector('.settings-editor', { timeout: 30000 });
      }
      await page.keyboard.type('ossa.server.python');
      // A machine-overridable setting: in a remote window (code-server) it is edited on the Remote tab.
      await page.locator('.settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click();
      const input = page.locator('.settings-editor .setting-item-contents', { hasText: 'Python interpreter that has' })
        .locator('input').first();
      await input.waitFor({ timeout: 15000 });
      await input.fill(process.env.BARE_PYTHON);
      await page.keyboard.press('Tab');
      lap('ossa.server.python set to a Python without ossa-lsp in the Settings editor');
      const toast = clean(await visibleText(page, '.notifications-toasts .notification-toast', 'not installed', 45000));
      const install = `${process.env.BARE_PYTHON} -m pip install ossa-lsp`;
      check('missing server: notification with the exact pip command and "Show Output"',
        toast.includes(`Install it with: ${install}`) && toast.includes('Show Output'), toast);
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(OUT, 'vscode-server-missing.png') });
      await page.locator('.notifications-toasts .monaco-button', { hasText: 'Show Output' }).first().click();
      const outputText = clean(await visibleText(page, '.panel .monaco-editor .view-lines', 'No module named ossa_lsp', 15000));
      check('"Show Output" opens the OSSA output with the details', outputText.includes('No module named ossa_lsp'),
        outputText.slice(-200));
      const failed = clean(await visibleText(page, '.statusbar-item', '^\\s*OSSA\\s*$', 10000).catch(() => ''));
      lap('status bar after the failure: ' + JSON.stringify(failed));
    }
    result.ok = true;
  } catch (e) {
    result.error = String(e && e.stack || e);
    console.error(result.error);
    await page.screenshot({ path: path.join(OUT, 'vscode-failure.png') }).catch(() => {});
  }
  fs.writeFileSync(path.join(OUT, 'vscode-ui.json'), JSON.stringify(result, null, 2));
  console.log(result.ok ? 'RESULT: PASS' : 'RESULT: FAIL');
  await browser.close();
  process.exit(result.ok ? 0 : 1);
})().catch((e) => {
  console.error('RESULT: FAIL', e);
  process.exit(2);
});
