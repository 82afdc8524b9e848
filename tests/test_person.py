"""Whose archive it is (`almanac.person`): read from the sources, kept per source by the store
(SQLite and PostgreSQL). How a question naming the person is read: tests/test_search.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from almanac.entry import Entry, PartialDate
from almanac.ingest import ingest
from almanac.person import author_name, byline, given_names, name_in_title, name_words, written_as_name
from almanac.sources import read_source
from almanac.store.entries import source_person

BOTH_BACKENDS = True


@pytest.mark.parametrize("title, name", [
    ("Megan Rapinoe: matches, speeches and news", "Megan Rapinoe"),
    ("Simon Willison's Weblog", "Simon Willison"),
    ("Julia Evans", "Julia Evans"),
    ("Hannah Fry | talks", "Hannah Fry"),
    ("Will McGugan - blog", "Will McGugan"),
    ("Grant Sanderson (3Blue1Brown): videos", "Grant Sanderson"),
    ("Guido van Rossum: Python, talks", "Guido van Rossum"),
    ("Conan O'Brien: shows", "Conan O'Brien"),
    ("Ólafur Arnalds: music", "Ólafur Arnalds"),  # a capital outside ASCII
    ("Émilie du Châtelet: notes", "Émilie du Châtelet"),
    ("Simon willison: blog", None),
    ("The Ezra Klein Show", None),  # a show's name, not its host's
    ("Hacker News", None),  # everyday words alone name a thing
    ("Talks and papers", None),
    ("", None),
])
def test_a_feed_title_names_its_person_only_when_it_opens_with_a_name(title, name):
    assert name_in_title(title) == name


def test_author_fields_as_sources_write_them():
    assert author_name("jane@example.com (Jane Doe)") == "Jane Doe"  # RSS <author>
    assert author_name({"name": "Jane  Doe"}) == "Jane Doe"  # JSON Feed, Atom
    assert author_name(["Jane Doe", "Tim Roe"]) == "Jane Doe"
    assert author_name("jane@example.com") is None
    assert author_name(42) is None and author_name("") is None


def test_a_source_is_its_person_s_when_most_of_its_entries_say_so():
    assert byline(["Jane Doe", "Jane Doe", ""]) == "Jane Doe"
    assert byline(["Jane Doe", "Tim Roe", "Ann Poe"]) is None  # a group blog
    assert byline(["Ann Poe", "Tim Roe", "Ann Poe", "Tim Roe"]) is None  # two hosts taking turns
    assert byline(["", ""]) is None


def test_a_name_counts_only_where_the_entries_write_it_as_one():
    """A show's, a blog's or a channel's title, or a placeholder author, is no person: its words are
    also written in lower case ("coding interviews"), or not at all ("admin")."""
    assert written_as_name("Megan Rapinoe", ["Megan scored twice.", "Rapinoe's cross"])
    assert not written_as_name("Coding Horror", ["Coding Horror, the blog", "on coding interviews"])
    assert not written_as_name("Physics Girl", ["Physics Girl explains", "physics of a spinning top"])
    assert not written_as_name("admin", ["A post about a server."])
    assert written_as_name("Katalin Karikó", ["Kariko won the prize"])  # typed without its accent


def test_an_author_field_with_control_characters_is_read_clean():
    assert author_name("Jane \ud800Doe") == "Jane Doe"  # a lone surrogate no store takes
    assert author_name("Jane\x00 Doe\x1b") == "Jane Doe"


def test_the_words_of_a_name_a_question_would_use():
    assert name_words(("Megan Rapinoe",)) == {"megan", "rapinoe"}
    assert name_words(("Will McGugan", "N. K. Jemisin")) == {"mcgugan", "jemisin"}  # not "will", no initials
    assert name_words(("Janette Sadik-Khan",)) == {"janette", "sadik", "khan", "jsk"}


def test_an_everyday_word_of_the_name_is_the_person_s_only_beside_the_rest_of_it():
    """"Michael Mann", "Hank Green": too common alone to be taken for the person's name (`name_words`
    leaves them out), such words name the person next to the rest of the name, on either side."""
    mann, green = ("Michael E. Mann",), ("Hank Green",)
    assert given_names("michael mann at the university of michigan".split(), name_words(mann), mann) == {"michael"}
    assert given_names("hank green in boulder".split(), name_words(green), green) == {"green"}
    assert given_names("michael on the climate".split(), name_words(mann), mann) == set()
    assert given_names("green energy with hank".split(), name_words(green), green) == set()


def test_a_name_of_three_parts_is_known_by_its_initials():
    assert "rbg" in name_words(("Ruth Bader Ginsburg",))
    assert "aoc" in name_words(("Alexandria Ocasio-Cortez",))  # each part of a hyphenated name
    assert "mlk" in name_words(("Martin Luther King Jr.",))  # not the suffix
    assert "lb" not in name_words(("Ludwig van Beethoven",))  # two letters say too little
    assert "nkj" not in name_words(("N. K. Jemisin",))  # written with initials already


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Megan Rapinoe: matches and news</title>
<item><title>Penalty miss against Sweden in Melbourne</title><pubDate>Sun, 06 Aug 2023 09:00:00 +0000</pubDate>
<description>Her last World Cup ended in the round of sixteen after a shootout in Melbourne.</description></item>
<item><title>Equal pay testimony</title><pubDate>Wed, 24 Mar 2021 09:00:00 +0000</pubDate>
<author>press@example.com (Press Office)</author>
<description>She told lawmakers about the fight for equal pay.</description></item>
<item><title>Ballon d'Or</title><pubDate>Mon, 02 Dec 2019 09:00:00 +0000</pubDate>
<description>Megan Rapinoe won the Ballon d'Or in Paris.</description></item>
</channel></rss>"""


