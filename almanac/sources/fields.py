"""Turn the fields of a front-matter block, a JSON object or a spreadsheet row into an Entry.

Markdown front matter, JSON objects and spreadsheet columns carry the same
fields (title, date, kind, tags, url, id, and summary), so their readers share
this validation and report problems in the same words.

People bring files written for something else: a Jekyll or Hugo blog's posts,
a JSON export, a JSON Feed's items. So, besides almanac's own names:

- the same field under another common name is read when almanac's is absent
  (`ALIASES`: `description` or `content_text` for the summary, `published` or
  `date_published` for the date, `link` for the url, `type` for the kind when
  it names one), and `categories` and `keywords` are more tags (one that names
  a kind sets it instead, as a feed's category does);
- fields saying where an entry appeared or who was in it (`CONTEXT`: venue,
  event, journal, show, authors, a paper's citation, ...) are kept as the summary's last sentence
  ("Venue: OSCON."), so search finds the entry by them;
- a draft (`draft: true`, `published: false`, `status: draft`) is not part of the archive yet
  and is skipped, as a site generator would;
- any other field (`layout`, `author`, `weight`, a theme's own) says nothing
  almanac keeps and is ignored, unless its name is a slip for one of the names
  above ("tilte", "tgas"): that is an error naming the field, since ignoring
  it would lose what the user meant to say.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from almanac.entry import DateError, Entry, PartialDate, KINDS, classify, normalise_kind, talk_tags, valid_id
from almanac.links import web_address
from almanac.person import author_name
from almanac.sources.html_text import html_to_text
from almanac.sources.problems import Problem
from almanac.sources.reading import clip, fold, tags_problem, title_problem
from almanac.sources.text import as_sentence, clean_text
from almanac.text import CONTEXT_FIELDS

FIELDS = ("title", "date", "kind", "tags", "url", "id", "slug", "summary")
#: Other names for a field, read in this order when the field itself is absent (Jekyll, Hugo,
#: JSON exports, JSON Feed items; `collection` and `paperurl` are the academicpages template's, `issued`
#: CSL JSON's, made text by `almanac.sources.csl_json`, `year` and `articleurl` citation exports'
#: columns; a `doi` is the link where none is given). `type`
#: and `collection` are a kind only when they name one (Hugo's `type: post` does, and a Jekyll
#: collection's `talks` or `publications`; a theme's `type: gallery` is ignored).
ALIASES = {
    "date": ("published", "date_published", "publishdate", "pubdate", "created", "issued", "event-date",
             "original-date", "year"),
    "summary": ("description", "abstract", "excerpt", "content_text", "content", "body", "content_html"),
    "url": ("link", "external_url", "paperurl", "articleurl"),
    "kind": ("type", "collection"),
}
#: Summaries written in HTML (reduced to text).
_HTML = frozenset({"content_html"})
#: Fields whose words are more tags.
TAG_ALIASES = ("categories", "category", "keywords", "keyword", "tag")
#: Fields that say where an entry appeared or who was in it, kept as the summary's last sentence.
CONTEXT = CONTEXT_FIELDS
#: Context fields written in HTML: the academicpages template's `citation` (`&quot;Title.&quot; <i>Nature</i>`).
_HTML_CONTEXT = frozenset({"citation"})
#: Every name read; a field whose name is one slip from one of these was meant to be it (`misnamed`).
_KNOWN = FIELDS + tuple(a for names in ALIASES.values() for a in names) + TAG_ALIASES + CONTEXT + ("draft", "doi", "status")
#: Common fields of site generators, feeds and citation exports that say nothing almanac keeps (a
#: blog's one author, its layout, when a page was last edited, a journal's volume and issue):
#: ignored without looking for a slip in their names ("issue" is not a slip for CSL's "issued").
IGNORED = frozenset(
    "author layout lastmod updated modified date_modified expirydate weight aliases toc comments image images "
    "cover thumbnail banner_image featured_image lang language permalink template menu hidden sitemap "
    "attachments subtitle series volume issue number pages page".split())


def parse_date_value(value: object) -> PartialDate:
    """Dates as YAML/JSON give them: a date, a datetime, an int year or a string."""
    if isinstance(value, dt.datetime):
        return PartialDate.from_date(value.date())
    if isinstance(value, dt.date):
        return PartialDate.from_date(value)
    if isinstance(value, bool):
        raise DateError(f"{value!r} is not a date")
    if isinstance(value, int):
        if value.bit_length() > 64:  # YAML's hex integers have no length limit; f"{value}" would fail
            raise DateError(f"{clip(value)} is not a year")
        return PartialDate(value)
    if isinstance(value, str):
        # Obsidian's web clipper writes the zone after the time in words: "2023-01-12T18:03:27 (UTC +01:00)"
        return PartialDate.parse(_AFTERWORD.sub("", clean_text(value)))
    raise DateError(f"{clip(value)} is not a date")


#: A remark in parentheses after a date and time ("(UTC +01:00)"): the day is read without it.
_AFTERWORD = re.compile(r"(?<=\d)\s*\([^()]{0,40}\)\s*$")


def entry_from_fields(
    fields: dict, path: str, line: int, summary: str | None = None, key_lines: Mapping[str, int] | None = None
) -> tuple[Entry | None, list[Problem]]:
    """Validate `fields` and build an Entry (id derived later unless explicit).

    Returns the entry (or None) and every problem found: None with no problem is a draft,
    skipped. `summary`, when given and not blank, is the Markdown body and wins over a
    `summary` field. `line` is where the entry starts; `key_lines`, when the reader knows them
    (front matter, a JSON object), the line of each field's name as written, so a problem with a
    field names the line to edit rather than the entry's first (a missing field has no line of
    its own, and is reported at the entry's).
    """
    problems: list[Problem] = []
    key_lines = {} if key_lines is None else key_lines  # not `or`: its truth would scan a JSON object
    first: dict = {}  # each field's name folded to lower case -> as written

    def bad(field: str, message: str, key: object = None) -> None:
        written = first.get(field) if key is None else key
        at = key_lines.get(written, line) if isinstance(written, str) else line
        problems.append(Problem(path, at, field, message))

    folded = {}
    for key, value in fields.items():
        name = key.lower() if isinstance(key, str) else key
        if name in first:  # {"summary": ..., "Summary": ...}: the last silently won
            bad(clip(key), f"repeats the field '{clip(first[name])}'; keep one", key)
            continue
        first[name] = key
        folded[name] = value
    fields = folded
    for key in sorted(fields, key=lambda k: k if isinstance(k, str) else clip(k)):  # str() of a huge int raises
        if meant := misnamed(key):
            bad(clip(key), f"unknown field; did you mean '{meant}'?", first[key])
    status = fields.get("status")  # Pelican's "Status: draft" (and hidden), Ghost's and others' too
    if (_flag(fields.get("draft")) is True or _flag(fields.get("published")) is False
            or isinstance(status, str) and status.strip().lower() in ("draft", "hidden", "private")):
        return None, problems

    title = fields.get("title")
    title = fold(title) if isinstance(title, str) else title
    if not isinstance(title, str) or not title:
        bad("title", "missing" if title is None else "must be non-empty text")
        title = None
    elif too_long := title_problem(title):
        bad("title", too_long)
        title = None

    date = None
    date_field = _present(fields, "date", skip=lambda v: _flag(v) is not None)
    if date_field is None:
        bad("date", "missing (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')")
    else:
        try:
            date = parse_date_value(fields[date_field])
        except DateError as exc:
            bad(date_field, str(exc))

    text = ""
    if summary is not None and summary.strip():
        text = summary
    elif (summary_field := _present(fields, "summary")) is not None:
        text = fields[summary_field]
        if not isinstance(text, str):
            bad(summary_field, "must be text")
            text = ""
        elif summary_field in _HTML:
            text = html_to_text(text)
    text = fold(text)

    tag_fields = [f for f in ("tags", *TAG_ALIASES) if fields.get(f)]
    kind = None
    if _present(fields, "kind") == "kind":
        value = fields["kind"]
        kind = normalise_kind(clean_text(value)) if isinstance(value, str) else None
        if kind is None:
            bad("kind", f"'{clip(value)}' is not a kind (one of: {', '.join(KINDS)})")
    else:  # another tool's field says the kind only when it names one ("type: Talk", not "type: course")
        kind = next((k for name in ALIASES["kind"] if isinstance(v := fields.get(name), str)
                     and (k := normalise_kind(clean_text(v)))), None)

    tags: list[str] = []
    for tag_field in tag_fields:
        raw_tags = fields[tag_field]
        if isinstance(raw_tags, str) or _plain_number(raw_tags):
            raw_tags = str(raw_tags).split(",")
        if not isinstance(raw_tags, list) or not all(isinstance(t, (str, int)) for t in raw_tags):
            bad(tag_field, "must be a list of words or a comma-separated string")
            continue
        words = [fold(t if isinstance(t, str) else clip(t)).lower() for t in raw_tags]
        if tag_field != "tags":
            # A category that names a kind ("Talks") says the kind, as a feed's category does, and
            # is not a tag.
            kind = kind or next((k for w in words if (k := normalise_kind(w))), None)
            words = [w for w in words if not normalise_kind(w)]
        tags += [t for t in words if t]
    if wrong := tags_problem(tags):
        bad(tag_fields[0] if len(tag_fields) == 1 else "tags", wrong)

    context = []
    for name in CONTEXT:
        value = fields.get(name)
        if value is None or value == "" or value == []:
            continue
        said = _context_text(html_to_text(value) if name in _HTML_CONTEXT and isinstance(value, str) else value)
        if said is None:
            bad(name, "must be text or a list of names")
        else:
            context.append(f"{name.capitalize()}: {said.rstrip('.')}.")
    if context and not text and title:
        # A citation export's row (Google Scholar, Publish or Perish: authors, title, journal, year)
        # has no summary of its own: its title and where it appeared describe it.
        text = as_sentence(title.strip())
    if context and text:
        text = f"{text} {' '.join(context)}"

    url_field = _present(fields, "url")
    url = fields.get(url_field) if url_field else None
    if url_field is None and isinstance(fields.get("doi"), str) and fields["doi"].strip():
        # a citation export's DOI, where it gives no link: the address a DOI always resolves at
        url_field, url = "doi", "https://doi.org/" + fields["doi"].strip().removeprefix("https://doi.org/").removeprefix("doi:")
    url = clean_text(url).strip() if isinstance(url, str) else url
    if isinstance(url, str) and url.lower().startswith("www."):
        url = "https://" + url  # as Zotero keeps JSTOR's links, and people type them
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        bad(url_field, f"'{clip(url)}' is not an http(s) URL")
        url = None
    elif url is not None and not web_address(url):
        bad(url_field, f"'{clip(url)}' is not a web address (a host is missing or cannot be read)")
        url = None

    id_field = "id" if "id" in fields else "slug"
    explicit = fields.get(id_field)
    if _plain_number(explicit):
        explicit = str(explicit)  # a database's row number
    if explicit is not None and (not isinstance(explicit, str) or not valid_id(explicit)):
        bad(id_field, f"'{clip(explicit)}' is not a valid id (lowercase letters, digits, '-' and '_')")
        explicit = None

    if problems or title is None or date is None:
        return None, problems
    kind_read = kind is None
    if kind_read:  # read from the wording only when the source does not say
        kind, implied = classify(title, text, url)
    else:
        implied = talk_tags(title, text) if kind == "talk" else ()
    all_tags = tuple(dict.fromkeys(tags + list(implied)))
    return (
        Entry(
            id=explicit or "",
            title=title,
            date=date,
            kind=kind,
            summary=text,
            tags=all_tags,
            url=url,
            source=f"{path}:{line}",
            explicit_id=explicit is not None,
            kind_read=kind_read,
            by=author_name(fields.get("author")) or "",
        ),
        [],
    )


def entry_with_summary(fields: dict, path: str, line: int, missing: str = "missing",
                       key_lines: Mapping[str, int] | None = None) -> tuple[Entry | None, list[Problem]]:
    """`entry_from_fields` for a source whose summary is one of its fields (a JSON object, a
    spreadsheet row): an entry without one is a problem (`missing` says what was looked for)."""
    entry, problems = entry_from_fields(fields, path, line, key_lines=key_lines)
    if entry is not None and not problems and not entry.summary:
        return None, [Problem(path, line, "summary", missing)]
    return entry, problems


def misnamed(key: object) -> str | None:
    """The field a field name not read (`key`, lowercased) was meant to be: the name it is one
    slip from (a letter added, dropped, changed, or two swapped: "tilte", "sumary"); None for a
    name that is read or ignored, or a field of its own. A name of four letters is a slip only by
    two swapped letters ("tgas"): one changed letter turns too many real words into a field's
    name ("data", "post")."""
    if not isinstance(key, str) or len(key) < 4 or key in _KNOWN or key in IGNORED:
        return None
    from rapidfuzz.distance import DamerauLevenshtein

    for name in _KNOWN:
        if DamerauLevenshtein.distance(key, name, score_cutoff=1) <= 1 and (
                len(key) > 4 or sorted(key) == sorted(name)):
            return name
    return None


def _flag(value: object) -> bool | None:
    """A yes/no setting as YAML, TOML, JSON or a spreadsheet cell writes it ("true", "no"), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "yes": True, "false": False, "no": False}.get(value.strip().lower())
    return None


def _present(fields: dict, name: str, skip=lambda value: False) -> str | None:
    """The first of `name` and its ALIASES that the fields hold (not None, "" or `skip`ped)."""
    for key in (name, *ALIASES.get(name, ())):
        value = fields.get(key)
        if value is not None and value != "" and not skip(value):
            return key
    return None


def _plain_number(value: object) -> bool:
    """An int that reads as a word: not a bool, and short enough for str() (Python refuses ints of
    over 4,300 digits; YAML's `0xfff...` makes one, and the reader failed with no field named)."""
    return isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= 256


def _context_text(value: object) -> str | None:
    """A context field's words: text, a number, or a list of names (strings or {"name": ...}), else None."""
    if isinstance(value, (str, float)) or _plain_number(value):
        return fold(str(value)) or None
    if isinstance(value, list):
        names = [v.get("name") if isinstance(v, dict) else v for v in value]
        if all(isinstance(n, str) for n in names):
            return ", ".join(n for n in map(fold, names) if n) or None
    return None
