"""Broken and hostile sources: each is one problem naming file, line and field.

Nothing already stored for that source changes, the other sources still go
in, and no read blocks, backtracks or grows without bound. Reads that used to
hang or eat all memory run in a child process with a time and memory limit,
so a regression fails the test instead of stopping the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import feedparser
import pytest

from almanac.cli import main
from almanac.ingest import ingest, read_sources
from almanac.sources import ReadLimits, SourceError, read_source
from almanac.store import Store
from tests.local_http import head, send_trickle, send_whole, serving
from tests.test_sources import RSS

FULL = RSS.encode()
CUT = FULL[: FULL.index(b"</item>") + len(b"</item>")]  # a feed cut off right after its first item
CUT_LINE = CUT.count(b"\n") + 1  # where the parser notices the end


def problems_of(spec: str, **limits) -> list[str]:
    with pytest.raises(SourceError) as info:
        read_source(spec, ReadLimits(**limits))
    return [str(p) for p in info.value.problems]


def stored(store: Store, prefix: str) -> list[dict]:
    return sorted((e.to_json() for e in store.entries() if e.source.startswith(prefix)), key=lambda e: e["id"])


def read_in_child(path: str, seconds: float = 30, memory_mb: int = 1024) -> list[str]:
    """read_source(path) in a child process limited in time and address space; its problems.

    The child prints the problems as JSON; a hang fails on the timeout, a
    memory blow-up on the limit (MemoryError, so no JSON).
    """
    code = textwrap.dedent(
        """
        import json, resource, sys
        size = int(sys.argv[2]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
        from almanac.sources import SourceError, read_source
        try:
            entries = read_source(sys.argv[1])
        except SourceError as exc:
            print(json.dumps([str(p) for p in exc.problems]))
        else:
            print(json.dumps([e.title[:40] for e in entries]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code, path, str(memory_mb)],
        capture_output=True,
        text=True,
        timeout=seconds,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


# --- 1. a feed that did not parse completely --------------------------------------

def test_truncated_feed_file_keeps_what_the_store_held_and_other_sources_go_in(tmp_path, store):
    feed, other = tmp_path / "blog.xml", tmp_path / "list.txt"
    feed.write_bytes(FULL)
    other.write_text("First / May 2015\nA talk.\n")
    assert ingest(store, [str(feed), str(other)], str(tmp_path)).total("added") == 3
    before = stored(store, "blog.xml")
    assert len(before) == 2

    feed.write_bytes(CUT)
    other.write_text("First / May 2015\nA talk.\nSecond / Jun 2015\nAnother talk.\n")
    report = ingest(store, [str(feed), str(other)], str(tmp_path))
    assert [str(p) for p in report.problems] == [
        f"blog.xml:{CUT_LINE}: feed: not a complete, well-formed feed (no element found); nothing from it was stored"
    ]
    assert stored(store, "blog.xml") == before
    assert [e["title"] for e in stored(store, "list.txt")] == ["First", "Second"]


def cut_without_length(handler):
    head(handler)  # no Content-Length: the end of the body is the close
    handler.wfile.write(CUT)


def cut_with_length(handler):
    head(handler, length=len(FULL))
    handler.wfile.write(CUT)


def cut_chunked(handler):
    head(handler, chunked=True)
    handler.wfile.write(b"%x\r\n%s\r\n" % (len(CUT), CUT))  # and never the last, empty chunk


@pytest.mark.parametrize(
    "respond, expected",
    [
        (cut_without_length, f"{{url}}:{CUT_LINE}: feed: not a complete, well-formed feed (no element found); "
                             "nothing from it was stored"),
        (cut_with_length, f"{{url}}: url: the response ended early, after {len(CUT)} of {len(FULL)} bytes; "
                          "nothing from it was stored"),
        (cut_chunked, f"{{url}}: url: the response ended early, after {len(CUT)} bytes; nothing from it was stored"),
    ],
    ids=["no-content-length", "content-length", "chunked"],
)
def test_feed_url_cut_short_keeps_what_the_store_held(tmp_path, store, respond, expected):
    serve = {"respond": send_whole(FULL)}
    other = tmp_path / "list.txt"
    other.write_text("First / May 2015\nA talk.\n")
    with serving(lambda handler: serve["respond"](handler)) as base:
        url = f"{base}/feed.xml"
        assert ingest(store, [url, str(other)], str(tmp_path)).total("added") == 3
        before = stored(store, url)
        serve["respond"] = respond
        other.write_text("First / May 2015\nA talk.\nSecond / Jun 2015\nAnother talk.\n")
        report = ingest(store, [url, str(other)], str(tmp_path))
    assert [str(p) for p in report.problems] == [expected.format(url=url)]
    assert stored(store, url) == before and len(before) == 2
    assert len(stored(store, "list.txt")) == 2


def test_harmless_feed_notices_keep_the_feed(tmp_path):
    # Declared US-ASCII but written in UTF-8: feedparser says bozo
    # (CharacterEncodingOverride), yet every byte was read.
    declared_ascii = tmp_path / "ascii.xml"
    declared_ascii.write_bytes(RSS.replace('encoding="utf-8"', 'encoding="us-ascii"').replace("ICFP", "Café").encode())
    parsed = feedparser.parse(declared_ascii.read_bytes())
    assert parsed.bozo and isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride)
    assert [e.title for e in read_source(str(declared_ascii))] == ["Keynote at Café", "A podcast episode"]
    # Latin-1 bytes under a Latin-1 declaration are a well-formed feed, not "invalid UTF-8".
    latin = tmp_path / "latin.xml"
    latin.write_bytes(RSS.replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace("ICFP", "Café").encode("latin-1"))
    assert read_source(str(latin))[0].title == "Keynote at Café"


# --- 2. parsing errors of any kind are problems --------------------------------------

def test_markdown_impossible_date_is_a_date_problem(tmp_path):
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: Leap\ndate: 2015-02-30\n---\nA talk.\n")
    assert problems_of(str(note)) == [f"{note}:3: date: day 30 is not in February 2015"]


def test_json_number_too_long_and_nesting_too_deep(tmp_path):
    long_number = tmp_path / "long.json"
    long_number.write_text(
        '[\n  {"title": "ok", "date": 2015, "summary": "s"},\n  {"title": "x", "date": ' + "1" * 5000 + ', "summary": "s"}\n]'
    )
    assert problems_of(str(long_number)) == [f"{long_number}:3: json: a number longer than 4300 digits"]
    deep = tmp_path / "deep.json"
    deep.write_text("[\n" + "[" * 100_000 + "]" * 100_000 + "\n]")
    assert problems_of(str(deep)) == [f"{deep}:2: json: nested too deeply"]


def test_front_matter_too_deep_too_long_or_huge_numbers(tmp_path):
    deep = tmp_path / "deep.md"
    deep.write_text("---\ntitle: " + "[" * 20_000 + "]" * 20_000 + "\ndate: 2015\n---\nBody.\n")
    assert problems_of(str(deep)) == [f"{deep}:2: front matter: nested too deeply"]
    long_int = tmp_path / "long.md"
    long_int.write_text("---\ntitle: T\ndate: " + "1" * 5000 + "\n---\nBody.\n")
    assert problems_of(str(long_int)) == [f"{long_int}:2: front matter: a number longer than 4300 digits"]
    hex_int = tmp_path / "hex.md"  # hex has no digit limit: the year check must not print it
    hex_int.write_text("---\ntitle: T\ndate: 0x" + "f" * 5000 + "\n---\nBody.\n")
    assert problems_of(str(hex_int)) == [f"{hex_int}:3: date: a 6021-digit number is not a year"]
    huge = tmp_path / "huge.md"
    huge.write_text("---\ntitle: T\ndate: 2015\ntags: [" + "a, " * 30_000 + "b]\n---\nBody.\n")
    assert problems_of(str(huge)) == [f"{huge}:2: front matter: longer than 64 KB; put long text in the body"]


def test_an_unexpected_reader_failure_is_a_problem_of_that_source_only(tmp_path):
    (tmp_path / "good.txt").write_text("Fine / May 2015\nA talk.\n")
    (tmp_path / "boom.txt").write_text("Fine too / May 2015\nA talk.\n")

    def read(spec, limits):
        if spec.endswith("boom.txt"):
            return 1 // 0
        return read_source(spec, limits)

    by_key, problems = read_sources(["good.txt", "boom.txt"], str(tmp_path), read=read)
    assert [str(p) for p in problems] == ["boom.txt: source: could not be read (ZeroDivisionError: integer division or modulo by zero)"]
    assert [e.title for e in by_key["good.txt"]] == ["Fine"]

    def interrupted(spec, limits):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_sources(["good.txt"], str(tmp_path), read=interrupted)


def test_almanac_ingest_reports_every_broken_file_and_ingests_the_rest(tmp_path, capsys):
    (tmp_path / "a_good.txt").write_text("Fine / May 2015\nA talk.\n")
    (tmp_path / "b_leap.md").write_text("---\ntitle: Leap\ndate: 2015-02-30\n---\nA talk.\n")
    (tmp_path / "c_long.json").write_text('[{"title": "x", "date": ' + "9" * 4400 + ', "summary": "s"}]')
    (tmp_path / "d_deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "e_latin.txt").write_bytes("Caf\xe9 / May 2015\nA talk.\n".encode("latin-1"))
    (tmp_path / "f_feed.xml").write_bytes(CUT)
    names = sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".txt", ".md", ".json", ".xml"))
    code = main(["--db", str(tmp_path / "cli.db"), "ingest", "--no-embed", *names])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == [
        "b_leap.md:3: date: day 30 is not in February 2015",
        "c_long.json:1: json: a number longer than 4300 digits",
        "d_deep.json:1: json: nested too deeply",
        "e_latin.txt:1: encoding: invalid UTF-8 (byte 0xe9); save the file as UTF-8",
        f"f_feed.xml:{CUT_LINE}: feed: not a complete, well-formed feed (no element found); nothing from it was stored",
    ]
    assert out.splitlines()[-1] == "1 added, 0 changed, 0 removed, 0 unchanged from 1 source(s); 5 problem(s)"


