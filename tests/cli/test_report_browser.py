"""The report page in a real browser: headless Chromium (found as tests/editors finds it: $CHROMIUM or
chromium on PATH; the test skips cleanly without one) loads the HTML offline with no console error, no
exception and no Content-Security-Policy violation (so our script's hash is right), draws the graph, and
the table sorts when a heading is clicked and filters as someone types.

Chromium is driven over the DevTools protocol on a loopback WebSocket (the `websockets` package that
pygls's WebSocket transport already brings), so no browser-automation package is needed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_report import fleet

websockets_client = pytest.importorskip("websockets.sync.client")


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


class Tab:
    """One page over the DevTools protocol: commands by id; events kept for the test to inspect."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=120))
            if msg.get("id") == mine:
                assert "error" not in msg, msg
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(json.loads(self.ws.recv(timeout=120)))

    def js(self, expression: str) -> Any:
        out = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in out, out
        return out["result"].get("value")

    def problems(self) -> list[str]:
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(json.dumps(p["exceptionDetails"])[:500])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append(json.dumps(p.get("args"))[:500])
            elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                out.append(p["entry"].get("text", "")[:500])
        return out


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Tab]:
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium (set CHROMIUM or install chromium)")
    profile = tmp_path / "chromium-profile"
    proc = subprocess.Popen([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
                             f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 120  # a hang guard for a loaded machine, not a measurement
        while not port_file.exists() or not port_file.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip("Chromium did not start a DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=60) as resp:
            pages = [t for t in json.load(resp) if t["type"] == "page"]
        with websockets_client.connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=60) as ws:
            tab = Tab(ws)
            for domain in ("Runtime", "Log", "Page"):
                tab.call(f"{domain}.enable")
            yield tab
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_page_renders_sorts_and_filters_in_chromium(cli, tmp_path: Path, browser: Tab) -> None:
    fleet(tmp_path / "fleet")
    assert cli("report", "fleet", "-o", "report.html").code in (0, 1)
    doc = json.loads(cli("report", "fleet", "-f", "json").out)
    browser.call("Page.navigate", url=(tmp_path / "report.html").as_uri())
    browser.wait_for("Page.loadEventFired")
    assert browser.problems() == []
    assert browser.js("document.querySelectorAll('#graph .node').length") == len(doc["graph"]["nodes"])
    assert browser.js("document.getElementById('graph').getBBox().width") > 0

    def column(col: str) -> list[str]:
        return browser.js(f"""Array.from(document.querySelectorAll('#agents tbody tr')).filter(r => !r.hidden)
            .map(r => {{ const c = r.cells[Array.from(document.querySelectorAll('#agents th'))
                .findIndex(h => h.dataset.col === '{col}')]; return c.dataset.value ?? c.textContent; }})""")

    browser.js("document.querySelector('th[data-col=cost_per_day]').click()")
    costs = column("cost_per_day")
    numbers = [float(v) for v in costs if v]
    assert numbers == sorted(numbers) and costs[len(numbers):] == [""] * (len(costs) - len(numbers))
    browser.js("document.querySelector('th[data-col=cost_per_day]').click()")
    numbers = [float(v) for v in column("cost_per_day") if v]
    assert numbers == sorted(numbers, reverse=True)
    browser.js("document.querySelector('th[data-col=name]').click()")
    assert column("name") == sorted(a["name"] for a in doc["agents"])

    browser.js("document.getElementById('filter').focus()")
    browser.call("Input.insertText", text="risk")  # typed, as a person would: fires the input event
    risky = sorted(a["name"] for a in doc["agents"] if a["group"] == "risk")
    assert sorted(column("name")) == risky
    assert browser.js("document.getElementById('shown').textContent") == str(len(risky))
    browser.js("const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input'))")
    assert len(column("name")) == len(doc["agents"])
    assert browser.problems() == []
