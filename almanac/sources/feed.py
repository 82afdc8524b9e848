"""An existing RSS or Atom feed, from a file or a URL, read with feedparser (a URL serving a
JSON Feed is read as `almanac.sources.json_list` reads one).

Each item becomes an entry dated to the day it was published (in the feed's
own timezone: an item published "Mon, 04 May 2015 23:00 -0700" is 4 May).
HTML in summaries is reduced to text and categories become tags; a category
that names a kind ("talk", "Papers") sets the kind. A feed that does not
parse to its end is refused whole (see `_integrity_problem`).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import re
import xml.sax

import feedparser

from almanac.entry import DateError, Entry, PartialDate, classify, normalise_kind, talk_tags
from almanac.link_kind import media_kind
from almanac.links import web_address
from almanac.person import author_name, declared
from almanac.sources.fetch import fetch_url
from almanac.sources.html_text import html_to_text
from almanac.sources.json_list import entries_from_json
from almanac.sources.problems import Problem, SourceError, decode_utf8
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, clip, fold, read_bytes, tags_problem, title_problem
from almanac.sources.text import clean_text
from almanac.text import cut_at_word, first_sentence

#: The year a date writes in four digits (or "-0001"), looked for before its time of day (so an
#: offset's "-0700" is not taken for one).
_YEAR = re.compile(r"(?<!\d)(-?\d{4})(?!\d)")
_TIME_OF_DAY = re.compile(r"[Tt\s]\d{1,2}:\d{2}")
_ITEM_START = re.compile(r"<(?:\w+:)?(?:item|entry)[\s>]")
_XML_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml")


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def _fetch(spec: str, limits: ReadLimits) -> bytes:
    return fetch_url(spec, limits) if is_url(spec) else read_bytes(spec, limits)


def _integrity_problem(spec: str, data: bytes, parsed) -> Problem | None:
    """A problem when the feed did not parse completely, else None.

    feedparser falls back to a lenient parser when the XML is not well formed,
    so a feed cut off after an item still yields the items before the cut.
    Storing those would delete the rest, so a SAX error (truncation, broken
    markup) rejects the source. Its other notices (a declared encoding that
    was overridden, a content type that is not XML) concern only how the
    bytes were decoded, and the feed is kept.
    """
    exc = parsed.get("bozo_exception") if parsed.bozo else None
    if not isinstance(exc, xml.sax.SAXException):
        return None
    line = exc.getLineNumber() if isinstance(exc, xml.sax.SAXParseException) else None
    if line and not _XML_DECLARATION.match(data):
        line -= 1  # feedparser put a declaration line in front before parsing
    reason = clip(exc.getMessage())
    if not parsed.entries:
        return Problem(spec, line, "feed", f"not a readable RSS or Atom feed ({reason})")
    return Problem(spec, line, "feed", f"not a complete, well-formed feed ({reason}); nothing from it was stored")


def unpublished(item) -> bool:
    """Whether a WordPress export (WXR, an RSS feed of the whole site) marks the item as something
    other than a published post: an attachment (every image of the blog is an item), a page, a
    menu item, a draft, a private or trashed post. Other feeds say neither, and all their items count."""
    post_type, status = item.get("wp_post_type"), item.get("wp_status")
    return (post_type is not None and post_type != "post") or (status is not None and status != "publish")


def _published(item) -> PartialDate:
    """The item's calendar date in the timezone the feed wrote it in."""
    for key in ("published", "updated", "created"):
        raw = item.get(key)
        if not raw:
            continue
        for parse in (email.utils.parsedate_to_datetime, dt.datetime.fromisoformat):
            try:
                day = parse(raw.replace("Z", "+00:00")).date()
            except (TypeError, ValueError, IndexError):
                continue
            written = _YEAR.search(_TIME_OF_DAY.split(raw, 1)[0])
            if written and int(written.group(1)) != day.year:
                # "Mon, 30 Nov -0001 00:00:00 +0000" (WordPress's "no date") parses as 30 Nov 2000.
                raise DateError(f"'{clip(raw)}' has no real year ({written.group(1)})")
            return PartialDate.from_date(day)
        parsed = item.get(f"{key}_parsed")
        if parsed:
            return PartialDate(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        raise DateError(f"'{clip(raw)}' is not a date")
    raise DateError("missing (no published or updated date)")


def enclosure_kind(item) -> str | None:
    """"podcast" for an item that carries an audio file, "video" for a video file, else None.

    An audio enclosure is what makes a feed item a podcast episode (it is how podcast apps find
    the episode), so it decides the kind as a category naming one would; the wording is read only
    when neither does.
    """
    kinds = (media_kind(str(enclosure.get("type") or "")) for enclosure in item.get("enclosures") or [])
    return next((kind for kind in kinds if kind), None)


#: What an <item> written inside a comment or a CDATA section is part of (to the end when unclosed:
#: one scan, whatever is unclosed).
_NOT_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)", re.DOTALL)
_ITEMS = re.compile(f"{_NOT_MARKUP.pattern}|(?P<item>{_ITEM_START.pattern})", re.DOTALL)