# --- 3. no catastrophic backtracking in the seed-text heading -------------------------

def test_seed_lines_with_megabytes_of_spaces_read_in_linear_time(tmp_path):
    path = tmp_path / "spaces.txt"
    with open(path, "w") as fh:
        fh.write("A talk" + " " * 5_000_000 + "/ May 2015\nIts summary.\n\n")
        fh.write("x" + " " * 100_000 + "y\nNot a heading.\n\n")
        fh.write("Real talk /" + " " * 100_000 + "May 2015\nSummary.\n")
    started = time.monotonic()
    found = read_in_child(str(path), seconds=60)
    # Hours with a backtracking pattern; well under a second in linear time.
    assert time.monotonic() - started < 30
    assert found == [
        f"{path}:4: date: missing: expected 'Title / Mon YYYY', got 'x y'",
    ]


def test_feed_summaries_of_pathological_html_read_in_linear_time(tmp_path):
    # html.parser rescans an unclosed "<!--" at every step: over a minute for this one summary.
    path = tmp_path / "feed.xml"
    path.write_text(RSS.replace("Talking shop.", "Talking &lt;!--" * 50_000 + " &lt;a b='x" * 20_000))
    started = time.monotonic()
    assert read_in_child(str(path), seconds=60) == ["Keynote at ICFP", "A podcast episode"]
    assert time.monotonic() - started < 30


