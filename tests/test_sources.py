"""Each source format, good and bad: every problem is one line naming file, line and field."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from almanac.entry import PartialDate
from almanac.sources import SourceError, read_source


def problems(path) -> list[str]:
    with pytest.raises(SourceError) as info:
        read_source(str(path))
    return [str(p) for p in info.value.problems]


def write(path, text: str, encoding="utf-8"):
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return path


# --- seed text -----------------------------------------------------------------

def test_seed_text_with_blank_lines_multiline_summaries_and_slashes_in_titles(tmp_path):
    path = write(
        tmp_path / "list.txt",
        """
        Input / Output: a talk about I/O / Mar 2016
        A talk on
        input and output.

        Second entry / 2017
        A paper on things.
        """,
    )
    first, second = read_source(str(path))
    assert first.title == "Input / Output: a talk about I/O"
    assert first.date.isoformat() == "2016-03"
    assert first.summary == "A talk on input and output."
    assert first.source == f"{path}:1"
    assert second.date.isoformat() == "2017" and second.kind == "paper"
    assert second.source == f"{path}:5"


def test_seed_text_bad_month_year_and_missing_parts(tmp_path):
    path = write(
        tmp_path / "bad.txt",
        """
        Good talk / May 2015
        A talk.
        Misspelt month / Mai 2015
        A talk.
        Far past / Jan 1850
        A talk.
        Heading without summary / Jun 2015
        Another heading / Jul 2015
        Fine.

        No date on this heading
        Its summary.
        """,
    )
    assert problems(path) == [
        f"{path}:3: date: 'Mai' is not a month name",
        f"{path}:5: date: year 1850 is outside 1900-2100",
        f"{path}:7: summary: missing: put a summary paragraph on the line after the heading",
        f"{path}:11: date: missing: expected 'Title / Mon YYYY', got 'No date on this heading'",
    ]


def test_seed_text_repeated_entry(tmp_path):
    path = write(tmp_path / "dup.txt", "A / May 2015\nSame words.\nB / May 2015\nOther.\nA / May 2015\nSame words.\n")
    assert problems(path) == [f"{path}:5: entry: repeats the entry at line 1 word for word; delete one"]


def test_empty_file_and_invalid_utf8(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    assert problems(empty) == [f"{empty}: file: file is empty"]
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Talk / May 2015\nGood.\nCaf\xe9 talk / Jun 2015\nBad.\n".encode("latin-1"))
    assert problems(latin) == [
        f"{latin}:3: encoding: invalid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_missing_file(tmp_path):
    assert problems(tmp_path / "nope.txt") == [f"{tmp_path / 'nope.txt'}: file: no such file or directory"]


# --- Markdown with front matter ------------------------------------------------

def test_markdown_directory(tmp_path):
    notes = tmp_path / "notes"
    (notes / "2015").mkdir(parents=True)
    write(
        notes / "2015" / "jitsu.md",
        """
        ---
        title: "Jitsu: Just-In-Time Summoning of Unikernels"
        date: 2015-05-04
        kind: paper
        tags: [nsdi, Jitsu]
        url: https://www.usenix.org/conference/nsdi15
        id: jitsu-nsdi
        ---
        The paper on **Jitsu**.
        """,
    )
    write(notes / "keynote.md", "---\ntitle: BOB keynote\ndate: Jan 2015\n---\nGave the keynote at BOB.\n")
    write(notes / "old.md", "---\ntitle: Old news\ndate: 2013\n---\nMirageOS 1.0 released.\n")
    write(notes / "month.md", "---\ntitle: A month\ndate: '2014-07'\nkind: podcast\n---\nAn episode.\n")
    entries = {e.title: e for e in read_source(str(notes))}
    jitsu = entries["Jitsu: Just-In-Time Summoning of Unikernels"]
    assert (jitsu.id, jitsu.kind, jitsu.tags, jitsu.date.isoformat()) == ("jitsu-nsdi", "paper", ("nsdi", "jitsu"), "2015-05-04")
    assert jitsu.url == "https://www.usenix.org/conference/nsdi15"
    assert jitsu.source == f"{notes / '2015' / 'jitsu.md'}:1"
    assert (entries["BOB keynote"].kind, entries["BOB keynote"].tags) == ("talk", ("keynote",))
    assert entries["Old news"].date.precision.value == "year" and entries["Old news"].kind == "news"
    assert entries["A month"].date.isoformat() == "2014-07"


def test_markdown_problems(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    write(notes / "a_yaml.md", "---\ntitle: [unclosed\ndate: 2015\n---\nBody.\n")
    write(notes / "b_nodate.md", "---\ntitle: No date\n---\nBody.\n")
    write(notes / "c_kind.md", "---\ntitle: Bad kind\ndate: 2015-05\nkind: poem\n---\nBody.\n")
    write(notes / "d_month.md", "---\ntitle: Bad month\ndate: Mai 2015\n---\nBody.\n")
    found = problems(notes)
    # YAML notices the unclosed list at the next key (line 3).
    assert found[0] == f"{notes / 'a_yaml.md'}:3: front matter: YAML error: expected ',' or ']', but got ':'"
    assert found[1:] == [
        f"{notes / 'b_nodate.md'}:1: date: missing (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')",
        f"{notes / 'c_kind.md'}:4: kind: 'poem' is not a kind (one of: talk, paper, article, podcast, interview, video, news)",
        f"{notes / 'd_month.md'}:3: date: 'Mai' is not a month name",
    ]


def test_markdown_repeated_file(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("a.md", "b.md"):
        write(notes / name, "---\ntitle: Same\ndate: 2015\n---\nSame body.\n")
    assert problems(notes) == [f"{notes / 'b.md'}:1: entry: repeats {notes / 'a.md'} word for word; delete one"]


# --- JSON ----------------------------------------------------------------------

def test_json_list(tmp_path):
    path = tmp_path / "entries.json"
    path.write_text(
        json.dumps(
            [
                {"title": "A podcast", "date": "2014-05", "summary": "Episode 1 of a show.", "tags": "ocaml, mirage"},
                {"title": "A paper", "date": 2019, "kind": "Papers", "summary": "Words.", "slug": "my-paper"},
            ],
            indent=2,
        )
    )
    podcast, paper = read_source(str(path))
    assert (podcast.kind, podcast.tags, podcast.source) == ("podcast", ("ocaml", "mirage"), f"{path}:2")
    assert (paper.id, paper.kind, paper.date.isoformat(), paper.source) == ("my-paper", "paper", "2019", f"{path}:8")


def test_json_problems(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"title": "x",\n  "date": }\n]')
    assert problems(broken) == [f"{broken}:3: json: Expecting value"]
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {"title": "ok", "date": "2015-05", "summary": "s"},
                {"title": "no date", "summary": "s"},
                {"title": "ok", "date": "2015-05", "summary": "s"},
                {"title": "far", "date": "2150", "summary": "s", "tgas": "red", "colour": "red"},
            ],
            indent=1,
        )
    )
    assert problems(bad) == [
        f"{bad}:7: date: missing (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')",
        f"{bad}:11: entry: repeats the entry at line 2 word for word; delete one",
        f"{bad}:20: tgas: unknown field; did you mean 'tags'?",
        f"{bad}:18: date: year 2150 is outside 1900-2100",
    ]


# --- RSS / Atom ----------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Blog</title><link>https://example.org/</link>
<description>d</description>
<item>
  <title>Keynote at ICFP</title>
  <link>https://example.org/icfp</link>
  <description>&lt;p&gt;I gave the &lt;b&gt;keynote&lt;/b&gt; &amp;amp; more.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>
  <category>OCaml</category>
  <pubDate>Mon, 04 May 2015 23:30:00 -0700</pubDate>
  <guid>https://example.org/icfp</guid>
</item>
<item>
  <title>A podcast episode</title>
  <link>https://example.org/pod</link>
  <description>Talking shop.</description>
  <category>podcast</category>
  <pubDate>Tue, 01 Jul 2014 10:00:00 GMT</pubDate>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><updated>2020-01-01T00:00:00Z</updated>
<entry><title>Released v2</title><id>urn:1</id><link href="https://example.org/v2"/>
<published>2020-02-29T08:00:00+00:00</published><updated>2020-03-01T00:00:00Z</updated>
<summary type="html">&lt;em&gt;New&lt;/em&gt; release.</summary></entry>
</feed>
"""


