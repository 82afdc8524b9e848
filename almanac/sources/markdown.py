"""A directory (or a single file) of Markdown notes with YAML front matter.

    ---
    title: Jitsu: Just-In-Time Summoning of Unikernels
    date: 2015-05
    kind: paper
    tags: [nsdi, jitsu]
    url: https://www.usenix.org/conference/nsdi15
    ---
    The body is the summary.

Dates may be YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY'. python-frontmatter does
the splitting; we only validate and report problems by file and line.
"""

from __future__ import annotations

import os

import frontmatter
import yaml

from almanac.entry import Entry
from almanac.sources.fields import entry_from_fields
from almanac.sources.problems import Problem, SourceError, read_text


def markdown_files(path: str) -> list[str]:
    """The .md files a path names: itself, or those under a directory, sorted."""
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith((".md", ".markdown")))
        return found
    return [path]


def read_markdown(path: str) -> list[Entry]:
    """Read one Markdown file or every one under a directory."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    files = markdown_files(path)
    if not files:
        raise SourceError([Problem(path, None, "file", "no .md files in this directory")])
    first_seen: dict[tuple, str] = {}
    for file in files:
        try:
            entry = _read_one(file)
        except SourceError as exc:
            problems.extend(exc.problems)
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


def _read_one(path: str) -> Entry:
    text = read_text(path)
    if not text.lstrip().startswith("---"):
        raise SourceError([Problem(path, 1, "front matter", "missing: start the file with a '---' block holding title and date")])
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # The YAML starts on the line after the opening '---'.
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError([Problem(path, line, "front matter", f"YAML error: {reason}")]) from None
    if not isinstance(post.metadata, dict) or not post.metadata:
        raise SourceError([Problem(path, 1, "front matter", "must be a mapping with at least title and date")])
    entry, problems = entry_from_fields(dict(post.metadata), path, 1, summary=post.content)
    if problems:
        raise SourceError(problems)
    if not entry.summary:
        raise SourceError([Problem(path, 1, "summary", "missing: write the summary below the front matter")])
    return entry
