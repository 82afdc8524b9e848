"""A directory (or a single file) of Markdown notes with YAML front matter.

    ---
    title: Jitsu: Just-In-Time Summoning of Unikernels
    date: 2015-05
    kind: paper
    tags: [nsdi, jitsu]
    url: https://www.usenix.org/conference/nsdi15
    ---
    The body is the summary (its Markdown reduced to plain sentences).

Dates may be YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY' (or a date and time); a note
without one takes the date its file name starts with ("2019-05-02-hello.md", as
Jekyll names posts). Hugo's TOML front matter, between `+++` lines, is read
too, and so are Pelican's metadata lines ("Title: …", "Date: …" up to a blank line, no fences). Other names for the fields, and the fields of site generators, are read
as `almanac.sources.fields` says. The YAML front matter is
split off here, line by line, and loaded by a YAML loader that refuses anchors
and aliases: a few hundred bytes of nested aliases (a "billion laughs")
otherwise expand to gigabytes the moment a field is read.
"""

from __future__ import annotations

import os
import re

import yaml

from almanac.entry import Entry
from almanac.sources.fields import ALIASES, entry_from_fields
from almanac.sources.markdown_text import markdown_to_text
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, clip, read_text, value_error_message


# PyYAML's pure-Python loader (needed to refuse aliases) reads about 100 KB a
# second of dense YAML; titles, dates and tags need far less than this.
MAX_FRONT_MATTER = 64 * 1024


class FrontMatterLoader(yaml.SafeLoader):
    """yaml.SafeLoader without anchors and aliases, and with bad dates left as text.

    Refusing aliases keeps a document's size its loaded size. A date YAML
    cannot build (`2015-02-30`) stays a string, so the date check reports it
    like any other bad date instead of failing inside the loader.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_timestamp_or_text(self, node):
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_number_or_text(self, node):
        """Numbers, except YAML 1.1's base-60 ones (`1:20:30`): those stay text.

        A long base-60 number costs time quadratic in its length to build.
        """
        if ":" in self.construct_scalar(node):
            return self.construct_scalar(node)
        if node.tag.endswith(":int"):
            return self.construct_yaml_int(node)
        return self.construct_yaml_float(node)


for _tag, _construct in (
    ("timestamp", FrontMatterLoader.construct_timestamp_or_text),
    ("int", FrontMatterLoader.construct_number_or_text),
    ("float", FrontMatterLoader.construct_number_or_text),
):
    FrontMatterLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _construct)


#: A date that starts a note's file name ("2019-05-02-hello.md", Jekyll's posts): its date
#: when the front matter gives none.
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})[-_ ]")


#: Folders of a Jekyll or Hugo site that hold no published entries: unpublished drafts, the
#: built site, page templates and snippets, installed packages. Skipped when a whole site (or any
#: folder holding one) is read; named directly, they are read like any other.
SITE_FOLDERS = frozenset({"_drafts", "_site", "_layouts", "_includes", "_sass", "node_modules"})
#: Hugo's list pages (a section's own text, `content/posts/_index.md`): never an entry.
LIST_PAGES = frozenset({"_index.md", "_index.markdown"})
#: A folder's own notes about itself; without front matter it is not an entry.
_README = re.compile(r"(?i)(readme|changelog|contributing|license)\.(md|markdown)$")


def markdown_files(path: str) -> list[str]:
    """The .md files a path names: itself, or those under a directory, sorted (without hidden
    folders and files, SITE_FOLDERS and LIST_PAGES). Hidden files are editors' and systems'
    (Emacs's lock `.#note.md`, a dangling link while the note is open; macOS's `._note.md`, not
    text): each refused the whole folder, so an open note stopped every refresh of it."""
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SITE_FOLDERS)
            found.extend(os.path.join(root, f) for f in sorted(files)
                         if f.endswith((".md", ".markdown")) and f not in LIST_PAGES and not f.startswith("."))
        return found
    return [path]


def read_markdown(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """Read one Markdown file or every one under a directory (each at most `limits.max_bytes`).

    In a directory, a README (or CHANGELOG, CONTRIBUTING, LICENSE) without front matter is
    the folder's description and is skipped; every other note must be an entry.
    """
    problems: list[Problem] = []
    entries: list[Entry] = []
    walking = os.path.isdir(path)
    files = markdown_files(path)
    if not files:
        raise SourceError([Problem(path, None, "file", "no .md files in this directory")])
    first_seen: dict[tuple, str] = {}
    for file in files:
        try:
            readme = walking and bool(_README.match(os.path.basename(file)))
            entry = _read_one(file, limits, skip_without_front_matter=readme)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if entry is None:  # a draft, or a folder's README
            continue
        key = (entry.title, entry.date, entry.kind, entry.summary)
        if key in first_seen:
            problems.append(Problem(file, 1, "entry", f"repeats {first_seen[key]} word for word; delete one"))
            continue
        first_seen[key] = file
        entries.append(entry)
    if problems:
        raise SourceError(problems)
    return entries


def _boundary(line: str) -> str | None:
    """The language of a front matter delimiter: a line of three or more dashes (YAML) or of
    exactly three pluses (TOML, as Hugo writes it); else None."""
    line = line.rstrip()
    if len(line) >= 3 and not line.strip("-"):
        return "yaml"
    return "toml" if line == "+++" else None


def has_front_matter(text: str) -> bool:
    """Whether the text's first non-blank line opens a front matter block (or Pelican's metadata)."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return _boundary(first) is not None or metadata_lines(text) is not None