def test_rss_file(tmp_path):
    path = tmp_path / "blog.xml"
    path.write_text(RSS)
    keynote, podcast = read_source(str(path))
    assert keynote.title == "Keynote at ICFP"
    assert keynote.date.isoformat() == "2015-05-04"  # the feed's own day, not UTC's 5 May
    assert keynote.summary == "I gave the keynote & more."
    assert (keynote.kind, keynote.tags) == ("talk", ("ocaml", "keynote"))
    assert keynote.url == "https://example.org/icfp"
    assert keynote.source == f"{path}:4"
    assert (podcast.kind, podcast.tags, podcast.date.isoformat()) == ("podcast", (), "2014-07-01")


def test_atom_file(tmp_path):
    path = tmp_path / "feed.atom"
    path.write_text(ATOM)
    (entry,) = read_source(str(path))
    assert (entry.kind, entry.date.isoformat(), entry.summary) == ("news", "2020-02-29", "New release.")


def test_feed_problems(tmp_path):
    not_xml = tmp_path / "feed.xml"
    not_xml.write_text("this is not xml at all")
    (line,) = problems(not_xml)
    assert re.match(rf"{re.escape(str(not_xml))}(:\d+)?: feed: not a readable RSS or Atom feed \(", line)
    undated = tmp_path / "undated.xml"
    undated.write_text(RSS.replace("<pubDate>Tue, 01 Jul 2014 10:00:00 GMT</pubDate>", ""))
    assert problems(undated) == [f"{undated}:12: date: missing (no published or updated date)"]


