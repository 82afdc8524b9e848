"""A Substack export: the ZIP Substack sends, or the folder it unpacks to, holding `posts.csv`
and `posts/<post_id>.html`.

    post_id,post_date,is_published,email_sent_at,type,audience,title,subtitle,podcast_url
    172839.plain-text,2019-07-26T20:48:19.814Z,TRUE,2019-07-26T20:48:19.814Z,newsletter,everyone,Plain Text,Lorem ipsum.,

Substack keeps a writer's whole newsletter (and podcast) there, so a journalist or
writer can bring it as it is. Each published post is an entry: its title, the
day of `post_date`, its subtitle and then the text of its HTML as the summary
(Substack's subscribe and share buttons left out: they are on every post and
say nothing about it); `type: podcast` says a podcast, other posts are read
from their wording. Drafts (`is_published` false) and pages (`type: page`, an
"About") are not entries. The export holds no address for the publication, so
entries have no link. As with every source, a file with any problem (a row
without a title, a body file that cannot be read) is refused whole, naming it.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib

from almanac.entry import Entry
from almanac.sources.csv_table import cells_under, csv_rows
from almanac.sources.fields import entry_with_summary
from almanac.sources.html_text import html_to_text
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, clip, decode_text, read_text, too_large
from almanac.sources.text import as_sentence

#: The columns a Substack posts.csv has that almanac needs.
_NEEDED = ("post_id", "post_date", "is_published", "title")
#: The class names of Substack's own widgets in a post (subscribe forms, subscribe and share
#: buttons): the element carrying one is left out with everything inside it.
_WIDGETS = ('class="subscription-widget-wrap', 'class="button-wrapper', 'class="captioned-button-wrap')
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: What zipfile raises on a damaged or unusual ZIP: a bad header or CRC, a name that is not
#: UTF-8 (ValueError), a stream cut short (EOFError, zlib.error), an unknown compression method,
#: an encrypted member (RuntimeError). Found by tests/test_sources_fuzz.py.
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError)
#: How many times `ReadLimits.max_bytes` a ZIP may unpack to in all: a few megabytes of text
#: for a writer's whole newsletter, while a small ZIP can unpack to a thousand times its size.
UNPACKED_LIMIT = 4


def is_substack_export(path: str) -> bool:
    """Whether a directory is an unpacked Substack export (posts.csv beside a posts folder)."""
    return os.path.isfile(os.path.join(path, "posts.csv")) and os.path.isdir(os.path.join(path, "posts"))


def read_substack(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """Every published post of the export at `path`, a folder or the ZIP Substack sends (each
    file in it at most `limits.max_bytes`)."""
    with (ZippedExport(path, limits) if path.lower().endswith(".zip") else FolderExport(path, limits)) as export:
        return _posts(export)


def _posts(export) -> list[Entry]:
    table = export.name("posts.csv")
    text = export.text("posts.csv")
    if text is None:
        raise SourceError([Problem(export.where, None, "file", "not a Substack export: no posts.csv in it")])
    rows = csv_rows(table, text, ",")
    _, header = next(rows)
    header = [name.strip().lower() for name in header]
    if missing := [name for name in _NEEDED if name not in header]:
        raise SourceError([Problem(table, 1, "header", f"not a Substack export's posts.csv: no {', '.join(missing)} column")])
    problems: list[Problem] = []
    entries: list[Entry] = []
    for line, row in rows:
        cells = cells_under(header, row, table, line)
        if isinstance(cells, Problem):
            problems.append(cells)
            continue
        cells = {name: cell.strip() for name, cell in cells.items()}
        kind_of_post = cells.get("type", "").lower()  # newsletter, podcast, thread or page
        if cells.get("is_published", "").lower() != "true" or kind_of_post == "page":
            continue
        body, problem = _body(export, cells.get("post_id", ""))
        if problem:
            problems.append(Problem(table, line, "post_id", problem))
            continue
        fields = {"title": cells.get("title"), "date": cells.get("post_date"),
                  "summary": " ".join(part for part in (as_sentence(cells.get("subtitle", "")), body) if part)}
        if kind_of_post == "podcast":
            fields["kind"] = "podcast"
        entry, found = entry_with_summary({k: v for k, v in fields.items() if v}, table, line,
                                          missing="missing: neither a subtitle nor a post body")
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise SourceError(problems)
    return entries


def _body(export, post_id: str) -> tuple[str, str | None]:
    """(the text of a post's HTML, or "" when the export has none for it; a problem, or None)."""
    if not post_id or "/" in post_id or "\\" in post_id or post_id.startswith("."):
        return "", f"'{clip(post_id)}' does not name a post"
    try:
        html = export.text(f"posts/{post_id}.html")
    except UnpackedTooMuch:
        raise  # the whole ZIP's problem, not this post's
    except SourceError as exc:
        return "", f"posts/{clip(post_id)}.html: {exc.problems[0].message}"
    # Substack leaves some posts (paid ones, podcasts) without a body file.
    return (html_to_text(without_widgets(html)) if html is not None else ""), None


class UnpackedTooMuch(SourceError):
    """A ZIP that unpacks to more than UNPACKED_LIMIT times the limit for one source."""


class FolderExport:
    """The export unpacked: its files read as any source file is."""

    def __init__(self, path: str, limits: ReadLimits):
        self.where, self.limits = path, limits

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def name(self, member: str) -> str:
        return os.path.join(self.where, *member.split("/"))

    def text(self, member: str) -> str | None:
        """A file's text, None when the export lacks it."""
        path = self.name(member)
        return read_text(path, self.limits) if os.path.lexists(path) else None


class ZippedExport:
    """The ZIP as Substack sends it (its files at its top or in one folder), read without
    unpacking: each member at most `limits.max_bytes` however large its header says it is."""

    def __init__(self, path: str, limits: ReadLimits):
        self.where, self.limits = path, limits
        size = os.path.getsize(path) if os.path.isfile(path) else None
        if size is None:
            raise SourceError([Problem(path, None, "file", "not a regular file; expected a ZIP file")])
        if size > limits.max_bytes:
            raise too_large(path, limits)
        try:
            self.zip = zipfile.ZipFile(path)
        except _ZIP_ERRORS as exc:
            raise SourceError([Problem(path, None, "file", f"not a readable ZIP file ({clip(str(exc))})")]) from None
        names = self.zip.namelist()
        csvs = [n for n in names if n == "posts.csv" or (n.endswith("/posts.csv") and n.count("/") == 1)]
        self.prefix = csvs[0][: -len("posts.csv")] if csvs else ""
        self.unpacked = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def name(self, member: str) -> str:
        return f"{self.where}/{self.prefix}{member}"

    def text(self, member: str) -> str | None:
        """A member's text, None when the ZIP lacks it."""
        try:
            info = self.zip.getinfo(self.prefix + member)
        except KeyError:
            return None
        where = self.name(member)
        if info.file_size > self.limits.max_bytes:
            raise too_large(where, self.limits)
        try:
            with self.zip.open(info) as fh:
                data = fh.read(self.limits.max_bytes + 1)
        except _ZIP_ERRORS as exc:
            raise SourceError([Problem(where, None, "file", f"cannot be read from the ZIP ({clip(str(exc))})")]) from None
        if len(data) > self.limits.max_bytes:
            raise too_large(where, self.limits)
        self.unpacked += len(data)
        if self.unpacked > UNPACKED_LIMIT * self.limits.max_bytes:
            raise UnpackedTooMuch([Problem(self.where, None, "file", f"unpacks to more than {UNPACKED_LIMIT} times "
                                           "the limit for one source; unpack it and give the folder")])
        return decode_text(data, where)


def without_widgets(html: str) -> str:
    """The HTML without the elements carrying a Substack widget's class (_WIDGETS), in linear time.

    Each widget is found by its class text (str.find), its tag by the '<' before it, and its end
    by counting that tag's openings and closings after it; one never closed runs to the end.
    """
    out, i = [], 0
    upcoming = {marker: html.find(marker) for marker in _WIDGETS}  # each marker's next place
    while True:
        for marker, found in upcoming.items():
            if 0 <= found < i:
                upcoming[marker] = html.find(marker, i)
        at = min((found for found in upcoming.values() if found >= 0), default=-1)
        if at < 0:
            out.append(html[i:])
            return "".join(out)
        start = html.rfind("<", i, at)
        name = _TAG_NAME.match(html, start + 1) if start >= 0 else None
        if name is None:  # the class text outside a tag: keep it, look further on
            out.append(html[i : at + 1])
            i = at + 1
            continue
        out.append(html[i:start])
        i = _element_end(html, start, name.group().lower())


def _element_end(html: str, start: int, name: str) -> int:
    """Where the element opening at `start` (a `name` tag) ends, counting nested ones."""
    depth, pattern = 0, re.compile(rf"<(/?){name}\b", re.IGNORECASE)
    for tag in pattern.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            close = html.find(">", tag.end())
            return len(html) if close < 0 else close + 1
    return len(html)