#: A line of metadata as Pelican (and Python-Markdown's meta extension, MultiMarkdown) writes it at
#: the top of a note, with no fences: "Title: My super title", "Date: 2010-12-03 10:20".
_META_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_-]{0,40}):[ \t]*(.*)")


def metadata_lines(text: str) -> tuple[dict, dict[str, int], str] | None:
    """(fields, the line of each field, body) of a note opening with Pelican's metadata lines (up to
    the first blank line; an indented line continues the field before), or None when it does not
    open with a block naming at least a title and a date. Read as text, each value a string:
    Pelican's "Tags: a, b" is a comma-separated list, as a string tag field is here."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    fields: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    last = None
    i = start
    for i in range(start, len(lines)):
        line = lines[i]
        if not line.strip():
            break
        if last is not None and line[:1] in (" ", "\t"):
            fields[last] = f"{fields[last]} {line.strip()}".strip()
            continue
        match = _META_LINE.fullmatch(line.rstrip())
        if match is None:
            return None
        last = match.group(1)
        fields.setdefault(last, match.group(2).strip())
        key_lines.setdefault(last, i + 1)
    else:
        i = len(lines)
    names = {key.lower() for key in fields}
    if "title" not in names or not names & {"date", *ALIASES["date"]}:
        return None
    return fields, key_lines, "\n".join(lines[i + 1:])


def split_front_matter(path: str, text: str) -> tuple[str, int, str, str]:
    """(front matter text, the file line it starts on, body, "yaml" or "toml") of a note;
    SourceError without a block."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())  # read_text refused blank files
    language = _boundary(lines[first])
    if language is None:
        raise SourceError([Problem(path, first + 1, "front matter", "missing: start the file with a '---' block holding title and date")])
    end = next((i for i in range(first + 1, len(lines)) if _boundary(lines[i]) == language), None)
    if end is None:
        closing = "'---'" if language == "yaml" else "'+++'"
        raise SourceError([Problem(path, first + 1, "front matter", f"not closed: end the block with a {closing} line")])
    return "\n".join(lines[first + 1 : end]) + "\n", first + 2, "\n".join(lines[end + 1 :]), language


def _check_length(path: str, text: str, line: int) -> None:
    """Refuse a front matter block longer than MAX_FRONT_MATTER (starting at file line `line`)."""
    if len(text) > MAX_FRONT_MATTER:
        raise SourceError([Problem(path, line, "front matter", f"longer than {MAX_FRONT_MATTER // 1024} KB; "
                                   "put long text in the body")])


#: A TOML line setting a top-level key: `title = ...`, `"title" = ...`, `params.x = ...` (before any table).
_TOML_KEY = re.compile(r"""[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z0-9_-]+))[ \t]*[.=]""")


def _toml_key_lines(text: str, line: int) -> dict[str, int]:
    """The file line of each top-level key of a `+++` block starting at file line `line` (tomllib
    gives values only). Keys after the first `[table]` belong to the table, and are not read."""
    lines: dict[str, int] = {}
    for number, row in enumerate(text.split("\n"), start=line):
        if row.lstrip().startswith("["):
            break
        if match := _TOML_KEY.match(row):
            lines.setdefault(next(g for g in match.groups() if g is not None), number)
    return lines