# --- 4. YAML alias bombs --------------------------------------------------------------

BILLION_LAUGHS = """\
---
title: Laughs
date: 2015
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
kind: *f
---
Boom.
"""


def test_yaml_alias_bomb_fails_fast_in_little_memory(tmp_path):
    note = tmp_path / "bomb.md"
    note.write_text(BILLION_LAUGHS)
    assert len(BILLION_LAUGHS.encode()) < 421
    found = read_in_child(str(note), seconds=30, memory_mb=512)
    assert found == [f"{note}:4: front matter: YAML error: anchors and aliases (&name, *name) are not allowed in front matter"]


# --- 8. control characters and bounded reads -------------------------------------------

def test_control_characters_and_lone_surrogates_never_reach_the_store(tmp_path, store):
    (tmp_path / "list.txt").write_text("\x1b[31mRed\x1b[0m talk / May 2015\nA \x00talk\x07 about\rthings.\n")
    (tmp_path / "note.md").write_text('---\ntitle: "Bell\\a note"\ndate: 2016\ntags: ["x\\x1by"]\n---\nBody \x1b]0;pwned\x07 here.\n')
    (tmp_path / "list.json").write_text(json.dumps([
        {"title": "Nul\u0000 \ud800surrogate", "date": 2017, "summary": "S\u009b1m."},
        # a right-to-left override shows "txt.exe" as "exe.txt"; isolates likewise; the marks stay
        {"title": "Report \u202etxt.exe\u202c \u2067x\u2069", "date": 2018, "summary": "\u200fRTL mark."}]))
    report = ingest(store, ["list.txt", "note.md", "list.json"], str(tmp_path))
    assert report.problems == [] and report.total("added") == 4
    got = {e.title: (e.summary, e.tags) for e in store.entries()}
    assert got == {
        "[31mRed[0m talk": ("A talk about things.", ()),  # the ESCs go; the harmless rest stays
        "Bell note": ("Body ]0;pwned here.", ("xy",)),
        "Nul surrogate": ("S1m.", ()),
        "Report txt.exe x": ("\u200fRTL mark.", ()),
    }


