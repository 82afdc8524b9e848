"""A JSON file: a list of objects with the front-matter fields plus `summary`.

    [{"title": "Jitsu", "date": "2015-05", "kind": "paper", "summary": "..."}]

The list may also be an object's `entries` or `items` (an export that wraps its
list), and a JSON Feed (https://jsonfeed.org, as almanac's own `feed.json`) is
read as its items: `content_text` (or `content_html`, reduced to text) is the
summary, `date_published` the date, `external_url` or `url` the link, and tags
are categories (one naming a kind sets it); an item's `id` (a feed's own, often
a URL) is not used as the entry's id, and an attachment of audio or video makes
an item a podcast or a video, as a feed's enclosure does. A WordPress site's
posts as its REST API gives them (`/wp-json/wp/v2/posts`, saved or as a URL) are
read too (`wordpress_fields`), and so is a reference manager's CSL JSON export
(`almanac.sources.csl_json`). Other field names: `almanac.sources.fields`.

The whole document is checked first (json.loads), so a file cut short or
broken anywhere is a problem and nothing of it is stored. Then each object
is decoded on its own (json.JSONDecoder.raw_decode) so a problem can name the
line its object starts on; line numbers are counted forward from the previous
object, so reading stays linear in the size of the file. A problem with one
field names the line of that field's name (`_KeyLines`, found only for an
object that has a problem).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property

from almanac.entry import Entry, normalise_kind, valid_id
from almanac.link_kind import media_kind
from almanac.person import declared
from almanac.sources.csl_json import csl_fields, is_csl_item
from almanac.sources.fields import entry_with_summary
from almanac.sources.html_text import html_to_text
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, read_text, value_error_message

_decoder = json.JSONDecoder()


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


class _Lines:
    """Line numbers of increasing offsets into `text`, counted in one forward pass."""

    def __init__(self, text: str):
        self.text, self.offset, self.line = text, 0, 1

    def at(self, index: int) -> int:
        self.line += self.text.count("\n", self.offset, index)
        self.offset = index
        return self.line


#: A JSON string, or a bracket that opens or closes an object or a list.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_COLON = re.compile(r"[ \t\r\n]*:")


class _KeyLines(Mapping):
    """The line of each field name of the object text[start:end] (which starts on `line`),
    scanned the first time a problem asks: objects without one cost nothing."""

    def __init__(self, text: str, start: int, end: int, line: int):
        self.text, self.start, self.end, self.line = text, start, end, line

    @cached_property
    def _lines(self) -> dict[str, int]:
        lines: dict[str, int] = {}
        depth, line, offset = 0, self.line, self.start
        for token in _TOKEN.finditer(self.text, self.start, self.end):
            mark = token.group()
            if mark in ("{", "["):
                depth += 1
            elif mark in ("}", "]"):
                depth -= 1
            elif depth == 1 and _COLON.match(self.text, token.end()):
                line += self.text.count("\n", offset, token.start())  # a JSON string holds no newline
                offset = token.start()
                lines.setdefault(json.loads(mark), line)
        return lines

    def __getitem__(self, key: str) -> int:
        return self._lines[key]

    def __iter__(self):
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


def _decode_problem(path: str, line: int, exc: Exception) -> Problem:
    """JSON the decoder refused: a syntax error (with its own line), too deep, or a too-long number."""
    if isinstance(exc, json.JSONDecodeError):
        return Problem(path, exc.lineno, "json", exc.msg)
    if isinstance(exc, RecursionError):
        return Problem(path, line, "json", "nested too deeply")
    return Problem(path, line, "json", value_error_message(exc))


def _check_document(path: str, text: str) -> None:
    """Refuse a document that is not valid JSON as a whole (truncated, broken)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError([_decode_problem(path, exc.lineno, exc)]) from None
    except (RecursionError, ValueError):
        pass  # found again, with the line of its object, by the reading below


#: Keys of an object that wraps the list of entries.
_LIST_KEYS = ("entries", "items")


