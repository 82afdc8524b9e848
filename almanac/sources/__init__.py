"""Readers for every archive format, and the choice of reader for a source.

A *source* is one path or URL from `[archive] sources` or the command line
(globs are expanded first). Each reader returns `Entry` objects whose `source`
says where they came from (`file:line`, or the URL); ids are assigned after
all sources are read (`almanac.entry.assign_ids`).

Every reader takes the source and a `ReadLimits` (size per file or body,
total time per URL) and raises only SourceError: a source it cannot read
completely is refused whole, never read as a shorter one.
"""

from __future__ import annotations

import bisect
import fnmatch
import glob
import os
from typing import Callable

from almanac.entry import Entry
from almanac.sources.bibtex import read_bibtex
from almanac.sources.csv_table import read_csv_table
from almanac.sources.feed import is_url, read_feed
from almanac.sources.json_list import read_json_list
from almanac.sources.markdown import read_markdown
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits
from almanac.sources.seed_text import read_seed_text
from almanac.sources.substack import is_substack_export, read_substack
from almanac.sources.text import path_text

__all__ = ["Problem", "ReadLimits", "SourceError", "expand_sources", "read_source", "reader_for", "unnamed_and_missing",
           "vanished"]

Reader = Callable[[str, ReadLimits], list[Entry]]


def reader_for(spec: str) -> Reader:
    """Pick the reader by what the source is: URL, directory or file extension."""
    if is_url(spec):
        return read_feed
    if os.path.isdir(spec):
        return read_substack if is_substack_export(spec) else read_markdown
    ext = os.path.splitext(spec)[1].lower()
    if ext in (".md", ".markdown"):
        return read_markdown
    if ext == ".json":
        return read_json_list
    if ext in (".csv", ".tsv"):
        return read_csv_table
    if ext == ".bib":
        return read_bibtex
    if ext == ".zip":
        return read_substack
    if ext in (".xml", ".rss", ".atom"):
        return read_feed
    return read_seed_text