def test_problem_messages_carry_no_control_characters(tmp_path):
    note = tmp_path / "note.md"
    note.write_text('---\ntitle: T\ndate: "\\e[2J 2015"\nkind: "\\e[31mpoem"\n---\nBody.\n')
    assert problems_of(str(note)) == [
        f"{note}:3: date: '[2J 2015' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')",
        f"{note}:4: kind: '[31mpoem' is not a kind (one of: talk, paper, article, podcast, interview, video, news)",
    ]


def test_a_source_over_the_size_limit_is_a_problem(tmp_path, store):
    path = tmp_path / "list.txt"
    path.write_text("Fine / May 2015\nA talk.\n")
    ingest(store, [str(path)], str(tmp_path))
    path.write_text("Fine / May 2015\nA talk.\n" + "Another / 2016\nWords.\n" * 100)
    report = ingest(store, [str(path)], str(tmp_path), limits=ReadLimits(max_bytes=1000))
    assert [str(p) for p in report.problems] == ["list.txt: file: larger than the 1000 bytes limit for one source"]
    assert [e.title for e in store.entries()] == ["Fine"]
    def without_length(handler):
        head(handler)
        handler.wfile.write(FULL)

    for respond in (send_whole(FULL), without_length):  # refused by its header, or while reading
        with serving(respond) as base:
            assert problems_of(f"{base}/feed.xml", max_bytes=500) == [
                f"{base}/feed.xml: url: larger than the 500 bytes limit for one source"
            ]


def test_fifos_and_devices_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    zero = tmp_path / "list.txt"
    zero.symlink_to("/dev/zero")
    notes = tmp_path / "notes"
    notes.mkdir()
    os.mkfifo(notes / "a.md")
    refusal = "not a regular file (a FIFO, device or socket); expected a file"
    assert read_in_child(str(fifo), seconds=30) == [f"{fifo}: file: {refusal}"]
    assert read_in_child(str(zero), seconds=30, memory_mb=512) == [f"{zero}: file: {refusal}"]
    assert read_in_child(str(notes), seconds=30) == [f"{notes / 'a.md'}: file: {refusal}"]


