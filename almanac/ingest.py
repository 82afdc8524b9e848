"""Ingest: read sources, assign ids, replace each source's entries in the store.

Reading happens before writing, and each source is written in one
transaction, so a source with a problem is reported and left exactly as the
store already held it, while the other sources still go in.
"""

from __future__ import annotations

import heapq
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable

from almanac.entry import Entry, assign_ids, id_candidates, legacy_candidates, settle_show_media
from almanac.sources import (Problem, ReadLimits, SourceError, expand_sources, overlapping, read_source,
                             unnamed_and_missing, vanished)
from almanac.sources.problems import split_location
from almanac.sources.feed import is_url
from almanac.sources.reading import DEFAULT_LIMITS, clip
from almanac.sources.text import path_text
from almanac.store import IdConflict, SourceChange, Store
from almanac.store.database import is_database_error, reason_of


@dataclass
class IngestReport:
    """What an ingest did: per-source changes, problems, and embeddings computed."""

    changes: list[SourceChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    embedded: int = 0
    #: Why embedding stopped when the database failed under it (a full disk): what was read is stored.
    embed_error: str | None = None

    def total(self, name: str) -> int:
        return sum(len(getattr(c, name)) for c in self.changes)

    @property
    def touched(self) -> bool:
        return any(c.touched for c in self.changes)

    def summary(self) -> str:
        parts = [f"{self.total(n)} {n}" for n in ("added", "changed", "removed", "unchanged")]
        line = f"{', '.join(parts)} from {len(self.changes)} source(s)"
        if self.embedded:
            line += f"; embedded {self.embedded}"
        if self.embed_error:
            line += f"; embedding stopped ({self.embed_error}): the next ingest embeds what is missing"
        if self.problems:
            line += f"; {len(self.problems)} problem(s)"
        return line

    def to_json(self) -> dict:
        return {
            "sources": [
                {"source": c.source, "added": c.added, "changed": c.changed, "removed": c.removed,
                 "unchanged": len(c.unchanged)}
                for c in self.changes
            ],
            "embedded": self.embedded,
            "embed_error": self.embed_error,
            "problems": [str(p) for p in self.problems],
        }


def _display_path(path: str) -> str:
    """A path as a user would type it from here: relative when under the cwd."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def read_one(
    spec: str, limits: ReadLimits = DEFAULT_LIMITS, read: Callable[[str, ReadLimits], list[Entry]] = read_source
) -> list[Entry]:
    """One source's entries, or SourceError, whatever went wrong inside its reader.

    The readers report every problem they know of as SourceError; anything
    else escaping one (a bug, a parser failing in a way not foreseen) is the
    last resort here, so one source can never stop the others. Only
    Exception is caught: Ctrl-C and SystemExit still stop the process.
    """
    try:
        return read(spec, limits)
    except SourceError:
        raise
    except Exception as exc:
        detail = f": {clip(str(exc))}" if str(exc) else ""
        raise SourceError([Problem(spec, None, "source", f"could not be read ({type(exc).__name__}{detail})")]) from exc


def read_sources(
    specs: list[str],
    base_dir: str,
    held: Callable[[list[str]], dict[str, tuple[str, str]]] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    read: Callable[[str, ReadLimits], list[Entry]] = read_source,
    gone: list[str] = (),
    also_named: list[str] = (),
    holdings: Callable[[list[str]], dict[str, tuple[str, str]]] | None = None,
    stored: Callable[[list[str]], list[Entry]] | None = None,
) -> tuple[dict[str, list[Entry]], list[Problem]]:
    """Read every source; return entries per source key (ids assigned) and the problems.

    `held(ids)` tells which of the candidate ids the store already holds, and
    for which kind in which source, so ids once given are kept (see `assign_ids`). A source
    in which two entries end up with one id is reported and left out whole.
    `limits` bounds every read (size per source, total time per URL); `read`
    is the reader of one source (`read_source` unless a test passes another).
    `gone` are stored sources whose file is gone (`almanac.sources.vanished`): read as empty, so
    their entries leave and their ids are free for the file they were renamed to.
    `also_named` are stored sources naming the same files as one read now (`almanac.sources.overlapping`):
    their ids are free for it too, but what they hold of other files stays. `holdings(keys)`: every id
    the sources read hold now, so a numbered one ("-talk-2") is kept too (`assign_ids`). `stored(ids)`:
    the stored entries of those ids, so an entry whose title or date was corrected keeps its id, and
    one that fell out of a web feed's window stays (`settle_left`).
    """
    keys, problems = expand_sources(specs, base_dir)
    by_key: dict[str, list[Entry]] = {key: [] for key in gone}
    for key in sorted(keys):
        location = key if is_url(key) or os.path.isabs(key) else os.path.join(base_dir, key)
        try:
            # A note in a folder may have a name that is not UTF-8: its entry says where it is
            # from in text the store can hold (the folder is the key, and is found again by it).
            by_key[key] = [e if path_text(e.source) == e.source else replace(e, source=path_text(e.source))
                           for e in read_one(location if is_url(key) else _display_path(location), limits, read)]
        except SourceError as exc:
            problems.extend(exc.problems)
    # Ids are assigned over all sources together, in a fixed order (sorted keys),
    # so they do not depend on the order sources are listed in.
    flat = [(key, e) for key in sorted(by_key) for e in by_key[key]]
    # A show whose wording gives no medium takes the one the archive's other shows share.
    flat = list(zip([key for key, _ in flat], settle_show_media([e for _, e in flat])))
    candidates = sorted({c for _, e in flat if not e.explicit_id for c in id_candidates(e)}
                        | {c for former in legacy_candidates([e for _, e in flat]) for c in former})
    holders = held(candidates) if held and candidates else {}
    if holdings is not None and by_key:
        holders = {**holdings(sorted(by_key)), **holders}  # numbered ids too ("-talk-2"), kept once given
    with_ids = assign_ids([e for _, e in flat], holders or None,
                          sources=[key for key, _ in flat], reading=set(by_key) | set(also_named))
    assigned: dict[str, list[Entry]] = {key: [] for key in by_key}
    for (key, _), entry in zip(flat, with_ids):
        assigned[key].append(entry)
    if stored is not None and holders:
        settle_left(assigned, holders, stored)
    first: dict[str, Entry] = {}
    for key in sorted(assigned):
        duplicates = []
        for entry in assigned[key]:
            if entry.id in first:
                duplicates.append(Problem(*split_location(entry.source), "id", f"'{entry.id}' is also the id of the entry at "
                                          f"{first[entry.id].source}; ids must be unique"))
            else:
                first[entry.id] = entry
        if duplicates:
            problems.extend(duplicates)
            del assigned[key]
    return assigned, problems


def settle_left(assigned: dict[str, list[Entry]], held: dict[str, tuple[str, str]],
                stored: Callable[[list[str]], list[Entry]]) -> None:
    """Decide, in place in `assigned`, what became of the stored entries a source no longer gives.

    Most have left the source and go. Two kinds have not:

    - An entry whose title or date was corrected. A derived id is made of the title and the date,
      so fixing a typo in either made a new id: the entry was removed and added, announced again
      as new, its page's address (and every feed's item id, the calendar's UID) changed, and
      readers showed it twice with the old link dead. An entry with a new id, in a source that no
      longer gives one of its ids, is that entry corrected when exactly one of them has the same
      summary (the title or date changed) or, in a local file, the same title (then the date and
      summary changed): it keeps that id and is "changed". Entries with an id of their own are
      left alone (the source says who they are), and so is any pair that is not one to one.
    - An entry that fell out of a web feed's window. A feed served over HTTP lists its newest
      items only (a blog's last ten posts, a podcast's last fifty episodes), so every new item
      pushed the oldest out of the store: the archive never grew past the window. An entry older
      than every item the feed lists now stays (unchanged); one that left from among them was
      taken down by its publisher, and goes. `almanac forget URL` removes them all.
    """
    given = {e.id for entries in assigned.values() for e in entries}
    orphans: dict[str, list[str]] = {}
    for ident, (_, key) in held.items():
        if ident not in given and key in assigned:
            orphans.setdefault(key, []).append(ident)
    fresh = {key: [i for i, e in enumerate(assigned[key]) if not e.explicit_id and e.id not in held]
             for key in orphans}
    wanted = [i for key in orphans if fresh[key] or is_url(key) for i in orphans[key]]
    if not wanted:
        return
    former = {e.id: e for e in stored(wanted)}
    for key, indexes in fresh.items():
        olds = [former[i] for i in orphans[key] if i in former]
        # Looked up by summary and by title, not compared pair by pair: retitling 40,000 entries of
        # a 100,000-entry file took 4 min that way (the scale review).
        by_summary: dict[str, list[Entry]] = {}
        by_title: dict[str, list[Entry]] = {}
        for old in olds:
            if old.summary:
                by_summary.setdefault(old.summary, []).append(old)
            by_title.setdefault(old.title, []).append(old)
        pairs = {}
        for i in indexes:
            new = assigned[key][i]
            # In a feed, a new item with an old one's title is as likely the next in a series.
            same = {old.id for old in by_summary.get(new.summary, ()) if not is_url(key) or old.date == new.date}
            if not is_url(key):
                same |= {old.id for old in by_title.get(new.title, ())}
            if len(same) == 1:
                pairs[i] = same.pop()
        taken = Counter(pairs.values())
        for i, ident in pairs.items():
            if taken[ident] == 1:
                assigned[key][i] = assigned[key][i].with_id(ident)
        if is_url(key):
            oldest = min((e.date.sort_key() for e in assigned[key]), default=None)
            kept = set(pairs.values())
            assigned[key] += [old for old in olds if old.id not in kept
                              and (oldest is None or old.date.sort_key() < oldest)]


def moves_between(by_key: dict[str, list[Entry]],
                  held: Callable[[list[str]], dict[str, tuple[str, str]]]) -> dict[str, set[str]]:
    """For each source read, the other sources read now that one of its entries moved from: an id
    of its own derivation (title and date), of the same kind, held there. Such a source no longer
    gives that id (a run giving one id twice is refused), so the entry moves. An explicit id held
    by another entry is a conflict, never a move: the entry holding it is another one."""
    ids = sorted({e.id for entries in by_key.values() for e in entries if not e.explicit_id})
    holders = held(ids) if ids else {}
    # (its few holders & the keys) - {k}: "& by_key.keys() - {k}" copied every key once per source
    # (set difference binds first), 28 of the 57 s of ingesting a glob of 40,000 notes.
    return {k: ({holders[e.id][1] for e in entries if not e.explicit_id and holders.get(e.id, ("", ""))[0] == e.kind}
                & by_key.keys()) - {k} for k, entries in by_key.items()}


def write_order(keys: list[str], takes: dict[str, set[str]]) -> list[str]:
    """The order to write the sources read (`keys`, in the order by default): one taking an
    entry from another (`takes`, `moves_between`) first. Written the other way, the file the entry
    left removed it and the file it joined added it anew, announced again and embedded again."""
    waiting = {k: 0 for k in keys}  # how many sources still to write take from k
    for k in keys:
        for j in takes[k]:
            waiting[j] += 1
    if not any(waiting.values()):
        return keys
    position = {k: i for i, k in enumerate(keys)}
    ready = [position[k] for k in keys if not waiting[k]]
    heapq.heapify(ready)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(keys):
        # in a cycle (two files that swapped entries) none is ready: the first left, by key
        k = keys[heapq.heappop(ready)] if ready else next(k for k in keys if k not in done)
        if k in done:
            continue
        order.append(k)
        done.add(k)
        for j in takes[k]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, position[j])
    return order


def ingest(
    store: Store,
    specs: list[str],
    base_dir: str,
    embed: Callable[[Store], int] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> IngestReport:
    """Read `specs` and bring the store in line with them; then embed what is new.

    `embed` is called once after writing (e.g. `Embedder.embed_missing`), so
    unchanged entries are never embedded again. `limits` bounds every read
    (`ReadLimits`: 50 MB a source and 60 s a feed URL unless given).
    """
    report = IngestReport()
    retry: set[str] | None = None
    conflicts: list[Problem] = []
    for _ in range(2):
        # Ids are given from what the store holds when the sources are read; another ingest
        # writing in between (a cron job beside `almanac run`'s refresh) may take an id given
        # here to a look-alike of its own (a talk and a paper of one title and month). Such a
        # source is read again once, with the ids then held; an explicit id taken twice is not
        # a race, and stays a problem.
        stored = store.source_keys()
        gone = vanished(specs, base_dir, stored)
        keys = expand_sources(specs, base_dir)[0]
        also_named = overlapping(keys, base_dir, stored)
        taken = set(gone) | set(also_named)
        also_named += [k for k in unnamed_and_missing(keys, base_dir, stored) if k not in taken]
        by_key, problems = read_sources(specs, base_dir, held=store.holders_of, limits=limits, gone=gone,
                                        also_named=also_named, holdings=store.holdings, stored=store.get_many)
        # Sources read now first, taking over the entries of a file renamed or read under another
        # name (moved, not removed and added: not announced again, not embedded again); then what
        # is left of the vanished ones goes. An entry moved from one file read now to another moves too.
        released = set(gone) | set(also_named)
        takes = moves_between(by_key, store.holders_of)
        raced: set[str] = set()
        for key in write_order(sorted(by_key, key=lambda k: (k in gone, k)), takes):
            if retry is not None and key not in retry:
                continue
            try:
                change = store.replace_source(key, by_key[key], adopt=(released | takes[key]) - {key})
                if change.touched or key not in gone:  # a renamed file's former name had all it held moved
                    report.changes.append(change)
            except IdConflict as exc:
                derived = {e.id for e in by_key[key] if not e.explicit_id}
                # An explicit id held by an entry of a source read now, which gives that entry
                # another id in this run (the id is now its): written after it, it is free.
                holders = store.holders_of(list(exc.ids))
                freed = all(holders.get(i, ("", key))[1] in by_key.keys() - {key} for i in exc.ids)
                if retry is None and (derived & set(exc.ids) or freed):
                    raced.add(key)
                else:
                    conflicts.extend(exc.problems)
        if not raced:
            break
        retry = raced
    report.problems = problems + conflicts
    if embed is not None:
        try:
            report.embedded = embed(store)
        except Exception as exc:
            # The entries are stored (each source in its own transaction): say what was read and
            # why embedding stopped, not only the error (the disk-full review: 300 entries stored,
            # none of them named).
            if not is_database_error(exc):
                raise
            report.embed_error = reason_of(exc)
    return report
