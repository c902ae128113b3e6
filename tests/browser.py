"""Headless Chromium (Debian's /usr/bin/chromium, installed by .ci/setup) driven by Playwright, for the pages the
project writes: what a reader's browser shows, its console errors and every request it made."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# As root in a container, without a GPU, and with none of Chromium's own connections (this machine's network is
# closed: they would fail, some as console errors).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

_READ = """() => ({
  figures: Array.from(document.querySelectorAll('figure')).map(f => {
    const box = f.querySelector('svg').getBoundingClientRect();
    return {id: f.id, width: box.width, height: box.height, caption: f.querySelector('figcaption').innerText};
  }),
  tables: Object.fromEntries(Array.from(document.querySelectorAll('section')).map(s => [s.id,
    Array.from(s.querySelectorAll('table')).map(t => Array.from(t.querySelectorAll('tr')).map(
      r => Array.from(r.children).map(c => c.innerText.trim())))])),
  marked: Array.from(document.querySelectorAll('#table2 td.marked')).map(c => c.innerText.trim()),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  overflowing: Array.from(document.querySelectorAll('figure')).filter(
    f => f.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(f => f.id),
})"""


def open_page(path: Path, screenshot: Path | None = None) -> dict:
    """Open ``path`` (file://) at 1280×900 and return what the page shows (:data:`_READ`), its console ``errors``
    and uncaught exceptions, and the URLs of every ``request`` other than the page itself."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: `bash .ci/setup` installs Debian's chromium for these tests")
    url = Path(path).resolve().as_uri()
    errors, requests = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url) if request.url != url else None)
            page.goto(url, wait_until="load")
            shown = page.evaluate(_READ)
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {**shown, "errors": errors, "requests": requests}


def table2_columns(table: list[list[str]]) -> dict:
    """report.html's Table 2 as the page shows it (a row per quantity, a column per state; a paper state's values
    in two columns, this run's and the paper's) -> state -> quantity -> text, or [this run, paper]."""
    states, body = table[0][1:], {row[0]: row[1:] for row in table[2:]}
    return {name: {quantity: values[2 * i:2 * i + 2] if len(values) == 2 * len(states) else values[i]
                   for quantity, values in body.items()} for i, name in enumerate(states)}