def test_a_feed_whose_bytes_name_a_file_is_not_read_from_that_file(tmp_path):
    # feedparser.parse(bytes) tries the bytes as a file name first.
    path = tmp_path / "feed.xml"
    path.write_bytes(b"/dev/zero")
    (line,) = read_in_child(str(path), seconds=30, memory_mb=512)
    assert line.startswith(f"{path}:1: feed: not a readable RSS or Atom feed (")
    secret = tmp_path / "local.xml"
    secret.write_text(RSS)
    with serving(send_whole(str(secret).encode())) as base:  # a server naming a local feed
        (line,) = problems_of(f"{base}/feed.xml")
    assert line.startswith(f"{base}/feed.xml:1: feed: not a readable RSS or Atom feed (")


def test_a_trickling_feed_url_is_cut_off_at_the_deadline(tmp_path):
    with serving(send_trickle(FULL, every_s=0.2, at_most_s=10)) as base:
        started = time.monotonic()
        found = problems_of(f"{base}/feed.xml", fetch_deadline_s=1.5)
        took = time.monotonic() - started
    assert found == [f"{base}/feed.xml: url: gave up after the 1.5 s deadline"]
    assert 1.4 < took < 6


# --- 7. line numbers in linear time --------------------------------------------------------

def test_json_line_numbers_are_found_in_linear_time(tmp_path):
    # 20,000 objects of 1 KB: counting lines from the start for each object
    # scans 200 GB (minutes); counting forward scans the 20 MB once.
    path = tmp_path / "many.json"
    summary = "word " * 200
    with open(path, "w") as fh:
        fh.write("[\n")
        fh.write(",\n".join(f'{{"title": "T{i}", "date": 2015, "kind": "talk",\n "summary": "{summary}"}}' for i in range(20_000)))
        fh.write("\n]\n")
    code = (
        "import sys; from almanac.sources import read_source; e = read_source(sys.argv[1]); "
        "print(len(e), e[0].source.rsplit(':')[1], e[-1].source.rsplit(':')[1])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
    )
    assert result.stdout.split() == ["20000", "2", str(2 + 2 * 19_999)], result.stderr[-2000:]


def test_feed_item_lines_are_found_in_linear_time():
    from almanac.sources.feed import _item_lines

    item = b"<item>\n<title>t</title>\n<description>" + b"x" * 400 + b"</description>\n</item>\n"
    data = b"<rss><channel>\n" + item * 100_000 + b"</channel></rss>\n"  # 43 MB
    started = time.monotonic()
    lines = _item_lines(data)
    assert time.monotonic() - started < 20  # a fraction of a second; hours when quadratic
    assert lines[:3] == [2, 6, 10] and lines[-1] == 2 + 4 * 99_999


def test_front_matter_must_open_and_close(tmp_path):
    unopened = tmp_path / "unopened.md"
    unopened.write_text("\n---title: T\ndate: 2015\n---\nBody.\n")
    assert problems_of(str(unopened)) == [
        f"{unopened}:2: front matter: missing: start the file with a '---' block holding title and date"
    ]
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("---\ntitle: T\ndate: 2015\nBody.\n")
    assert problems_of(str(unclosed)) == [f"{unclosed}:1: front matter: not closed: end the block with a '---' line"]


def test_a_server_reason_phrase_is_cleaned(tmp_path):
    def refuse(handler):
        handler.send_response(404, "Not \x1b[2JFound")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with serving(refuse) as base:
        assert problems_of(f"{base}/feed.xml") == [f"{base}/feed.xml: url: could not fetch: Not [2JFound"]


def test_a_file_name_with_escapes_is_reported_without_them(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "x\x1b[2Jy\nz.md").write_text("---\ntitle: T\n---\nBody.\n")
    assert problems_of(str(notes)) == [f"{notes}/x[2Jy z.md:1: date: missing (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')"]