def load_toml_front_matter(path: str, text: str, line: int) -> tuple[dict, dict[str, int]]:
    """The TOML of a `+++` block (Hugo's other front matter) and the line of each top-level key,
    or SourceError naming its line."""
    import tomllib

    _check_length(path, text, line)
    try:
        return tomllib.loads(text), _toml_key_lines(text, line)
    except tomllib.TOMLDecodeError as exc:
        # "Invalid value (at line 2, column 9)": the line within the block.
        where = re.search(r"at line (\d+)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        at = line + int(where.group(1)) - 1 if where else line
        raise SourceError([Problem(path, at, "front matter", f"TOML error: {clip(reason, 120)}")]) from None
    except (RecursionError, ValueError) as exc:
        raise SourceError([Problem(path, line, "front matter", value_error_message(exc) if isinstance(exc, ValueError)
                                   else "nested too deeply")]) from None


def load_front_matter(path: str, text: str, line: int) -> tuple[object, dict[str, int]]:
    """The YAML of a front matter block (starting at file line `line`) and the file line of each
    top-level key (from the nodes YAML composes, so a problem with a field names its line), or
    SourceError."""
    _check_length(path, text, line)
    loader = None
    try:
        loader = FrontMatterLoader(text)  # its reader refuses a NUL or an ESC here, before any node
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        # Counted in newlines up to where YAML stopped, not by YAML's own line count: YAML breaks
        # lines at U+2028, U+2029 and U+0085 too (editors do not), and a character it cannot read
        # (a NUL, an ESC) has no mark, only a position (it was reported on the block's first line).
        mark = getattr(exc, "problem_mark", None)
        offset = mark.index if mark is not None else getattr(exc, "position", None)
        where = line + text.count("\n", 0, offset) if offset is not None else line
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError([Problem(path, where, "front matter", f"YAML error: {clip(reason, 120)}")]) from None
    except RecursionError:
        raise SourceError([Problem(path, line, "front matter", "nested too deeply")]) from None
    except ValueError as exc:  # e.g. an integer too long to convert
        raise SourceError([Problem(path, line, "front matter", value_error_message(exc))]) from None
    finally:
        if loader is not None:
            loader.dispose()
    keys: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:  # lines counted in newlines, as for errors above
            if isinstance(key, yaml.ScalarNode):
                keys.setdefault(key.value, line + text.count("\n", 0, key.start_mark.index))
    return data, keys


def jekyll_word_lists(metadata: dict) -> dict:
    """Front matter with `tags` or `categories` written as words separated by spaces, as Jekyll reads
    them ("tags: jekyll ruby" is two tags): as lists. With a comma the string is a list of its own
    (`almanac.sources.fields`), and a list stays as it is."""
    return {key: value.split() if isinstance(key, str) and key.lower() in ("tags", "categories")
            and isinstance(value, str) and "," not in value else value for key, value in metadata.items()}


#: A Markdown level-one heading (ATX), the title of a note that keeps it in its text.
_H1 = re.compile(r"^ {0,3}# +(.+?)(?: +#+)? *$", re.MULTILINE)


def untitled_note_title(path: str, body: str) -> str:
    """The title of a note whose front matter has none: its first level-one heading, else its file
    name. Obsidian (and Foam, Logseq) keep a note's title there, never in front matter, so every
    note of a vault was refused "title: missing". A slug of a name ("my-first-talk") reads as words."""
    if heading := _H1.search(body):
        return heading.group(1).strip()
    stem = os.path.splitext(os.path.basename(path))[0].strip()
    return stem if " " in stem else re.sub(r"[-_]+", " ", stem).strip()


def _read_one(path: str, limits: ReadLimits, skip_without_front_matter: bool = False) -> Entry | None:
    """The note's entry; None for a draft (`draft: true`, `published: false`), and for a note
    without front matter when `skip_without_front_matter`."""
    text = read_text(path, limits)
    if skip_without_front_matter and not has_front_matter(text):
        return None
    if (pelican := metadata_lines(text)) is not None:
        metadata, key_lines, body = pelican
    else:
        fm, line, body, language = split_front_matter(path, text)
        load = load_front_matter if language == "yaml" else load_toml_front_matter
        metadata, key_lines = load(path, fm, line)
    if not isinstance(metadata, dict) or not metadata:
        raise SourceError([Problem(path, 1, "front matter", "must be a mapping with at least title and date")])
    if (dated := _FILE_DATE.match(os.path.basename(path))) and not any(
            isinstance(key, str) and key.lower() in ("date", *ALIASES["date"]) for key in metadata):
        metadata = {**metadata, "date": dated.group(1)}  # a Jekyll post: 2019-05-02-title.md
    # the title as entry_from_fields reads it: its field's name in any case ("Title:")
    title = next((v for k, v in metadata.items() if isinstance(k, str) and k.lower() == "title"), None)
    if title is None and (title := untitled_note_title(path, body)):
        metadata = {**metadata, "title": title}
    metadata = jekyll_word_lists(metadata)
    summary = markdown_to_text(body, title if isinstance(title, str) else "")
    entry, problems = entry_from_fields(metadata, path, 1, summary=summary, key_lines=key_lines)
    if problems:
        raise SourceError(problems)
    if entry is None:
        return None
    if not entry.summary:
        raise SourceError([Problem(path, 1, "summary", "missing: write the summary below the front matter")])
    return entry
