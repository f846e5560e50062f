"""Benchmark: fetch + extract of 100 article pages, against trafilatura's own ``extract`` on the same bytes (target ≤ 1.2×).

Both sides are real processes started the same way, timed side by side in
one run, interleaved, five rounds each, taking the median. The ratio is of
the article work after each side's floor (as for publish), where the work
is the same on both sides: loading the extractor, then getting and
extracting the 100 pages. The desk's floor is the same fetch with
``--no-articles`` (start-up, the feeds); the anchor's is the interpreter
starting (``python -c pass``). The whole-process ratio is printed too.

- the desk: ``briefdesk fetch`` of four feeds whose 100 items carry one sentence
  each, so it fetches the feeds and the 100 article pages from a server on
  127.0.0.1, extracts them and stores them in the queue database;
- the anchor: a Python process that reads the same 100 page bodies from disk
  and runs ``trafilatura.extract`` on each.

Run: python -m pytest tests/bench/test_bench_article.py -m bench -s
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feed_server import FeedServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parents[1] / "articles"
COUNT = 100
ROUNDS = 5
WORDS = (
    "the council harbour school library river volunteers children teachers town garden trust funding weekend residents "
    "petition hours county families pupils mural coast lighthouse boats seabirds project meeting vote paint coating salt"
).split()

ANCHOR = r"""
import sys, time
from pathlib import Path
import trafilatura
files = sorted(Path(sys.argv[1]).glob("*.html"))
for path in files:
    trafilatura.extract(path.read_bytes(), url="http://127.0.0.1/" + path.name)
"""


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def pages(rng: random.Random) -> list[bytes]:
    """100 distinct article pages of about 130 KB, marked up the way news sites are.

    The test pages' article and furniture, plus what a real news page
    carries around them: a menu of 150 links, 40 related stories, share
    buttons, inline scripts and tracking JSON, and 30 more paragraphs of
    article.
    """
    templates = [(PAGES / name).read_text("utf-8") for name in ("harbour.html", "library.html")]
    result = []
    for n in range(COUNT):
        template = templates[n % 2]
        paragraphs = "\n".join(f"<p>{_words(rng, 14, 30).capitalize()}, said {rng.randint(2, 900)} people on day {n}.</p>" for _ in range(30))
        menu = "".join(f'<li class="menu-item menu-{k}"><a class="nav-link" href="/section/{k}" data-track="nav-{k}">{_words(rng, 1, 3)}</a></li>' for k in range(150))
        related = "".join(
            f'<li class="teaser"><a href="/story/{n}-{k}"><img src="/img/{k}.jpg" alt="" width="120" height="80"><span class="teaser-title">{_words(rng, 6, 12)}</span></a><time>{k} hours ago</time></li>'
            for k in range(40)
        )
        script = "<script>window.__STATE__ = " + "{" + ",".join(f'"k{k}": "{_words(rng, 3, 8)}"' for k in range(400)) + "};</script>"
        tracking = '<script type="application/ld+json">{"@type": "NewsArticle", "keywords": "' + _words(rng, 200, 300) + '"}</script>'
        marker = "</article>" if "</article>" in template else "</div>\n<div class=\"share-tools\">"
        page = template.replace(marker, paragraphs + marker, 1)
        page = page.replace("<body>", f'<body>{script}<nav class="mega-menu"><ul>{menu}</ul></nav>', 1)
        page = page.replace("</body>", f'<aside class="related"><h2>More stories</h2><ul>{related}</ul></aside>{tracking}</body>', 1)
        result.append(page.encode("utf-8"))
    return result


def run(command: list[str], **env: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return elapsed


@pytest.mark.bench
@pytest.mark.timeout(900)
def test_bench_fetch_and_extract_100_articles_against_trafilatura(tmp_path: Path) -> None:
    rng = random.Random(20261201)
    bodies = pages(rng)
    print(f"\n{COUNT} pages, {sum(map(len, bodies)) / COUNT / 1024:.0f} KB each on average")
    folder = tmp_path / "pages"
    folder.mkdir()
    for n, body in enumerate(bodies):
        (folder / f"page{n:03}.html").write_bytes(body)
    with FeedServer() as server:
        for n, body in enumerate(bodies):
            server.add_file(f"page{n:03}.html", body, "text/html; charset=utf-8")
        # Four feeds of 25 items: a run takes at most 25 new articles per source.
        for feed in range(4):
            items = "".join(
                f"<item><title>Story {n}</title><link>{server.url(f'page{n:03}.html', 'a')}</link><guid isPermaLink=\"false\">s{n}</guid>"
                f"<description>Story {n}. Continue reading…</description></item>"
                for n in range(feed * 25, feed * 25 + 25)
            )
            server.add_file(f"teasers{feed}.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode())
        times: dict[str, list[float]] = {"desk": [], "desk floor": [], "anchor": [], "anchor floor": []}
        for round_ in range(ROUNDS):
            for floor in (False, True):
                repo = tmp_path / f"content{round_}{floor}"
                repo.mkdir()
                prefix = f"r{round_}{'n' if floor else 'a'}"
                sources = "".join(f'\n[[sources]]\nname = "Teasers {feed}"\nurl = "{server.url(f"teasers{feed}.xml", prefix)}"\n' for feed in range(4))
                (repo / "desk.toml").write_text('[desk]\nname = "Bench"\n' + sources)
                # A fresh queue each time: every article is new.
                command = [sys.executable, "-m", "tui.cli", "fetch", "--repo", str(repo), *(["--no-articles"] if floor else [])]
                times["desk floor" if floor else "desk"].append(run(command, BRIEFDESK_DATA_DIR=str(tmp_path / f"data-{prefix}")))
            times["anchor"].append(run([sys.executable, "-c", ANCHOR, str(folder)]))
            times["anchor floor"].append(run([sys.executable, "-c", "pass"]))
        fetched = sum(server.requests[f"/a/page{n:03}.html"] for n in range(COUNT))
    assert fetched == COUNT * ROUNDS
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:>13}: {median[name]:.2f} s median of {[round(t, 2) for t in values]}")
    whole = median["desk"] / median["anchor"]
    work = (median["desk"] - median["desk floor"]) / (median["anchor"] - median["anchor floor"])
    print(f"desk = briefdesk fetch of the 4 feeds and their {COUNT} articles (fetch + extract + store); floor = the same with --no-articles")
    print(f"anchor = trafilatura.extract on the same {COUNT} bodies read from disk; floor = python -c pass")
    print(f"whole processes: {whole:.2f}x; work after each side's floor: {work:.2f}x (target <= 1.2x)")
    ratio = work
    assert ratio <= 1.2, f"fetch + extract took {ratio:.2f}x trafilatura's own extract"