@pytest.mark.parametrize("field, message", [
    ("id", "id: 'a 6021-digit number' is not a valid id"),
    ("tags", "tags: must be a list of words or a comma-separated string"),
    ("venue", "venue: must be text or a list of names"),
])
def test_a_huge_number_in_front_matter_is_a_problem_naming_its_field(tmp_path, field, message):
    """YAML reads `0xfff...` as an int; str() refuses ints of over 4,300 digits, so the note was
    "could not be read (ValueError: Exceeds the limit ...)" with no line or field."""
    note = tmp_path / "note.md"
    note.write_text(f"---\ntitle: A talk\ndate: 2015-05-04\n{field}: 0x{'f' * 5000}\n---\nBody.\n")
    with pytest.raises(SourceError) as info:
        read_source(str(note))
    assert str(info.value).startswith(f"{note}:4: {message}")  # the line of the field


def test_two_fields_of_one_name_in_other_cases_are_a_problem(tmp_path):
    """A spreadsheet with columns "summary" and "Summary" said "summary: missing" (the empty second
    column hid the first); a JSON object with both kept whichever came last, silently."""
    table = tmp_path / "talks.csv"
    table.write_text("title,date,summary,Summary\nA talk,2015-05-04,Words.,\n")
    with pytest.raises(SourceError) as info:
        read_source(str(table))
    assert [str(p) for p in info.value.problems] == [f"{table}:1: summary: column 4 repeats column 3; keep one"]
    listing = tmp_path / "talks.json"
    listing.write_text('[{"title": "A", "date": "2015", "summary": "kept?", "Summary": "other"}]')
    with pytest.raises(SourceError) as info:
        read_source(str(listing))
    assert [str(p) for p in info.value.problems] == [f"{listing}:1: Summary: repeats the field 'summary'; keep one"]


def test_a_yaml_error_names_the_line_an_editor_shows(tmp_path):
    """A NUL on the fifth line was reported on the block's first (YAML gives such an error no
    mark); a title holding U+2028 pushed later errors down by one line each (YAML breaks lines
    there, editors do not)."""
    nul = tmp_path / "nul.md"
    nul.write_text("---\ntitle: A\ndate: 2015\nkind: talk\nvenue: x\x00y\n---\nBody.\n")
    separated = tmp_path / "separated.md"
    separated.write_text('---\ntitle: "A\u2028B\u2028C"\ndate: 2015\ntags: [a, b c: d\nkind: talk\n---\nBody.\n')
    for note, line in ((nul, 5), (separated, 5)):
        with pytest.raises(SourceError) as info:
            read_source(str(note))
        assert str(info.value).startswith(f"{note}:{line}: front matter: YAML error: "), str(info.value)


def test_an_item_quoted_in_a_comment_or_cdata_does_not_shift_problem_lines(tmp_path):
    """"<item>" inside a comment or a CDATA description was counted as an item, so a problem was
    reported on the line of the item before the one that has it."""
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>\n'
                    "<!-- an <item> in a comment -->\n"
                    "<item><title>Fine</title><pubDate>Mon, 04 May 2015 10:00:00 +0000</pubDate>"
                    "<description><![CDATA[quoting <item> here]]></description></item>\n"
                    "<item><title>Bad</title><pubDate>yesterday-ish</pubDate><description>x</description></item>\n"
                    "</channel></rss>\n")
    with pytest.raises(SourceError) as info:
        read_source(str(feed))
    assert [str(p) for p in info.value.problems] == [f"{feed}:5: date: 'yesterday-ish' is not a date"]


def test_an_address_the_url_parser_cannot_read_is_a_problem_at_ingest(tmp_path):
    """A template's link left in ("https://[your-domain]/talks": brackets hold an IPv6 address) was
    stored, and every later build of the site and feeds stopped at it with a ValueError. The url
    field is reported on its line; a feed's such link is left out, as its other non-links are."""
    listing = tmp_path / "talks.json"
    listing.write_text('[{"title": "T", "date": "2015", "summary": "s",\n  "url": "https://[your-domain]/talks"},\n'
                       ' {"title": "U", "date": "2016", "summary": "s", "url": "http://[::1/talk"}]')
    assert problems_of(str(listing)) == [
        f"{listing}:2: url: 'https://[your-domain]/talks' is not a web address (a host is missing or cannot be read)",
        f"{listing}:3: url: 'http://[::1/talk' is not a web address (a host is missing or cannot be read)",
    ]
    feed = tmp_path / "feed.xml"
    feed.write_text('<rss version="2.0"><channel><title>T</title><item><title>Fine</title><link>https://[x]/a</link>'
                    "<pubDate>Mon, 04 May 2015 10:00:00 +0000</pubDate><description>d</description></item>"
                    "</channel></rss>")
    assert [e.url for e in read_source(str(feed))] == [None]