def test_feed_over_http(tmp_path):
    from tests.local_http import send_whole, serving

    with serving(send_whole(RSS.encode())) as base:
        url = f"{base}/feed.xml"
        entries = read_source(url)
    assert [e.title for e in entries] == ["Keynote at ICFP", "A podcast episode"]
    assert entries[0].source == f"{url}:4"


def test_a_link_or_an_enclosure_says_the_kind_when_the_source_does_not(tmp_path):
    """JSON and feeds: an entry without a kind linking to a podcast platform is a podcast; a feed
    item carrying an audio file is one whatever its wording, a video file a video; a kind the
    source names still wins."""
    path = tmp_path / "entries.json"
    path.write_text(json.dumps([
        {"title": "On polarization", "date": "2019-02", "summary": "He talks with a reporter about two camps.",
         "url": "https://podcasts.apple.com/us/podcast/the-show/id1?i=2"},
        {"title": "On polarization", "date": "2019-03", "summary": "He talks with a reporter about two camps."},
        {"title": "Typed holes", "date": 2019, "summary": "About typed holes.", "url": "https://doi.org/10.1/x",
         "kind": "article"},
    ]))
    linked, unlinked, named = read_source(str(path))
    assert (linked.kind, unlinked.kind, named.kind) == ("podcast", "interview", "article")

    feed = tmp_path / "feed.xml"
    feed.write_text(RSS.replace(
        "<category>OCaml</category>",
        '<category>OCaml</category><enclosure url="https://example.org/icfp.mp3" length="1" type="audio/mpeg"/>',
    ).replace("<category>podcast</category>",
              '<enclosure url="https://example.org/pod.mp4" length="1" type="video/mp4"/>'))
    keynote, episode = read_source(str(feed))
    assert (keynote.kind, keynote.tags) == ("podcast", ("ocaml",))  # an audio file: the episode itself
    assert episode.kind == "video"


def test_a_text_lists_heading_may_give_the_day_as_people_write_it(tmp_path):
    """"Talk / 4 May 2015" and "Talk / May 4, 2015" were no heading ("date: missing: expected
    'Title / Mon YYYY'"), though a note's front matter reads both."""
    path = tmp_path / "talks.txt"
    path.write_text("A / 4 May 2015\nOne.\n\nB / May 4, 2015\nTwo.\n\nC / 4th May 2015\nThree.\n\nD / 2015-05-04\nFour.\n"
                    "\nE / May 2015\nFive.\n")
    entries = read_source(str(path))
    assert [(e.title, e.date) for e in entries] == [(t, PartialDate(2015, 5, 4)) for t in "ABCD"] + [("E", PartialDate(2015, 5))]
    path.write_text("A / 4 Mya 2015\nOne.\n")  # a misspelt month is a bad date, not summary text
    with pytest.raises(SourceError) as info:
        read_source(str(path))
    assert [(p.line, p.field) for p in info.value.problems] == [(1, "date")]