def test_a_feed_says_whose_its_items_are(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(FEED, encoding="utf-8")
    by = {e.title: e.by for e in read_source(str(path))}
    assert by == {"Penalty miss against Sweden in Melbourne": "Megan Rapinoe",
                  "Equal pay testimony": "Press Office", "Ballon d'Or": "Megan Rapinoe"}


def test_front_matter_says_whose_an_entry_is(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("---\ntitle: A walk\ndate: 2020-01-02\nauthor: Monty Don\n---\nA walk.\n",
                                             encoding="utf-8")
    assert [e.by for e in read_source(str(tmp_path / "notes"))] == ["Monty Don"]


def test_the_store_keeps_each_source_s_person_and_forgets_it_with_the_source(store, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(FEED, encoding="utf-8")
    text = tmp_path / "entries.txt"
    text.write_text("A talk / Jan 2020\nAbout things.\n", encoding="utf-8")
    ingest(store, [str(tmp_path / "*.*")], str(tmp_path))
    assert store.people() == ["Megan Rapinoe"]
    generation = store.generation()
    feed.write_text(FEED.replace("Megan Rapinoe:", "M. Rapinoe:"), encoding="utf-8")
    ingest(store, [str(tmp_path / "*.*")], str(tmp_path))
    assert store.people() == ["M. Rapinoe"]
    assert store.generation() > generation  # a snapshot reads it again
    feed.write_text(FEED.replace("Megan Rapinoe:", "Hidden Brain:").replace("Megan Rapinoe won", "It won"),
                    encoding="utf-8")
    ingest(store, [str(tmp_path / "*.*")], str(tmp_path))
    assert store.people() == []  # a show's name the entries never write: no person
    feed.unlink()  # the source gone: its entries go, and whose they were
    ingest(store, [str(tmp_path / "*.*")], str(tmp_path))
    assert store.people() == [] and store.count() == 1


def test_a_json_feed_or_list_says_whose_its_items_are(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text('{"version": "https://jsonfeed.org/version/1.1", "title": "Julia Evans: zines",'
                    ' "items": [{"id": "1", "title": "A zine", "date_published": "2020-01-02T00:00:00Z",'
                    ' "content_text": "About git.", "authors": [{"name": "Kamal M"}]},'
                    ' {"id": "2", "title": "A talk", "date_published": "2021-01-02T00:00:00Z",'
                    ' "content_text": "About DNS."}]}', encoding="utf-8")
    assert {e.title: e.by for e in read_source(str(feed))} == {"A zine": "Kamal M", "A talk": "Julia Evans"}
    listed = tmp_path / "entries.json"
    listed.write_text('{"author": "Monty Don", "entries": [{"title": "A walk", "date": "2020",'
                      ' "summary": "Roses."}]}', encoding="utf-8")
    assert [e.by for e in read_source(str(listed))] == ["Monty Don"]


def test_entries_kept_from_the_store_do_not_outvote_the_feed():
    """A feed lists its last few items; those past its window come back from the store
    (ingest.settle_left) without an author. They are no vote against whose the feed is."""
    listed = [Entry(id=f"n{i}", title=f"Match {i}", date=PartialDate(2023), kind="news",
                    summary="Megan Rapinoe scored.", by="Megan Rapinoe") for i in range(3)]
    kept = [Entry(id=f"o{i}", title=f"Old match {i}", date=PartialDate(2019), kind="news", summary="A draw.",
                  changed_at="2024-01-01T00:00:00+00:00") for i in range(7)]
    assert source_person(listed + kept) == "Megan Rapinoe"
    assert source_person([replace(e, changed_at="2024-01-01T00:00:00+00:00") for e in listed] + kept) is None