def test_a_problem_with_a_field_names_the_line_of_that_field(tmp_path):
    """Markdown front matter and JSON objects reported every field's problem on the entry's first
    line (the note's line 1, the object's opening brace): in a long object or block the user had
    to hunt for the field. Now the line is the field name's; a missing field has none, and is
    reported where its entry starts."""
    note = tmp_path / "note.md"
    note.write_text('---\ntitle: "A\u2028B"\n# a comment\ntags:\n  - ok\n  - {nested: 1}\nurl: ftp://x\n'
                    'date: 2015-13\n---\nBody.\n')
    assert problems_of(str(note)) == [
        f"{note}:8: date: month 13 is not 1-12",  # U+2028 in the title ends no line an editor shows
        f"{note}:4: tags: must be a list of words or a comma-separated string",
        f"{note}:7: url: 'ftp://x' is not an http(s) URL",
    ]
    hugo = tmp_path / "hugo.md"
    hugo.write_text('+++\ntitle = "T"\n  "date" = "2015-13"\n[params]\nkind = "poem"\n+++\nBody.\n')
    assert problems_of(str(hugo)) == [f"{hugo}:3: date: month 13 is not 1-12"]  # params.kind is not read
    listing = tmp_path / "list.json"
    listing.write_text(
        '[\n  {"title": "Fine", "date": "2015", "summary": "s"},\n  {\n    "title": "B",\n'
        '    "about": {"date": "x", "url": 1},\n    "summary": "a \\" date: \\\\",\n'
        '    "\\u0064ate": "2015-13",\n    "Summary": "again",\n    "sumary": "slip"\n  },\n'
        '  {"title": "C", "summary": "no date"}\n]\n')
    assert problems_of(str(listing)) == [
        f"{listing}:8: Summary: repeats the field 'summary'; keep one",
        f"{listing}:9: sumary: unknown field; did you mean 'summary'?",
        f"{listing}:7: date: month 13 is not 1-12",  # "\u0064ate" is "date"; the nested one is not it
        f"{listing}:11: date: missing (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')",
    ]


