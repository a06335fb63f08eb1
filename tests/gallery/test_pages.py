"""The gallery's README.md and index.html: complete, linked, escaped, and fine in a browser."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from lrplot.gallery.build import find_configs
from lrplot.gallery.manifest import Entry
from lrplot.gallery.pages import index_html, index_markdown
from tests.conftest import CONFIGS_DIR

VERSIONS = {"lrplot": "1", "torch": "2", "matplotlib": "3"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def html_links(text: str) -> tuple[list[str], list[str]]:
    parser = _Links()
    parser.feed(text)
    return parser.links, parser.tags


def markdown_links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)]+)\)", text) + re.findall(r'(?:src|href)="([^"]+)"', text)


@pytest.mark.parametrize("page", ["README.md", "index.html"])
def test_index_pages_list_every_config(built_gallery: Path, page: str) -> None:
    text = (built_gallery / page).read_text()
    for config in find_configs(CONFIGS_DIR):
        stem = config.removesuffix(".yaml").removesuffix(".json")
        for ext in ("png", "svg", "csv"):
            assert f"{stem}.{ext}" in text, f"{page} does not link {stem}.{ext}"


@pytest.mark.parametrize("page", ["README.md", "index.html"])
def test_index_pages_link_only_to_files_that_exist(built_gallery: Path, page: str) -> None:
    text = (built_gallery / page).read_text()
    links = html_links(text)[0] if page.endswith(".html") else markdown_links(text)
    assert len(links) >= 3 * len(find_configs(CONFIGS_DIR))
    for link in links:
        assert "://" not in link, link
        assert (built_gallery / link).is_file(), link


def test_index_html_is_self_contained(built_gallery: Path) -> None:
    text = (built_gallery / "index.html").read_text()
    links, tags = html_links(text)
    assert "script" not in tags
    assert not any(link.startswith(("http:", "https:", "//")) for link in links)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "prefers-color-scheme: dark" in text


def entry(**changes: object) -> Entry:
    values: dict[str, object] = {
        "config": "team/a|b.yaml",
        "fingerprint": "0",
        "title": 'Warm-up | "cosine" <fast>',
        "description": "lr *= 0.5 every [10] epochs | <b>not bold</b> _x_",
        "scheduler": "LambdaLR(lr_lambda=0.95 ** epoch if epoch | 1 else 1)",
        "optimizer": "SGD(lr=0.1)",
        "epochs": 10,
        "steps_per_epoch": 4,
        "outputs": {f"team/a|b.{fmt}": "0" * 64 for fmt in ("png", "svg", "csv")},
    }
    values.update(changes)
    return Entry(**values)  # type: ignore[arg-type]


def test_markdown_escapes_cells_so_the_table_holds() -> None:
    text = index_markdown([entry()], VERSIONS)
    row = next(line for line in text.splitlines() if line.startswith("| <a"))
    assert row.count(" | ") == 1  # one separator between the two cells: no stray pipes
    assert "lr \\*= 0\\.5 every \\[10\\] epochs \\| &lt;b&gt;not bold&lt;/b&gt; \\_x\\_" in row
    assert 'alt="Warm-up &#124; &quot;cosine&quot; &lt;fast&gt;"' in row
    assert "10 epochs x 4 steps = 40 steps" in row
    assert "## team" in text


def test_html_escapes_everything() -> None:
    text = index_html([entry()], VERSIONS)
    assert "<b>not bold</b>" not in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text
    assert 'alt="Warm-up | &quot;cosine&quot; &lt;fast&gt;"' in text


@pytest.mark.parametrize(
    ("formats", "image", "links"),
    [
        (["png", "svg", "csv"], ("a.svg", "a.png"), ["SVG", "CSV"]),
        (["png"], ("a.png", "a.png"), []),
        (["svg", "json"], ("a.svg", "a.svg"), ["SVG", "JSON"]),
        (["pdf", "csv"], None, ["PDF", "CSV"]),
        (["csv"], None, ["CSV"]),
    ],
)
def test_pages_show_and_link_the_outputs_there_are(
    formats: list[str], image: tuple[str, str] | None, links: list[str]
) -> None:
    shown = entry(config="a.yaml", outputs={f"a.{fmt}": "0" * 64 for fmt in formats})
    markdown, page = index_markdown([shown], VERSIONS), index_html([shown], VERSIONS)
    row = next(line for line in markdown.splitlines() if "**a**" in line)
    if image is None:
        assert row.startswith("| no image | ")
        assert "<img" not in page
    else:
        assert row.startswith(f'| <a href="{image[0]}"><img src="{image[1]}" width="320" ')
        assert f'<a href="{image[0]}"><img src="{image[1]}" width="800" height="450" ' in page
    assert re.findall(r"\[([A-Z]+)\]\(a\.", row) == links
    card_links = re.findall(r' · <a href="a\.\w+">([A-Z]+)</a>', page)
    assert card_links == links
    assert {*markdown_links(markdown), *html_links(page)[0]} <= {f"a.{fmt}" for fmt in formats}


def test_pages_say_what_rendered_them() -> None:
    assert "1 schedules, rendered by lrplot 1 with torch 2 and matplotlib 3." in index_html(
        [entry()], VERSIONS
    )


def _browser_available() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Debian's headless Chromium through its chromedriver, at a phone's 375 px width."""
    if not _browser_available():
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing; .ci/run installs them")
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install them)")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    profile = tempfile.mkdtemp(prefix="lrplot-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=375,812",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(executable_path=shutil.which("chromedriver")), options=options
    )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_index_html_in_a_real_browser(
    browser: WebDriver, built_gallery: Path, tmp_path: Path, width: int
) -> None:
    driver = browser
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    driver.get((built_gallery / "index.html").as_uri())
    images = driver.execute_script(
        "return [...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])"
    )
    assert len(images) == len(find_configs(CONFIGS_DIR))
    assert [src for src, complete, natural in images if not complete or natural <= 0] == []
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[1] <= width  # less a vertical scrollbar, on a desktop
    assert widths[0] <= widths[1], "the page scrolls sideways"
    screenshot = tmp_path / f"gallery-{width}px.png"
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_text_cannot_become_a_link_on_github() -> None:
    """GitHub links www., scheme:// and e-mail addresses found in text; escaped dots and
    colons, and an empty comment after @ (GitHub drops it), keep them text."""
    from dataclasses import replace

    text = index_markdown(
        [replace(entry(), description="see https://evil.example/x, www.evil.com, me@evil.com")],
        VERSIONS,
    )
    assert "https\\://evil\\.example/x" in text
    assert "www\\.evil\\.com" in text
    assert "me@<!-- -->evil\\.com" in text
    assert "https://" not in text
