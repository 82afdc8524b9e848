"""An existing RSS or Atom feed, from a file or a URL, read with feedparser.

Each item becomes an entry dated to the day it was published (in the feed's
own timezone: an item published "Mon, 04 May 2015 23:00 -0700" is 4 May).
HTML in summaries is reduced to text and categories become tags; a category
that names a kind ("talk", "Papers") sets the kind.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import urllib.error
import urllib.request
from html.parser import HTMLParser

import feedparser

from almanac.entry import DateError, Entry, PartialDate, classify, normalise_kind, talk_tags
from almanac.sources.problems import Problem, SourceError, decode_utf8

FETCH_TIMEOUT_S = 30


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, dropping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("p", "br", "li", "div"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace folded."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return " ".join(html.unescape("".join(parser.parts)).split())


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def _fetch(spec: str) -> bytes:
    if is_url(spec):
        request = urllib.request.Request(spec, headers={"User-Agent": "almanac (+feed reader)"})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
                return response.read()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceError([Problem(spec, None, "url", f"could not fetch: {reason}")]) from None
    try:
        with open(spec, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise SourceError([Problem(spec, None, "file", exc.strerror or str(exc))]) from None


def _published(item) -> PartialDate:
    """The item's calendar date in the timezone the feed wrote it in."""
    for key in ("published", "updated", "created"):
        raw = item.get(key)
        if not raw:
            continue
        for parse in (email.utils.parsedate_to_datetime, dt.datetime.fromisoformat):
            try:
                return PartialDate.from_date(parse(raw.replace("Z", "+00:00")).date())
            except (TypeError, ValueError, IndexError):
                continue
        parsed = item.get(f"{key}_parsed")
        if parsed:
            return PartialDate(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        raise DateError(f"'{raw}' is not a date")
    raise DateError("missing (no published or updated date)")


def read_feed(spec: str) -> list[Entry]:
    """Read an RSS/Atom feed file or URL into entries."""
    data = _fetch(spec)
    if not data.strip():
        raise SourceError([Problem(spec, None, "file", "file is empty")])
    text = decode_utf8(data, spec) if not is_url(spec) else data.decode("utf-8", "replace")
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        exc = parsed.get("bozo_exception")
        line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
        raise SourceError([Problem(spec, line, "feed", f"not a readable RSS or Atom feed ({exc})")])
    if not parsed.entries:
        raise SourceError([Problem(spec, None, "feed", "the feed has no items")])
    # Line numbers of <item>/<entry> elements, in document order, for provenance.
    item_lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<(?:\w+:)?(?:item|entry)[\s>]", text)]
    problems: list[Problem] = []
    entries: list[Entry] = []
    for i, item in enumerate(parsed.entries):
        line = item_lines[i] if i < len(item_lines) else None
        where = f"{spec}:{line}" if line else spec
        title = " ".join(html_to_text(item.get("title", "")).split())
        if not title:
            problems.append(Problem(spec, line, "title", "missing"))
            continue
        try:
            date = _published(item)
        except DateError as exc:
            problems.append(Problem(spec, line, "date", str(exc)))
            continue
        content = item.get("summary") or (item.get("content") or [{}])[0].get("value", "")
        summary = html_to_text(content)
        terms = [t.get("term", "") for t in item.get("tags", []) if t.get("term")]
        kind = next((normalise_kind(t) for t in terms if normalise_kind(t)), None)
        guessed, _ = classify(title, summary)
        kind = kind or guessed
        tags = [t.strip().lower() for t in terms if not normalise_kind(t)]
        if kind == "talk":
            tags += list(talk_tags(title, summary))
        link = item.get("link")
        entries.append(
            Entry(
                id="",
                title=title,
                date=date,
                kind=kind,
                summary=summary,
                tags=tuple(dict.fromkeys(tags)),
                url=link if link and is_url(link) else None,
                source=where,
            )
        )
    if problems:
        raise SourceError(problems)
    return entries