def _list_start(path: str, text: str, i: int) -> tuple[int, bool, str]:
    """(offset of the list of entries, whether the document is a JSON Feed, whose it says it is).

    The list is the document itself, or the `entries` or `items` of a top-level object, found
    by stepping over the object's other values (decoded, not searched for, so an "items" key
    inside another value is not taken for it). Whose: the object's `author` or `authors` (JSON
    Feed's), else the name a JSON Feed's title opens with (`almanac.person`)."""
    if text[i] == "[":
        return i, False, ""
    problem = Problem(path, 1, "json", "expected a list of entry objects (or an object with an 'entries' or 'items' list)")
    if text[i] != "{":
        raise SourceError([problem])
    found, jsonfeed, said = None, False, {}
    i = _skip_space(text, i + 1)
    while i < len(text) and text[i] != "}":
        key, i = _decoder.raw_decode(text, i)
        i = _skip_space(text, _skip_space(text, i) + 1)  # past the ':'
        if key in _LIST_KEYS and text[i] == "[" and found is None:
            found = i
        try:
            value, i = _decoder.raw_decode(text, i)
        except (RecursionError, ValueError) as exc:
            raise SourceError([_decode_problem(path, text.count("\n", 0, i) + 1, exc)]) from None
        if key == "version" and isinstance(value, str) and "jsonfeed.org" in value:
            jsonfeed = True
        if key in ("author", "authors", "title"):
            said[key] = value
        i = _skip_space(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_space(text, i + 1)
    if found is None:
        raise SourceError([problem])
    return found, jsonfeed, declared(said.get("author") or said.get("authors"), said.get("title") if jsonfeed else None)


#: The JSON Feed item extension (JSON Feed 1.1: a key starting with an underscore) in which almanac's
#: own feed.json (`feeds.jsonfeed`) keeps what the format cannot say: the date to the precision known.
JSON_FEED_EXTENSION = "_almanac"


def _feed_item_fields(item: dict) -> dict:
    """A JSON Feed item as entry fields. Its id is the feed's (not an entry id); its tags are a
    feed's categories (one naming a kind sets it); `external_url`, the page the item is about,
    is the entry's link over `url`, the feed's own page for it; an audio or video attachment says
    podcast or video when no tag names a kind. An almanac feed's `_almanac` extension gives the
    date as known ("2015-05"), where `date_published` can only give an instant."""
    fields = {key: value for key, value in item.items() if key not in ("id", "tags", "url", JSON_FEED_EXTENSION)}
    extension = item.get(JSON_FEED_EXTENSION)
    if isinstance(extension, dict) and isinstance(extension.get("date"), str):
        fields["date"] = extension["date"]
    if "tags" in item:
        fields["categories"] = item["tags"]
    fields["url"] = item.get("external_url") or item.get("url")
    if "authors" in item and "author" not in item:  # JSON Feed 1.1's list; 1.0's `author` is kept as it is
        fields["author"] = item["authors"]
    attached = {media_kind(a["mime_type"]) for a in item.get("attachments") or []
                if isinstance(a, dict) and isinstance(a.get("mime_type"), str)}
    if "kind" not in fields and not any(isinstance(t, str) and normalise_kind(t) for t in item.get("tags") or []):
        kind = "podcast" if "podcast" in attached else "video" if "video" in attached else None
        if kind:
            fields["kind"] = kind
    return fields


#: WordPress post formats that say the kind (the others, "standard", "aside", "gallery", ..., say none).
_WORDPRESS_FORMATS = {"video": "video", "audio": "podcast"}


def is_wordpress_post(item: dict) -> bool:
    """Whether a JSON object is a post as WordPress's REST API gives it: its title is an object
    holding the `rendered` HTML (no other source writes a title so)."""
    return isinstance(item.get("title"), dict) and "rendered" in item["title"]


def _rendered(value: object) -> object:
    """The text of a WordPress `{"rendered": "<p>...</p>"}` field (HTML reduced), else the value as it is."""
    if isinstance(value, dict) and isinstance(value.get("rendered"), str):
        return html_to_text(value["rendered"])
    return value


def wordpress_fields(item: dict) -> dict:
    """A WordPress REST API post as entry fields.

    Only what says something about the post is kept: its title, date (the site's local time, the
    day as written), the text of its content (its excerpt when the content is empty or protected),
    link and slug (the post's own address, so the id does not change between exports; a slug
    WordPress percent-encoded, "caf%c3%a9", is not an id, and the title makes one), and the
    names of its categories and tags when the export embeds them (`?_embed`: without it they are
    only WordPress's numbers, which name nothing). The rest (`guid`, `author` and `featured_media`
    as numbers, `_links`, a plugin's own fields) says nothing almanac keeps, and its `id` is the
    site's row number, not an entry id (two sites' posts would share it). A post whose `status` is
    not "publish" (an export with `context=edit` lists drafts too) is left out as a draft is, and
    so are pages (an About) and media, as in a WordPress export (`almanac.sources.feed`); an
    audio or video post format says podcast or video when no category names a kind.
    """
    slug = item.get("slug")
    fields = {"title": _rendered(item.get("title")), "date": item.get("date"), "link": item.get("link"),
              "slug": slug if isinstance(slug, str) and valid_id(slug) else None}  # not "caf%c3%a9"
    content = _rendered(item.get("content"))
    fields["summary"] = content if isinstance(content, str) and content.strip() else _rendered(item.get("excerpt"))
    status = item.get("status")
    if (isinstance(status, str) and status != "publish") or item.get("type") in ("page", "attachment"):
        fields["draft"] = True  # left out, as the WordPress export reader leaves out drafts, pages and images
    embedded = item.get("_embedded") if isinstance(item.get("_embedded"), dict) else {}
    groups = embedded.get("wp:term") if isinstance(embedded.get("wp:term"), list) else []
    terms = [t for group in groups if isinstance(group, list)
             for t in group if isinstance(t, dict) and isinstance(t.get("name"), str)]
    categories = [html_to_text(t["name"]) for t in terms if t.get("taxonomy") == "category"]
    fields["tags"] = [html_to_text(t["name"]) for t in terms if t.get("taxonomy") == "post_tag"]
    fields["categories"] = [c for c in categories if c.lower() != "uncategorized"]
    kind = _WORDPRESS_FORMATS.get(item["format"]) if isinstance(item.get("format"), str) else None
    if kind and not any(normalise_kind(c) for c in categories):
        fields["kind"] = kind
    return {key: value for key, value in fields.items() if value is not None}


def read_json_list(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """Read a JSON list of entry objects (at most `limits.max_bytes`); raise SourceError listing every problem."""
    return entries_from_json(path, read_text(path, limits))


def entries_from_json(path: str, text: str) -> list[Entry]:
    """The entries of a JSON document read from `path` (a file, or a URL serving a JSON Feed)."""
    _check_document(path, text)
    lines = _Lines(text)
    i, jsonfeed, person = _list_start(path, text, _skip_space(text, 0))
    i = _skip_space(text, i + 1)
    problems: list[Problem] = []
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    drafts = 0
    while i < len(text) and text[i] != "]":
        line, start = lines.at(i), i
        try:
            value, i = _decoder.raw_decode(text, i)
            key = json.dumps(value, sort_keys=True) if isinstance(value, dict) else None
        except (RecursionError, ValueError) as exc:
            raise SourceError([_decode_problem(path, line, exc)]) from None
        i = _skip_space(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_space(text, i + 1)
        if key is None:
            problems.append(Problem(path, line, "entry", "must be an object with title, date and summary"))
            continue
        if key in seen:
            problems.append(Problem(path, line, "entry", f"repeats the entry at line {seen[key]} word for word; delete one"))
            continue
        seen[key] = line
        fields = (_feed_item_fields(value) if jsonfeed else wordpress_fields(value) if is_wordpress_post(value)
                  else csl_fields(value) if is_csl_item(value) else value)
        entry, found = entry_with_summary(fields, path, line, key_lines=_KeyLines(text, start, i, line))
        problems.extend(found)
        if entry is None:
            drafts += not found
        else:
            entries.append(entry if entry.by or not person else replace(entry, by=person))
    if not entries and not problems and not drafts:
        raise SourceError([Problem(path, 1, "json", "the list is empty")])
    if problems:
        raise SourceError(problems)
    return entries