def test_a_title_or_tags_too_long_for_any_real_entry_are_a_problem(tmp_path, store):
    """One feed item with a 2 MB title made a 2 MB source into a 24 MB site: a title is written
    into a dozen files (its page, the index, its kind's page, every feed, the calendar, related
    entries' pages). Titles over MAX_TITLE characters, tags over MAX_TAG and more than MAX_TAGS
    tags are refused, naming the field, and what was stored stays."""
    from almanac.sources.reading import MAX_TAG, MAX_TAGS, MAX_TITLE

    long_title = "word " * (MAX_TITLE // 5) + "end"
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([{"title": "Fine", "date": "2015", "summary": "s"}], indent=1))
    assert ingest(store, [str(listing)], str(tmp_path)).problems == []
    listing.write_text(json.dumps([
        {"title": "Fine", "date": "2015", "summary": "s"},
        {"title": long_title, "date": "2015", "summary": "s"},
        {"title": "Tagged", "date": "2015", "summary": "s", "tags": [f"t{i}" for i in range(MAX_TAGS + 1)]},
        {"title": "Tagged too", "date": "2015", "summary": "s", "keywords": ["x" * (MAX_TAG + 1)]},
    ], indent=1))
    report = ingest(store, [str(listing)], str(tmp_path))
    assert [str(p) for p in report.problems] == [
        f"list.json:8: title: {len(long_title)} characters long; a title has at most {MAX_TITLE} (put the rest in the summary)",
        f"list.json:16: tags: {MAX_TAGS + 1} tags; an entry has at most {MAX_TAGS}",
        f"list.json:{MAX_TAGS + 24}: keywords: '{'x' * 59}…' is {MAX_TAG + 1} characters long; a tag has at most {MAX_TAG}",
    ]
    assert [e.title for e in store.entries()] == ["Fine"]
    text = tmp_path / "list.txt"
    text.write_text(f"{long_title} / May 2015\nWords.\n")
    assert problems_of(str(text))[0].startswith(f"{text}:1: title: {len(long_title)} characters long")
    feed = tmp_path / "feed.xml"
    item = "<item><title>{}</title><pubDate>Mon, 04 May 2015 00:00:00 GMT</pubDate><description>d</description>{}</item>"
    feed.write_text('<rss version="2.0"><channel><title>T</title>\n' + item.format(long_title, "") + "\n"
                    + item.format("ok", "".join(f"<category>c{i}</category>" for i in range(MAX_TAGS + 1)))
                    + "\n</channel></rss>")
    assert [p.split(": ", 2)[:2] for p in problems_of(str(feed))] == [[f"{feed}:2", "title"], [f"{feed}:3", "category"]]


def test_a_private_feeds_token_stays_out_of_another_sources_problem(tmp_path, capsys):
    """An id taken twice names the other entry's source inside the message ("also the id of the
    entry at <feed URL>:1"): the problem's own path was shown without its token, that one whole,
    in the same run and in a later one (the store's conflict)."""
    # a WordPress site's posts (read from the REST API), whose slugs are their ids
    posts = (b'[{"id": 12, "date": "2015-05-04T10:00:00", "slug": "foo", "status": "publish", "type": "post",'
             b' "link": "https://example.org/foo", "title": {"rendered": "Foo post"},'
             b' "content": {"rendered": "<p>A post about foo.</p>"}}]')
    (tmp_path / "zz.json").write_text('[{"id": "foo", "title": "Other", "date": "2016", "kind": "paper", "summary": "O."}]')
    with serving(send_whole(posts)) as base:
        url = f"{base}/posts.json?auth=SECRET-TOKEN-123"
        for run in ([url, str(tmp_path / "zz.json")], [str(tmp_path / "zz.json")]):
            code = main(["--db", str(tmp_path / "a.db"), "ingest", "--no-embed", *run])
            out, err = capsys.readouterr()
            assert code == 1 and "SECRET-TOKEN-123" not in out + err, run
            assert f"the entry at {base}/posts.json?auth=…:1;" in err, err


def test_a_private_feeds_token_stays_out_of_problem_lines(tmp_path, capsys):
    """A private feed (a paid podcast's, a newsletter's) carries the subscriber's token in its URL;
    a problem with it went to the terminal and, from `almanac run`, to the logs with the token in
    it. A problem names the feed by its address without query values or password."""
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>\n'
            b"<item><title>Episode</title><pubDate>not a date</pubDate><description>d</description></item>\n"
            b"</channel></rss>")
    with serving(send_whole(feed)) as base:
        url = f"{base}/feed.xml?auth=SECRET-TOKEN-123&format=rss"
        code = main(["--db", str(tmp_path / "a.db"), "ingest", "--no-embed", url])
        out, err = capsys.readouterr()
        assert code == 1 and "SECRET-TOKEN-123" not in out + err
        assert err.startswith(f"{base}/feed.xml?auth=…&format=…:2: date: "), err
        # a password in the address (which urllib cannot send: the fetch fails, and says so)
        code = main(["--db", str(tmp_path / "a.db"), "ingest", "--no-embed", url.replace("//", "//me:hunter2@")])
        out, err = capsys.readouterr()
        assert code == 1 and "hunter2" not in out + err and "SECRET" not in out + err and "//me:…@" in err