def _item_lines(data: bytes) -> list[int]:
    """Line numbers of the <item>/<entry> elements, in document order, in one pass. Not those
    inside a comment or CDATA (a description quoting "<item>"): counted, they shifted every
    later problem onto the item before."""
    text = data.decode("utf-8", "replace")
    lines, line, last = [], 1, 0
    for match in _ITEMS.finditer(text):
        if match.group("item") is None:
            continue
        line += text.count("\n", last, match.start())
        last = match.start()
        lines.append(line)
    return lines


#: Longest title made from a post's text when the item has none (`untitled_headline`).
HEADLINE_CHARS = 80


def untitled_headline(summary: str) -> str:
    """A title for an item that has none: its text's first sentence, cut at a word to fit.

    Mastodon and Bluesky write a post's RSS item with no <title> (a post has none), and every
    item was refused "title: missing", so a person's feed of posts could not be read at all."""
    sentence = first_sentence(summary).strip()
    return sentence if len(sentence) <= HEADLINE_CHARS else cut_at_word(sentence, HEADLINE_CHARS)


def item_text(item) -> str:
    """An item's text: its description, or its full content (`content:encoded`, Atom's
    <content>) where the description is only that content cut short (Ghost and WordPress feeds
    cut the description mid-sentence, "…we want everything"), or where there is no description."""
    summary = html_to_text(item.get("summary") or "")
    content = html_to_text((item.get("content") or [{}])[0].get("value", "") or "")
    if not summary:
        return content
    lead = summary.rstrip(" .…[]").rstrip()
    if len(content) > len(summary) and lead and content.startswith(lead):
        return content
    return summary


def page_link(item) -> str:
    """The address of the page an item is about: its alternate link, not an attachment. arXiv's API
    writes the abstract page and the PDF as two links, the PDF last, which feedparser takes as
    the item's link; a link typed as a PDF or as audio or video is passed over for another."""
    links = [link for link in item.get("links") or [] if isinstance(link, dict) and link.get("href")]
    pages = [link for link in links if link.get("rel", "alternate") == "alternate"
             and not str(link.get("type") or "").startswith(("application/pdf", "audio/", "video/"))
             and not str(link.get("title") or "").lower() == "pdf"]
    return pages[0]["href"] if pages else item.get("link") or ""


def read_feed(spec: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """Read an RSS/Atom feed file or URL into entries, within `limits` (size, fetch deadline)."""
    data = _fetch(spec, limits)
    if not data.strip():
        raise SourceError([Problem(spec, None, "file", "file is empty")])
    if data.lstrip()[:1] in (b"{", b"["):  # a JSON Feed or WordPress's REST API (feedparser reads only XML)
        return entries_from_json(spec, decode_utf8(data, spec))
    try:
        # A stream, not bytes: given bytes, feedparser first tries them as a file
        # name, so a body reading "/dev/zero" would be opened and read forever.
        # Summaries are reduced to plain text (html_to_text), so feedparser's
        # HTML sanitising and URI rewriting would be work thrown away.
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser lets a few parser errors escape (e.g. an undeclared prefix)
        raise SourceError([Problem(spec, None, "feed", f"not a readable RSS or Atom feed ({type(exc).__name__}: {clip(str(exc))})")]) from None
    broken = _integrity_problem(spec, data, parsed)
    if broken is not None:
        raise SourceError([broken])
    if not parsed.entries:
        raise SourceError([Problem(spec, None, "feed", "the feed has no items")])
    item_lines = _item_lines(data)
    # whose the feed is, as it says (almanac.person)
    feed_by = declared(parsed.feed.get("author_detail") or parsed.feed.get("author"),
                       html_to_text(parsed.feed.get("title", "")))
    problems: list[Problem] = []
    entries: list[Entry] = []
    for i, item in enumerate(parsed.entries):
        if unpublished(item):
            continue
        line = item_lines[i] if i < len(item_lines) else None
        where = f"{spec}:{line}" if line else spec
        summary = fold(item_text(item))
        title = fold(html_to_text(item.get("title", ""))) or untitled_headline(summary)
        if not title or (too_long := title_problem(title)):
            problems.append(Problem(spec, line, "title", too_long if title else "missing"))
            continue
        try:
            date = _published(item)
        except DateError as exc:
            problems.append(Problem(spec, line, "date", str(exc)))
            continue
        terms = [fold(t.get("term") or "") for t in item.get("tags", [])]
        terms = [t for t in terms if t]
        kinds = [normalise_kind(t) for t in terms]
        kind = next((k for k in kinds if k), None)
        tags = [t.lower() for t, k in zip(terms, kinds) if not k]
        if wrong := tags_problem(tags):
            problems.append(Problem(spec, line, "category", wrong))
            continue
        link = clean_text(page_link(item)).strip()
        link = link if link and is_url(link) and web_address(link) else None
        kind = kind or enclosure_kind(item)
        kind_read = kind is None
        if kind_read:  # read from the wording only when no category or enclosure names a kind
            kind, implied = classify(title, summary, link)
        else:
            implied = talk_tags(title, summary) if kind == "talk" else ()
        tags += implied
        entries.append(
            Entry(
                id="",
                title=title,
                date=date,
                kind=kind,
                summary=summary,
                tags=tuple(dict.fromkeys(tags)),
                url=link,
                source=where,
                kind_read=kind_read,
                by=author_name(item.get("author_detail") or item.get("author")) or feed_by,
            )
        )
    if problems:
        raise SourceError(problems)
    return entries
