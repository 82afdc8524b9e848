"""Property tests of the readers: whatever the bytes, a reader returns clean entries or raises SourceError.

Inputs are random bytes, random truncations of a valid file of every format,
and random Unicode (controls, lone surrogates, line separators) placed in the
fields of valid files. Properties:
- nothing but SourceError escapes a reader, and no example runs long
  (sizes are bounded; hypothesis' deadline catches a slow parse);
- a feed or JSON file cut anywhere before its end is refused, never read as
  a shorter source;
- every text field an entry gets is free of control characters and lone
  surrogates, so it can be stored (a real SQLite store takes each one);
- when a source is refused, the store keeps exactly the entries it held for it.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from almanac.entry import Entry
from almanac.ingest import ingest
from almanac.sources import ReadLimits, SourceError, reader_for
from almanac.sources.html_text import html_to_text
from almanac.store import Store
from tests.test_sources import ATOM, RSS

LIMITS = ReadLimits(max_bytes=100_000, fetch_deadline_s=5)

VALID = {
    "txt": "Input / Output: a talk / Mar 2016\nA talk on\ninput and output.\n\nSecond entry / 2017\nA paper on things.\n",
    "md": "---\ntitle: \"Jitsu: Just-In-Time\"\ndate: 2015-05-04\nkind: paper\ntags: [nsdi, jitsu]\n"
          "url: https://example.org/jitsu\n---\nThe paper on **Jitsu**.\n",
    "json": json.dumps(
        [{"title": "A podcast", "date": "2014-05", "summary": "Episode 1.", "tags": "ocaml, mirage"},
         {"title": "A paper", "date": 2019, "kind": "paper", "summary": "Words.", "slug": "my-paper"}],
        indent=2,
    ),
    "xml": RSS,
    "atom": ATOM,
}
# Formats whose end is marked: any cut before it must be refused.
MARKED_END = {"json", "xml", "atom"}

UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

FUZZ = settings(
    max_examples=100,
    deadline=10_000,  # ms per example (generous: the machine may be loaded); a read that blocks fails here
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: the suite stays reproducible
)

formats = st.sampled_from(sorted(VALID))
hostile_text = st.text(
    st.one_of(st.characters(), st.characters(categories=["Cs", "Cc", "Zl", "Zp"])), min_size=1, max_size=40
)


def read(path) -> list[Entry] | None:
    """The reader's entries, or None when it refused the source (SourceError); anything else fails."""
    try:
        entries = reader_for(str(path))(str(path), LIMITS)
    except SourceError as exc:
        assert exc.problems and all("\n" not in str(p) for p in exc.problems)
        return None
    for entry in entries:
        for text in (entry.title, entry.summary, entry.url or "", *entry.tags):
            assert not UNCLEAN.search(text), (entry, text)
        assert entry.title  # (a feed item may have no summary)
    return entries


@FUZZ
@given(fmt=formats, data=st.binary(max_size=3000))
def test_random_bytes(tmp_path, fmt, data):
    path = tmp_path / f"source.{fmt}"
    path.write_bytes(data)
    read(path)


@FUZZ
@given(fmt=formats, cut=st.floats(0, 1, exclude_max=True))
def test_random_truncations(tmp_path, fmt, cut):
    whole = VALID[fmt].encode()
    at = int(len(whole.rstrip()) * cut)
    path = tmp_path / f"source.{fmt}"
    path.write_bytes(whole[:at])
    entries = read(path)
    if fmt in MARKED_END:
        assert entries is None, f"{fmt} cut at {at} of {len(whole)} bytes was read as a shorter source"


def with_fields(fmt: str, title: str, summary: str) -> str:
    """A valid file of `fmt` whose one entry has this title and summary (escaped as the format needs)."""
    if fmt == "txt":
        return f"{title} / May 2015\n{summary}\n"
    if fmt == "md":
        return f"---\ntitle: {json.dumps(title)}\ndate: 2015\n---\n{summary}\n"
    if fmt == "json":
        return json.dumps([{"title": title, "date": 2015, "summary": summary}])  # \ud800 stays an escape
    if fmt == "xml":
        return RSS.replace("Keynote at ICFP", escape(title)).replace("Talking shop.", escape(summary))
    return ATOM.replace("Released v2", escape(title)).replace("&lt;em&gt;New&lt;/em&gt; release.", escape(summary))


