"""publish(): build + write, skipping all rendering when no input changed since the last build."""

from __future__ import annotations

import dataclasses
import json
import os
from zoneinfo import ZoneInfo

import pytest

from almanac.config import SiteConfig
from almanac.links import entry_path
from feeds.build import build_site
from feeds.publish import MANIFEST, NotOurFiles, publish
from tests.feed_helpers import same_kind_related

TZ = ZoneInfo("Europe/London")
SITE = SiteConfig(base_url="https://example.org/")


@pytest.fixture
def entries(seeded_store):
    return seeded_store.entries()


def test_unchanged_inputs_skip_the_build(tmp_path, entries):
    out = str(tmp_path / "site")
    first = publish(out, entries, SITE, TZ, related=same_kind_related(entries), related_key="k1")
    assert not first.skipped and len(first.report.written) == first.files
    mtimes = {p: os.stat(os.path.join(out, p)).st_mtime_ns for p in first.report.written}

    calls = []

    def related(entry_id):
        calls.append(entry_id)
        return same_kind_related(entries)(entry_id)

    again = publish(out, list(reversed(entries)), SITE, TZ, related=related, related_key="k1")
    assert again.skipped and again.report.written == [] and again.files == first.files
    assert calls == []  # nothing rendered, the searcher never asked
    assert {p: os.stat(os.path.join(out, p)).st_mtime_ns for p in first.report.written} == mtimes
    # What was skipped is exactly what a full build would produce.
    assert {p: open(os.path.join(out, p), "rb").read() for p in mtimes} == build_site(
        entries, SITE, TZ, related=same_kind_related(entries)
    )


@pytest.mark.parametrize(
    "change",
    ["summary", "related_key", "site", "tz", "deleted_file", "edited_file", "onthisday"],
)
def test_any_changed_input_or_output_means_a_real_build(tmp_path, entries, change):
    out = str(tmp_path / "site")
    related = same_kind_related(entries)
    publish(out, entries, SITE, TZ, related=related, related_key="k1")
    kwargs = dict(related=related, related_key="k1")
    site, tz, posts = SITE, TZ, None
    target = entry_path(entries[3].id)
    if change == "summary":
        entries = [dataclasses.replace(e, summary=e.summary + " More.") if i == 3 else e for i, e in enumerate(entries)]
    elif change == "related_key":
        kwargs["related_key"] = "k2"
    elif change == "site":
        site = dataclasses.replace(SITE, title="Another title")
    elif change == "tz":
        tz = ZoneInfo("Asia/Tokyo")
    elif change == "deleted_file":
        os.unlink(os.path.join(out, target))
    elif change == "edited_file":
        with open(os.path.join(out, target), "ab") as fh:
            fh.write(b"<!-- tampered -->")
    elif change == "onthisday":
        posts = []
    result = publish(out, entries, site, tz, onthisday_posts=posts, **kwargs)
    assert not result.skipped
    assert open(os.path.join(out, target), "rb").read() == build_site(entries, site, tz, related=related, onthisday_posts=posts)[target]


def test_related_without_a_key_is_never_trusted(tmp_path, entries):
    out = str(tmp_path / "site")
    related = same_kind_related(entries)
    publish(out, entries, SITE, TZ, related=related)
    again = publish(out, entries, SITE, TZ, related=related)
    assert not again.skipped and again.report.written == []  # rendered again, still nothing rewritten


def test_manifest_is_hidden_and_not_pruned(tmp_path, entries):
    out = tmp_path / "site"
    publish(str(out), entries, SITE, TZ)
    publish(str(out), entries[1:], SITE, TZ)
    assert (out / MANIFEST).is_file()
    assert not (out / entry_path(entries[0].id)).exists()


def test_what_the_last_build_wrote_and_this_one_does_not_make_is_removed(tmp_path, entries):
    """The last podcast leaves the archive: podcasts.xml and podcasts.html go with it (they would
    go on listing a deleted page), while a file of the user's in the same directory stays, and a
    manifest edited to point outside the site is not followed."""
    out = tmp_path / "site"
    podcasts = [e for e in entries if e.kind == "podcast"]
    assert podcasts
    publish(str(out), entries, SITE, TZ)
    assert (out / "podcasts.xml").is_file() and (out / "podcasts.html").is_file()
    (out / "robots-extra.txt").write_text("mine")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["../outside.txt"] = [4, 0]
    (out / MANIFEST).write_text(json.dumps(manifest))

    result = publish(str(out), [e for e in entries if e.kind != "podcast"], SITE, TZ)
    assert not (out / "podcasts.xml").exists() and not (out / "podcasts.html").exists()
    assert {"podcasts.xml", "podcasts.html"} <= set(result.report.removed)
    assert (out / "robots-extra.txt").read_text() == "mine" and outside.read_text() == "keep"
    assert not any(link in (out / name).read_bytes() for name in ("index.html", "sitemap.xml")
                   for link in (b"podcasts.xml", b"podcasts.html"))


def test_a_page_of_the_users_own_in_the_entries_folder_stays(tmp_path, entries):
    """`entries/` was pruned whole: pointed at an existing site, the build deleted a page of the
    user's own there (first build or any later one). Only pages the last build wrote and this one
    does not make go: an entry that left takes its page with it."""
    out = tmp_path / "site"
    (out / "entries").mkdir(parents=True)
    (out / "entries" / "my-notes.html").write_text("mine")
    publish(str(out), entries, SITE, TZ)
    gone = entries[0]
    result = publish(str(out), entries[1:], SITE, TZ)
    assert (out / "entries" / "my-notes.html").read_text() == "mine"
    assert entry_path(gone.id) in result.report.removed and not (out / entry_path(gone.id)).exists()


def test_a_folder_of_someone_elses_files_is_not_built_over(tmp_path, entries):
    """`[site] out_dir` pointed at an existing site or a project folder: the first build replaced its
    index.html and style.css. With no manifest there, a file at a path the build writes is refused,
    named in one line, and nothing is written; a file that is already what the build writes (a
    manifest lost, the site copied back) is not in the way, and a folder almanac built is rebuilt."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<h1>My own home page</h1>")
    (out / "style.css").write_text("body { color: hotpink }")
    (out / "notes.txt").write_text("unrelated")
    with pytest.raises(NotOurFiles) as info:
        publish(str(out), entries, SITE, TZ)
    message = str(info.value)
    assert message.startswith(f"{out} holds files almanac did not write (index.html and 1 more) where the site goes")
    assert "\n" not in message
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "notes.txt", "style.css"]
    assert (out / "index.html").read_text() == "<h1>My own home page</h1>"

    built = tmp_path / "built"
    first = publish(str(built), entries, SITE, TZ)
    (built / MANIFEST).unlink()  # the same files, their record lost
    again = publish(str(built), entries, SITE, TZ)
    assert not again.skipped and again.files == first.files and not again.report.written
    (built / "index.html").write_text("changed by hand")  # a manifest is there again: the site is almanac's
    assert publish(str(built), entries, SITE, TZ).report.written == ["index.html"]