def read_source(spec: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """All entries of one source (ids not yet assigned), read within `limits`; raises SourceError."""
    if not is_url(spec) and not os.path.lexists(spec):
        raise SourceError([Problem(spec, None, "file", "no such file or directory")])
    return reader_for(spec)(spec, limits)


def expand_sources(specs: list[str], base_dir: str) -> tuple[list[str], list[Problem]]:
    """Resolve paths and globs (relative to `base_dir`) to source keys.

    A key is the path relative to `base_dir` when it lies beneath it, so the
    store recognises the same source wherever the archive is checked out.
    """
    keys: list[str] = []
    problems: list[Problem] = []
    for spec in specs:
        if is_url(spec):
            if len(spec.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
                problems.append(_too_long(spec))
                continue
            keys.append(spec)
            continue
        path = spec if os.path.isabs(spec) else os.path.join(base_dir, spec)
        # A file named with brackets ("talks [2015].json") is itself, not a pattern that misses it.
        matches = sorted(glob.glob(path)) if glob.has_magic(path) and not os.path.lexists(path) else [path]
        if not matches:
            problems.append(Problem(spec, None, "sources", "no files match this pattern"))
        for match in matches:
            rel = os.path.relpath(match, base_dir)
            # outside base_dir, the path itself, without its ".." ("app/../data/x.txt" and
            # "data/x.txt" named one file twice, so its entries were stored twice)
            key = os.path.normpath(match) if rel.startswith("..") else rel
            if path_text(key) != key:  # a key is where the file is found again: it must be the name itself
                problems.append(Problem(path_text(key), None, "file", "its name is not valid UTF-8; rename it"))
                continue
            if len(key.encode("utf-8")) > MAX_KEY_BYTES:
                problems.append(_too_long(key))
                continue
            keys.append(key)
    return covered_once(list(dict.fromkeys(keys)), base_dir), problems


#: Longest source name (path or URL, in UTF-8 bytes) stored: PostgreSQL's index on it takes rows of
#: at most 2,704 bytes, and a longer one (a signed private feed's URL, a path 3,500 characters deep)
#: failed that ingest with a database error, stopping the sources after it, where SQLite took it.
#: The same limit on both, so an archive moves between them whole.
MAX_KEY_BYTES = 2000


def _too_long(key: str) -> Problem:
    size = len(key.encode("utf-8", "surrogatepass"))
    return Problem(key[:200] + "…", None, "source",
                   f"its name is {size:,} bytes long, over the {MAX_KEY_BYTES:,} the store takes; use a shorter "
                   "path or URL (a link to the file, a feed URL without its long parameters)")


def covered_once(keys: list[str], base_dir: str) -> list[str]:
    """`keys` without those naming a file another of them names: the same file through a link
    ("mine.txt" -> data/entries.txt), or a file inside a folder read too (`sources = ["notes/",
    "notes/talks/*.md"]`). Each would be a source of its own and store every entry twice, the copy
    under an id ending in its kind; the first named, or the folder, is read."""
    real = {key: os.path.realpath(local_path(key, base_dir)) for key in keys if not is_url(key)}
    folders = [path for path in real.values() if os.path.isdir(path)]
    out, seen = [], set()
    for key in keys:
        path = real.get(key)
        if path is not None and (path in seen or any(inside(path, folder) for folder in folders)):
            continue
        seen.add(path)
        out.append(key)
    return out


def overlapping(keys: list[str], base_dir: str, stored: list[str]) -> list[str]:
    """The stored source keys, other than `keys`, that name files one of `keys` names too: a
    folder holding a file read now, a file inside a folder read now (`sources = ["notes/*.md"]`
    and then `almanac ingest notes/`), or the same file written another way (a key stored with
    its ".." before sources outside the config's folder were normalised). Their entries are the
    same entries, read under another name: they move to the key read now instead of being
    stored twice."""
    # Looked up, not compared pair by pair: a glob of 100,000 notes is 100,000 keys, and each
    # stored key against each read one took 2 of the 2 min 22 s of re-ingesting 10,000 of them
    # beside the rest (the scale review).
    reading = sorted({os.path.realpath(local_path(k, base_dir)) for k in keys if not is_url(k)})
    read_now, named = set(reading), set(keys)
    out = []
    for key in stored:
        if key in named or is_url(key):
            continue
        # Through links too: "mine.txt" linking to data/entries.txt, or the config's folder
        # reached through a link (the working directory is then the link's target).
        here = os.path.realpath(local_path(key, base_dir))
        if here in read_now or _holds_one(reading, here) or any(p in read_now for p in _folders_above(here)):
            out.append(key)
    return out


def _holds_one(paths: list[str], folder: str) -> bool:
    """Whether one of `paths` (sorted) lies under `folder`."""
    prefix = folder.rstrip(os.sep) + os.sep
    i = bisect.bisect_left(paths, prefix)
    return i < len(paths) and paths[i].startswith(prefix)


def _folders_above(path: str):
    """The folders `path` lies under, nearest first."""
    parent = os.path.dirname(path)
    while parent and parent != path:
        yield parent
        path, parent = parent, os.path.dirname(parent)


def unnamed_and_missing(keys: list[str], base_dir: str, stored: list[str]) -> list[str]:
    """The stored local source keys no spec read now names whose file is gone: a file renamed
    together with its line in the config ("data/entries.txt" -> "data/talks.txt"). Its entries
    move to the file read now that gives them the same ids, instead of being stored a second time
    beside them (under ids ending in their kind) for good; what no source read now claims stays,
    since a file no spec names may only be out of reach (a disk not mounted)."""
    named = set(keys)
    return [key for key in stored if key not in named and not is_url(key)
            and not os.path.lexists(local_path(key, base_dir))]


def local_path(key: str, base_dir: str) -> str:
    """The normalised path a source key or a spec names (relative ones are under `base_dir`)."""
    return os.path.normpath(key if os.path.isabs(key) else os.path.join(base_dir, key))


def inside(path: str, folder: str) -> bool:
    """Whether `path` lies under `folder` (both normalised)."""
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def vanished(specs: list[str], base_dir: str, stored: list[str]) -> list[str]:
    """The stored source keys a glob in `specs` covers whose file is gone (deleted, renamed).

    With `sources = ["notes/*.json"]`, deleting notes/old.json means its entries should go, as
    a folder's deleted note's do; nothing else would ever remove them, and a renamed file's
    entries would find their ids held by its former name. A file named on its own and missing
    is a problem instead (perhaps a typo): its entries stay, and so do a pattern's when it matches
    no file at all.
    """
    # A pattern that matches nothing now is a problem (a folder renamed, a disk not mounted), and
    # a source with a problem is left as the store holds it: its files are not taken for deleted.
    patterns = [pattern for spec in specs if not is_url(spec) and glob.has_magic(spec)
                and glob.glob(pattern := local_path(spec, base_dir))]
    out = []
    for key in stored:
        if is_url(key):
            continue
        path = local_path(key, base_dir)
        if not os.path.lexists(path) and any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns):
            out.append(key)
    return out
