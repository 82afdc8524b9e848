"""The timeline: its counts and milestones, the PNG/SVG pictures, `almanac timeline`, and the index's inline SVG."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

import pytest

from almanac.cli import main
from almanac.config import SiteConfig
from almanac.entry import Entry, PartialDate
from almanac.timeline import PALETTE, TimelineError, build_timeline, draw
from feeds.build import build_site
from tests.conftest import REPO, SEED

SVG = "{http://www.w3.org/2000/svg}"
NEW_YEAR_2025 = dt.date(2025, 1, 1)


def entry(n: int, year: int, kind: str = "talk", month: int | None = 5) -> Entry:
    return Entry(id=f"e{n}", title=f"Entry {n}", date=PartialDate(year, month), kind=kind, summary="S.")


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, i = [], 8
    while i < len(data):
        size = int.from_bytes(data[i : i + 4], "big")
        chunks.append(data[i + 4 : i + 8])
        assert zlib.crc32(data[i + 4 : i + 8 + size]) == int.from_bytes(data[i + 8 + size : i + 12 + size], "big")
        i += 12 + size
    return chunks


def test_counts_per_year_and_kind_with_gaps_and_milestones():
    entries = [entry(1, 2015), entry(2, 2015, "paper"), entry(3, 2017, "paper"), entry(4, 2020, month=None)]
    t = build_timeline(entries, NEW_YEAR_2025)
    assert t.years == (2015, 2016, 2017, 2018, 2019, 2020)
    assert t.kinds == ("talk", "paper")
    assert t.counts == ((1, 0, 0, 0, 0, 1), (1, 0, 1, 0, 0, 0))
    assert t.totals == (2, 0, 1, 0, 0, 1) and t.total == 4
    # 2015 -> 10 years on 1 May 2025 (a milestone); 2017 -> 8 (not); 2020 is dated to the year (never).
    assert [(m.entry_id, m.years_ago, m.day) for m in t.milestones] == [
        ("e1", 10, dt.date(2025, 5, 1)), ("e2", 10, dt.date(2025, 5, 1))]
    assert t.summary() == (
        "4 entries from 2015–2020 (2 talks, 2 papers); the busiest year was 2015 with 2. Milestones in the "
        "coming year: 10 years of Entry 1 on 1 May 2025; 10 years of Entry 2 on 1 May 2025."
    )
    papers = build_timeline(entries, NEW_YEAR_2025, kind="paper", first=2016, last=2018)
    assert papers.years == (2016, 2017, 2018) and papers.counts == ((0, 1, 0),) and papers.milestones == ()


def test_errors_say_what_was_asked():
    entries = [entry(1, 2015)]
    with pytest.raises(TimelineError) as exc:
        build_timeline(entries, kind="paper")
    assert str(exc.value) == "there are no papers in the archive to draw"
    with pytest.raises(TimelineError) as exc:
        build_timeline(entries, first=2016)
    assert str(exc.value) == "there are no entries from 2016 on in the archive to draw"
    with pytest.raises(TimelineError) as exc:
        build_timeline(entries, first=2016, last=2014)
    assert str(exc.value) == "the first year (2016) is after the last (2014)"


def test_pictures_are_the_same_bytes_for_the_same_data_and_carry_no_clock(seeded_store):
    t = build_timeline(seeded_store.entries(), NEW_YEAR_2025)
    png, svg = draw(t, "png"), draw(t, "svg")
    assert draw(t, "png") == png and draw(t, "svg") == svg
    chunks = png_chunks(png)
    assert b"tIME" not in chunks and b"Software" not in png and len(png) < 8 * 1024 * 1024
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert b"<dc:date>" not in svg and b"Matplotlib" not in svg
    for kind in t.kinds:  # every kind in its palette colour
        assert PALETTE[kind].lower().encode() in svg.lower()
    other = build_timeline(seeded_store.entries(), dt.date(2026, 12, 1))
    assert draw(other, "svg") != svg  # the milestones are drawn (none in the year from 1 Dec 2026)


def test_almanac_timeline_writes_the_picture(tmp_path, capsys):
    assert main(["ingest", "--no-embed", str(SEED)]) == 0
    capsys.readouterr()
    out = tmp_path / "t.png"
    assert main(["timeline", "--out", str(out), "--date", "2025-01-01", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["out"] == str(out) and report["entries"] == 25 and report["years"] == [2013, 2020]
    assert [m["on"] for m in report["milestones"]].count("2025-05-01") == 3  # Jitsu (twice), Mirage OS
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "papers.svg"
    assert main(["timeline", "--kind", "papers", "--from", "2014", "--to", "2019", "--out", str(svg)]) == 0
    assert capsys.readouterr().out.startswith(f"{svg}: 4 entries, 2014–2019, ")
    assert ET.fromstring(svg.read_bytes()).tag == SVG + "svg"
    assert main(["timeline", "--kind", "keynote", "--out", str(svg), "--json"]) == 0  # talks tagged keynote
    assert json.loads(capsys.readouterr().out)["kinds"] == {"talk": 2}


@pytest.mark.parametrize("argv, status, message", [
    (["--out", "t.gif"], 2, "almanac: --out: 't.gif' must end in .png or .svg"),
    (["--from", "2020", "--to", "2014"], 2, "almanac: --from 2020 is after --to 2014"),
    (["--from", "99"], 2, "almanac: --from: 99 is not a year between 1900 and 2100"),
    (["--kind", "poems"], 2, "almanac: --kind: 'poems' is not a kind (one of: talk, paper, article, podcast, interview, video, news)"),
    (["--kind", "video", "--from", "2016"], 1, "almanac: there are no videos from 2016 on in the archive to draw"),
    # the coming year's milestones would run past the calendar's end (a traceback before)
    (["--date", "9999-01-01"], 2, "almanac: --date: the year after 9999-01-01 goes past 9999-12-31, the last day "
                                  "almanac can count"),
])
def test_almanac_timeline_errors(tmp_path, capsys, argv, status, message):
    assert main(["ingest", "--no-embed", str(SEED)]) == 0
    capsys.readouterr()
    assert main(["timeline", *argv]) == status
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "timeline.png").exists()


def test_index_shows_the_timeline_as_inline_svg_with_a_text_alternative(seeded_store):
    entries = seeded_store.entries()
    files = build_site(entries, SiteConfig(), dt.timezone.utc, now=dt.datetime(2025, 1, 1, 12, tzinfo=dt.timezone.utc))
    html = files["index.html"].decode()
    figure = html[html.index('<figure class="timeline">') : html.index("</figure>") + len("</figure>")]
    root = ET.fromstring(figure)  # well-formed, inline (no <img>, no script)
    svg = root.find(SVG + "svg")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "timeline-title timeline-desc"
    assert svg.find(SVG + "title").text == "Entries per year by kind, 2013–2020"
    timeline = build_timeline(entries, dt.date(2025, 1, 1))
    assert svg.find(SVG + "desc").text == timeline.summary()
    bars = [g for g in svg.findall(SVG + "g") if g.find(SVG + "title") is not None]
    assert [g.find(SVG + "title").text for g in bars][:2] == [
        "2013: 4 entries: 1 talk, 1 paper, 1 article, 1 video", "2014: 9 entries: 4 talks, 1 paper, 2 podcasts, 2 news"]
    assert len([r for g in bars for r in g.findall(SVG + "rect")]) == sum(1 for c in timeline.counts for n in c if n)
    assert len(svg.findall(f".//{SVG}polygon")) == len({m.year for m in timeline.milestones}) + 1  # + legend
    caption = root.find("figcaption").text
    assert caption.startswith("★ Milestones in the coming year: 10 years of Delivered keynote at BOB 2015")
    assert 'viewBox="0 0 400 ' in figure and "<script" not in figure


def test_the_picture_does_not_slow_other_commands():
    """matplotlib is imported only to draw: `almanac ask`, the bot and the site build never load it."""
    code = "import sys, almanac.cli, bot.client, feeds.build, feeds.publish; print('matplotlib' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