@FUZZ
@given(fmt=formats, title=hostile_text, summary=hostile_text)
def test_random_unicode_in_fields_is_cleaned_and_storable(tmp_path, fmt, title, summary):
    path = tmp_path / f"source.{fmt}"
    path.write_bytes(with_fields(fmt, title, summary).encode("utf-8", "surrogatepass"))
    entries = read(path)
    db = tmp_path / "fields.db"
    db.unlink(missing_ok=True)
    with Store(str(db)) as store:  # a new store each time: ids of earlier examples cannot clash
        report = ingest(store, [str(path)], str(tmp_path), limits=LIMITS)
        assert (entries is None) == bool(report.problems)
        if entries is not None:
            assert [(e.title, e.summary) for e in store.entries()] == [(e.title, e.summary) for e in entries]


@pytest.fixture
def held(tmp_path):
    """A store holding every valid sample, one source per format, and what it holds for each."""
    with Store(str(tmp_path / "held.db")) as store:
        for fmt, text in VALID.items():
            (tmp_path / f"source.{fmt}").write_text(text)
        report = ingest(store, [f"source.{fmt}" for fmt in VALID], str(tmp_path), limits=LIMITS)
        assert not report.problems
        yield store, {fmt: entries_of(store, fmt) for fmt in VALID}


def entries_of(store: Store, fmt: str) -> list[dict]:
    return sorted((e.to_json() for e in store.entries() if e.source.startswith(f"source.{fmt}")), key=lambda e: e["id"])


@FUZZ
@given(fmt=formats, cut=st.floats(0, 1, exclude_max=True), noise=st.binary(max_size=200))
def test_a_refused_source_leaves_the_store_as_it_was(tmp_path, held, fmt, cut, noise):
    store, before = held
    whole = VALID[fmt].encode()
    at = int(len(whole) * cut)
    path = tmp_path / f"source.{fmt}"
    path.write_bytes(whole[:at] + noise + whole[at + len(noise):])  # a stretch overwritten with noise
    report = ingest(store, [path.name], str(tmp_path), limits=LIMITS)
    if report.problems:
        assert entries_of(store, fmt) == before[fmt]
    else:  # the noise happened to be readable: put the sample back for the next example
        path.write_bytes(whole)
        assert not ingest(store, [path.name], str(tmp_path), limits=LIMITS).problems
    assert all(entries_of(store, other) == before[other] for other in VALID if other != fmt)


@FUZZ
@given(fragment=st.text(st.sampled_from(list("<>!-/'\"=&;#x pbrlistyleh2.?\x00")), max_size=3000))
def test_html_to_text_takes_any_markup(fragment):
    text = html_to_text(fragment)
    assert text == " ".join(text.split())


def _substack_zip() -> bytes:
    """A small Substack export as the ZIP Substack sends (compressed, so a damaged stream is tried too)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("posts.csv", "post_id,post_date,is_published,type,title,subtitle\n"
                                "1.first,2021-01-20T13:15:12.230Z,TRUE,newsletter,First,A subtitle\n"
                                "2.second,2021-02-20T13:15:12.230Z,TRUE,podcast,Second,\n")
        z.writestr("posts/1.first.html", '<h2>First</h2><p>Words.</p><p class="button-wrapper"><a>Share</a></p>')
        z.writestr("posts/2.second.html", "<p>An episode about trains.</p>" * 20)
    return buffer.getvalue()


SUBSTACK_ZIP = _substack_zip()


@FUZZ
@given(cut=st.floats(0, 1, exclude_max=True), noise=st.binary(max_size=200))
def test_a_damaged_substack_zip_is_read_or_refused_by_name(tmp_path, cut, noise):
    at = int(len(SUBSTACK_ZIP) * cut)
    path = tmp_path / "export.zip"
    path.write_bytes(SUBSTACK_ZIP[:at] + noise + SUBSTACK_ZIP[at + len(noise):])
    read(path)  # entries or SourceError, nothing else
    path.write_bytes(SUBSTACK_ZIP[:at])
    if at < len(SUBSTACK_ZIP) - 22:  # cut before the end of central directory record: refused
        assert read(path) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["rendered", "name", "taxonomy", "wp:term"]), inner, max_size=3),
    max_leaves=8,
)
WORDPRESS_KEYS = ["title", "content", "excerpt", "date", "link", "slug", "status", "type", "format", "_embedded", "tags", "id"]


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(WORDPRESS_KEYS), json_values, min_size=1, max_size=5))
def test_a_wordpress_post_with_any_values_is_read_or_refused_by_name(tmp_path, changes):
    post = {"id": 3, "title": {"rendered": "Hello"}, "date": "2019-05-02T10:00:00", "status": "publish",
            "content": {"rendered": "<p>Words.</p>"}, "_embedded": {"wp:term": [[{"taxonomy": "post_tag", "name": "x"}]]}}
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([post | changes]))
    read(path)  # entries or SourceError, nothing else
