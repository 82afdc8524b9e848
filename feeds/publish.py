"""Building and writing the site in one step, skipping the work when nothing changed.

`build_site` is pure and `write_tree` writes only files whose bytes differ,
so a rebuild never rewrites an unchanged file. Rendering 10,000 pages to
find that out still costs about a second, so this step first compares a
fingerprint of everything the site is made from (each entry's id and content
hash, the site settings, the timezone, what the related entries come from,
the on-this-day items, the day of the build, and the builder's own code and
templates) with the
one recorded in the output directory by the last build. If they match and
every recorded file is still there with its recorded size and mtime, there is
nothing to do. Anything else (a changed entry, a deleted or edited output
file, an upgrade) means a full build and compare, as before.

The day is in the fingerprint because the anniversary calendar and the
timeline's milestones cover the coming year from it: the first build of a
new day renders everything again and writes only what the day changed (the
calendar, the index when a milestone enters or leaves); every later build
that day is skipped again. Only the day counts, never the time of day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from almanac.anniversaries import today
from almanac.config import SiteConfig
from almanac.entry import Entry
from feeds.build import Related, build_site
from feeds.writer import WriteReport, write_if_changed, write_tree

#: Where the last build's fingerprint and file list are kept (hidden: never served).
MANIFEST = ".almanac-build.json"
_CODE = ("build.py", "site.py", "atom.py", "rss.py", "jsonfeed.py", "feed_items.py", "safe_text.py", "onthisday_feed.py",
         "cards.py", "sitemap.py", "ics.py", "timeline_svg.py")
#: Modules of the core whose answers are drawn on the site (the timeline's counts and milestones, the links).
_CORE = ("timeline.py", "anniversaries.py", "links.py")


class NotPublished(Exception):
    """A build refused before writing anything, because publishing would lose something."""


class EmptyOverPublished(NotPublished):
    """The store has no entries but the output directory holds the last build's entry pages.

    Opening a database that does not exist makes an empty one, so a mistyped `--db` or
    `ALMANAC_DB` published an empty archive over the site (every entry page and kind feed
    removed, the feeds emptied, exit 0; the feeds review). An archive that really is empty now
    is published once its folder is removed."""


class NotOurFiles(NotPublished):
    """The output directory holds files almanac did not write (no build manifest there) at paths
    this build writes: `[site] out_dir` pointed at an existing site or a project folder would
    have had its own index.html, feed.xml or style.css replaced."""


def foreign_files(out_dir: str, files: dict[str, bytes]) -> list[str]:
    """The paths of `files` that exist in `out_dir` with other bytes. Only asked when `out_dir` has
    no manifest: a folder almanac built holds one, and every later build may replace its own."""
    found = []
    for rel in sorted(files):
        path = os.path.join(out_dir, *rel.split("/"))
        if os.path.lexists(path):
            try:
                with open(path, "rb") as fh:
                    same = fh.read(len(files[rel]) + 1) == files[rel]
            except OSError:  # a folder or an unreadable file where a page goes
                same = False
            if not same:
                found.append(rel)
    return found


@dataclass
class PublishResult:
    files: int
    report: WriteReport
    #: True when the fingerprint matched and nothing was rendered.
    skipped: bool


def _code_digest() -> bytes:
    """The builder's code, templates and stylesheet: a new version rebuilds everything."""
    h = hashlib.sha256()
    package = resources.files("feeds")
    paths = [package.joinpath(name) for name in _CODE]
    paths += [resources.files("almanac").joinpath(name) for name in _CORE]
    for folder in ("templates", "static"):
        paths += sorted(package.joinpath(folder).iterdir(), key=lambda p: p.name)
    for path in paths:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


def fingerprint(
    entries: Iterable[Entry],
    site: SiteConfig,
    tz: dt.tzinfo,
    related_key: str | None,
    onthisday_posts: list | None,
    now: dt.datetime | None = None,
) -> str:
    """A digest of every input of `build_site` (related entries by `related_key`, `now` by its day in `tz`)."""
    h = hashlib.sha256(_code_digest())
    h.update(json.dumps(dataclasses.asdict(site), sort_keys=True).encode())
    day = today(now, tz).isoformat() if now is not None else "-"
    h.update(str(tz).encode() + b"\0" + repr(related_key).encode() + b"\0" + day.encode() + b"\0")
    h.update(repr(onthisday_posts).encode() + b"\0")
    for entry in sorted(entries, key=lambda e: e.id):
        # when it last changed too: the feeds say it (a database made again holds the same entries
        # with new times, and the feeds' dates must follow)
        h.update(f"{entry.id}\0{entry.content_hash}\0{entry.changed_at}\0".encode())
    return h.hexdigest()


