"""Partial dates, kinds and ids of the seed archive."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from almanac.entry import DateError, PartialDate, Precision, assign_ids, classify, slugify
from almanac.sources import read_source
from almanac.text import first_sentence, sentences

# The kind every seed entry must get, by its title (the Jitsu pair by line).
EXPECTED_KINDS = {
    "The First Billion Real Deployments of Unikernels": "talk",
    "Rebuilding Operating Systems with Functional Principles": "talk",
    "MirageOS 4: the dawn of practical build systems for exotic targets": "paper",
    "Programming Unikernels in the Large via Functor Driven Development": "paper",
    "Unikernels: the rise of the library hypervisor in MirageOS": "talk",
    "Ian Eyberg, Joshua Bernstein, Anil Madhavapeddy at OSCON in Austin": "interview",
    "Unikernel Systems is now part of Docker": "news",
    "Immutable Distributed Infrastructure with Unikernels": "talk",
    "Unikernels: Functional Infrastructure with Mirage OS": "talk",
    "Delivered keynote at BOB 2015 on MirageOS": "talk",
    "Codemesh 2014: Nymote: Git Your Own Cloud Here": "talk",
    "Jitsu: Just-in-Time Summoning of Unikernels (new directions in operating systems)": "talk",
    "MirageOS 2.0: branch consistency for Xen Stub Domains": "talk",
    "Haskell Symposium 2014 Keynote on functional OS design": "talk",
    "Irminsule: a branch-consistent distributed library database": "paper",
    "FLOSS Weekly 302: Open Mirage": "podcast",
    "MirageOS v2.0: a recap of new features (via MirageOS)": "news",
    "MirageOS v1.2 released and the runup to 2.0 (via MirageOS)": "news",
    "SE Radio Episode 204: Anil Madhavapeddy on the Mirage Cloud Operating System and the OCaml Language": "podcast",
    "MirageOS and XAPI project update at XenSummit": "talk",
    "Unikernels: Rise of the Virtual Library Operating System": "article",
    "Mirage Developer Preview 1 screencast": "video",
    "Unikernels: library operating systems for the cloud": "paper",
}
JITSU = "Jitsu: Just-In-Time Summoning of Unikernels"


@pytest.mark.parametrize(
    "text, iso, precision",
    [
        ("2015", "2015", Precision.YEAR),
        ("2015-05", "2015-05", Precision.MONTH),
        ("2015-05-04", "2015-05-04", Precision.DAY),
        ("May 2015", "2015-05", Precision.MONTH),
        ("Sept 2014", "2014-09", Precision.MONTH),
        ("february 2020", "2020-02", Precision.MONTH),
        ("4 May 2015", "2015-05-04", Precision.DAY),
        ("May 4, 2015", "2015-05-04", Precision.DAY),
    ],
)
def test_partial_date_forms(text, iso, precision):
    date = PartialDate.parse(text)
    assert date.isoformat() == iso
    assert date.precision is precision


@pytest.mark.parametrize(
    "text, message",
    [
        ("Mai 2015", "'Mai' is not a month name"),
        ("May 1850", "year 1850 is outside 1900-2100"),
        ("2101", "year 2101 is outside 1900-2100"),
        ("2015-13", "month 13 is not 1-12"),
        ("2015-02-30", "day 30 is not in February 2015"),
        ("soon", "'soon' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')"),
        ("", "date is empty"),
    ],
)
def test_partial_date_errors(text, message):
    with pytest.raises(DateError) as info:
        PartialDate.parse(text)
    assert str(info.value) == message


def test_partial_date_start_is_midnight_in_the_timezone():
    tz = ZoneInfo("Europe/London")
    start = PartialDate(2015, 5).start(tz)
    assert start == dt.datetime(2015, 5, 1, 0, 0, tzinfo=tz)
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert PartialDate(2013).start(tz).isoformat() == "2013-01-01T00:00:00+00:00"
    assert PartialDate(2015, 5) < PartialDate(2015, 5, 4) < PartialDate(2015, 6)


def test_every_seed_entry_gets_its_kind(seed_path):
    entries = read_source(str(seed_path))
    assert len(entries) == 25
    for entry in entries:
        if entry.title == JITSU:
            continue
        assert entry.kind == EXPECTED_KINDS[entry.title], entry.title
    jitsu = {e.source.rsplit(":", 1)[1]: e.kind for e in entries if e.title == JITSU}
    assert sorted(jitsu.values()) == ["paper", "talk"]
    assert all(e.precision is Precision.MONTH for e in entries)


def test_keynotes_and_lectures_are_tagged_talks(seed_path):
    by_title = {e.title: e for e in read_source(str(seed_path))}
    assert by_title["Haskell Symposium 2014 Keynote on functional OS design"].tags == ("keynote",)
    assert by_title["Delivered keynote at BOB 2015 on MirageOS"].tags == ("keynote",)
    assert by_title["The First Billion Real Deployments of Unikernels"].tags == ("lecture",)
    assert by_title["Rebuilding Operating Systems with Functional Principles"].tags == ("lecture",)


def test_classify_without_cues_is_an_article():
    assert classify("Thoughts on caching", "Some words.") == ("article", ())


def _ids(entries):
    return {(e.title, e.kind): e.id for e in entries}


def test_ids_survive_reordering_insertion_and_summary_edits(seed_path, tmp_path):
    original = _ids(assign_ids(read_source(str(seed_path))))
    assert len(set(original.values())) == 25

    text = seed_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    pairs = [lines[i : i + 2] for i in range(0, len(lines), 2)]

    reversed_file = tmp_path / "reversed.txt"
    reversed_file.write_text("\n".join(l for pair in reversed(pairs) for l in pair), encoding="utf-8")
    assert _ids(assign_ids(read_source(str(reversed_file)))) == original

    added = tmp_path / "added.txt"
    added.write_text("A brand new talk / Mar 2021\nA talk given in 2021.\n\n" + text, encoding="utf-8")
    with_new = _ids(assign_ids(read_source(str(added))))
    assert {k: v for k, v in with_new.items() if k in original} == original
    assert with_new[("A brand new talk", "talk")] == "a-brand-new-talk-2021-03"

    edited = tmp_path / "edited.txt"
    edited.write_text(text.replace("Part 2 of my distinguished", "Part two of my distinguished"), encoding="utf-8")
    assert _ids(assign_ids(read_source(str(edited)))) == original


def test_the_two_jitsu_entries_get_different_ids(seed_path):
    entries = assign_ids(read_source(str(seed_path)))
    jitsu = sorted(e.id for e in entries if e.title == JITSU)
    assert jitsu == [
        "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper",
        "jitsu-just-in-time-summoning-of-unikernels-2015-05-talk",
    ]


def test_slugify_is_ascii_and_bounded():
    assert slugify("Café Ünïkernels: a (new) hope!") == "cafe-unikernels-a-new-hope"
    assert len(slugify("word " * 100)) <= 60
    assert slugify("!!!") == "entry"


@pytest.mark.parametrize(
    "text, expected",
    [
        # an initial, dotted letters, a title or a case's "v." ends no sentence
        ("Avi Friedlander, Katherine J. Mack and N. Song, in Physical Review D 105. It sets limits.",
         ["Avi Friedlander, Katherine J. Mack and N. Song, in Physical Review D 105.", "It sets limits."]),
        ("Reed v. Reed was argued in 1971. It was won.", ["Reed v. Reed was argued in 1971.", "It was won."]),
        ("Dr. Sylvia Earle dived off St. Croix with Sen. Jo Lee. She rose.",
         ["Dr. Sylvia Earle dived off St. Croix with Sen. Jo Lee.", "She rose."]),
        ("The U.S. Senate voted. Then the D.C. Circuit ruled.", ["The U.S. Senate voted.", "Then the D.C. Circuit ruled."]),
        # a word, a number or a parenthesis before the dot does; a blank line always does
        ("It came out in May. The next did not.", ["It came out in May.", "The next did not."]),
        ("Released 2.0. Then 2.1.", ["Released 2.0.", "Then 2.1."]),
        ("Ann (Rayman) and Bo (Alone in the Dark). They were first.", ["Ann (Rayman) and Bo (Alone in the Dark).", "They were first."]),
        ("Written with J.\n\nNext part.", ["Written with J.", "Next part."]),
    ],
)
def test_sentences_end_where_a_reader_ends_them(text, expected):
    assert sentences(text) == expected
    assert first_sentence(text) == expected[0]


@pytest.mark.parametrize("text", ["", "  ", "One.", " One. Two. ", "No end", "Q? 'A' yes! (b) c.", "a.b. C", "x.\n\n\"Y\" z", "é. É. 1. 2",
                                  "By J. K. Rowling. Then", "U.S. (D.C.) v. Smith. Dr. No. 5 vs. 6"])
def test_first_sentence_is_the_first_of_sentences(text):
    assert first_sentence(text) == (sentences(text) or [""])[0]