def _stat(out_dir: str, rel: str) -> list[int] | None:
    try:
        st = os.stat(os.path.join(out_dir, rel))
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _read_manifest(out_dir: str) -> dict | None:
    try:
        with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _entry_pages(manifest: dict | None) -> int:
    """How many entry pages the build that wrote `manifest` made."""
    files = manifest.get("files") if manifest else None
    return sum(isinstance(rel, str) and rel.startswith("entries/") for rel in files) if isinstance(files, dict) else 0


def _manifest_holds(out_dir: str, fp: str) -> dict | None:
    manifest = _read_manifest(out_dir)
    if manifest is None or manifest.get("fingerprint") != fp:
        return None
    files = manifest.get("files")
    if not isinstance(files, dict) or any(_stat(out_dir, rel) != stamp for rel, stamp in files.items()):
        return None
    return manifest


def remove_stale(out_dir: str, previous: dict | None, files: dict[str, bytes]) -> list[str]:
    """Delete the files the previous build wrote (its manifest's list) that this build no longer
    makes: a kind's feed and page once its last entry is gone (`podcasts.xml` would go on listing
    deleted pages), a sitemap part after the archive shrank. Only files almanac wrote are
    touched (anything else in the directory is the user's), and only paths inside `out_dir`."""
    listed = previous.get("files") if previous else None
    if not isinstance(listed, dict):
        return []
    removed = []
    for rel in sorted(set(listed) - set(files)):
        parts = rel.split("/") if isinstance(rel, str) else [""]
        if any(part in ("", ".", "..") for part in parts) or os.path.isabs(rel):
            continue  # a manifest edited by hand: never follow it out of the site
        path = os.path.join(out_dir, *parts)
        if os.path.isfile(path) and not os.path.islink(path):
            os.unlink(path)
            removed.append(rel)
    return removed


def publish(
    out_dir: str,
    entries: list[Entry],
    site: SiteConfig,
    tz: dt.tzinfo,
    related: Related | None = None,
    related_key: str | None = None,
    onthisday_posts: list | None = None,
    now: dt.datetime | None = None,
) -> PublishResult:
    """Build the site into `out_dir`, or do nothing when its inputs are those of the last build.

    `related_key` names what `related` answers from (e.g. the model and how
    many entries still lack a vector); with `related` given and no key, the
    short-cut is not taken (the answers could change unseen). `now` is the
    moment of the build (see `build_site`).
    """
    fp = fingerprint(entries, site, tz, related_key if related else "none", onthisday_posts, now)
    usable = related is None or related_key is not None
    manifest = _manifest_holds(out_dir, fp) if usable else None
    if manifest is not None:
        files = sorted(manifest["files"])
        return PublishResult(len(files), WriteReport(unchanged=files), skipped=True)
    previous = _read_manifest(out_dir)
    if not entries and (pages := _entry_pages(previous)):
        raise EmptyOverPublished(
            f"the store has no entries, but {out_dir} holds {pages} entry pages from the last build: not publishing "
            f"an empty archive over them (is the database the one you meant?); remove {out_dir} to publish it empty")
    files = build_site(entries, site, tz, related=related, onthisday_posts=onthisday_posts, now=now)
    if previous is None and (foreign := foreign_files(out_dir, files)):
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise NotOurFiles(
            f"{out_dir} holds files almanac did not write ({foreign[0]}{more}) where the site goes: not "
            f"replacing them; build into an empty folder ([site] out_dir or --out), or remove them")
    # What the last build wrote and this one does not make goes, the pages of entries that left
    # included; nothing else: with `entries/` pruned whole, a page of the user's own in that folder
    # (out_dir pointed at an existing site) was deleted too (the run review).
    report = write_tree(out_dir, files)
    report.removed += remove_stale(out_dir, previous, files)
    stamps = {rel: _stat(out_dir, rel) for rel in sorted(files)}
    record = {"fingerprint": fp if usable else None, "files": stamps}
    write_if_changed(os.path.join(out_dir, MANIFEST), json.dumps(record, separators=(",", ":")).encode())
    return PublishResult(len(files), report, skipped=False)
