"""bot/render.py: embeds within Discord's limits, cut cleanly, pinging nobody."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from almanac.anniversaries import Anniversary
from almanac.entry import Entry, PartialDate
from bot import render
from bot.buttons import CUSTOM_ID_LIMIT, ResultsPage, answer_view, pager_view, shorten_query

BASE = "https://almanac.example/"


@dataclass
class FakeHit:  # the shape of almanac.search.Hit the renderer reads
    entry: Entry
    score: float
    highlight: str


def entry(i=0, title="Jitsu: Just-In-Time Summoning of Unikernels", summary="Booted unikernels on a DNS request.",
          kind="paper", url="https://www.usenix.org/jitsu", tags=("nsdi",)) -> Entry:
    return Entry(id=f"entry-{i}", title=title, date=PartialDate(2015, 5), kind=kind, summary=summary, tags=tags, url=url)


def test_clip_cuts_at_a_word_with_an_ellipsis():
    assert render.clip("short", 10) == "short"
    assert render.clip("the quick brown fox jumps", 12) == "the quick…"
    assert render.clip("a" * 50, 10) == "a" * 9 + "…"
    assert len(render.clip("word " * 1000, 4096)) <= 4096
    assert render.clip(None, 5) == ""


def test_answer_embed_shows_best_entry_and_three_more():
    hits = [FakeHit(entry(i, title=f"Title {i}"), 1.0 - i / 10, f"Sentence {i}.") for i in range(6)]
    embed = render.answer_embed("which paper?", hits, BASE).to_dict()
    assert embed["title"] == "Title 0"
    assert embed["url"] == "https://almanac.example/entries/entry-0.html"
    assert embed["description"] == "> Sentence 0."
    also = next(f for f in embed["fields"] if f["name"] == "Also relevant")
    assert also["value"].count("\n") == 2  # three lines
    assert "[Title 1](https://almanac.example/entries/entry-1.html) · paper · May 2015" in also["value"]
    assert "Title 4" not in also["value"]


def test_huge_texts_fit_every_limit():
    big = entry(title="T" * 1000, summary="word " * 5000, url="https://x.example/" + "u" * 3000, tags=tuple(f"tag{i}" for i in range(500)))
    hits = [FakeHit(big, 1.0, "sentence " * 2000)] * 4
    for n, embed in enumerate((render.answer_embed("q " * 5000, hits, BASE), render.entry_embed(big, BASE),
                  render.results_embed("q" * 900, hits * 5, 0, 20, True, BASE),
                  render.similar_embed(big, hits * 10, BASE), render.latest_embed([big] * 10, "paper", BASE),
                  render.onthisday_embed(dt.date(2026, 5, 1), [Anniversary(big, 11, False)] * 30, BASE))):
        data = embed.to_dict()
        assert len(data.get("title", "")) <= 256
        assert len(data.get("description", "")) <= 4096
        assert len(data.get("fields", [])) <= 25
        assert all(len(f["value"]) <= 1024 and len(f["name"]) <= 256 for f in data.get("fields", []))
        assert render.embed_length(data) <= 6000
        if n < 4:  # titles built from the 1000-character title or query are cut, visibly
            assert data["title"].endswith("…") or data["title"].endswith("…”")


field_st = st.fixed_dictionaries({"name": st.text(max_size=400), "value": st.text(max_size=2000)})


@settings(max_examples=150, deadline=None)
@given(title=st.text(max_size=600), description=st.text(max_size=9000), footer=st.text(max_size=3000),
       fields=st.lists(field_st, max_size=40))
def test_fit_always_satisfies_discord(title, description, footer, fields):
    data = render.fit({"title": title, "description": description, "footer": {"text": footer}, "fields": fields})
    assert len(data["title"]) <= 256 and len(data["description"]) <= 4096
    assert len(data["footer"]["text"]) <= 2048
    assert len(data["fields"]) <= 25
    assert all(0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024 for f in data["fields"])
    assert render.embed_length(data) <= 6000
    discord.Embed.from_dict(data)  # and the library accepts it


def test_titles_with_markdown_do_not_break_links():
    e = entry(title="A [weird] *title* with ](brackets)")
    line = render.entry_line(e, BASE)
    assert line.startswith("[A \\[weird\\] \\*title\\* with \\](brackets)](https://almanac.example/entries/entry-0.html)")


def test_about_counts_kinds_and_years():
    entries = [entry(0), entry(1, kind="talk"), Entry("x", "X", PartialDate(2020), "talk", "s")]
    stats = render.archive_stats(entries)
    assert stats == {"total": 3, "kinds": {"talk": 2, "paper": 1}, "first_year": 2015, "last_year": 2020}
    data = render.about_embed(stats, "Almanac", BASE).to_dict()
    assert data["description"].startswith("3 entries from 2015–2020.")
    assert [f["name"] for f in data["fields"]] == ["Talks", "Papers"]
    assert render.about_embed(render.archive_stats([]), "Almanac", BASE).to_dict()["description"] == "The archive is empty for now."


def test_no_mentions_is_empty_parse():
    assert render.NO_MENTIONS.to_dict() == {"parse": []}


def test_custom_ids_fit_and_round_trip():
    long_query = "which paper " * 40
    view = answer_view("entry-0", long_query, 4)
    ids = [item.custom_id for item in view.children]
    assert ids[0] == "alm:like:entry-0"
    assert all(len(i) <= CUSTOM_ID_LIMIT for i in ids)
    match = ResultsPage.__discord_ui_compiled_template__.fullmatch(ids[1])
    assert match["mode"] == "more" and match["offset"] == "4" and long_query.startswith(match["query"])
    # An id too long for a custom_id gets no "More like this" button rather than a broken one.
    assert [i.custom_id for i in answer_view("x" * 95, "q", None).children] == []
    assert shorten_query("a  b\nc", 100) == "a b c"
    assert pager_view("q", 0, 5, False, None, None) is None
    ids = [i.custom_id for i in pager_view("q", 5, 5, True, "talk", 2015).children]
    assert ids == ["alm:prev:0:talk:2015:q", "alm:next:10:talk:2015:q"]
    # Deep in a long listing (a 10,000-entry archive's talks): the page buttons still fit their template.
    deep = [i.custom_id for i in pager_view("q", 9_995, 5, True, None, None).children]
    assert deep == ["alm:prev:9990:::q", "alm:next:10000:::q"]
    assert ResultsPage.__discord_ui_compiled_template__.fullmatch(deep[1])["offset"] == "10000"


def test_about_counts_one_entry_in_the_singular():
    one = render.about_embed({"total": 1, "first_year": 2015, "last_year": 2015, "kinds": {"talk": 1}},
                             "Almanac", "https://example.org/").to_dict()
    assert one["description"].startswith("1 entry from 2015.")
    two = render.about_embed({"total": 2, "first_year": 2015, "last_year": 2016, "kinds": {"talk": 2}},
                             "Almanac", "https://example.org/").to_dict()
    assert two["description"].startswith("2 entries from 2015–2016.")


def test_archive_text_shows_as_written_not_as_markdown():
    """A summary (from a remote feed, say) holding "[free nitro](https://evil.example/)" was a
    disguised link in the bot's answers and in every post under its name; "||...||" a spoiler,
    "# ..." a heading. Titles were escaped already; summaries, highlights and tags now are."""
    from almanac.posting import Post, render_post

    bait = "Fine talk. [free nitro](https://evil.example/) ||spoiler||\n# Heading"
    e = entry(summary=bait, tags=("**bold**",))
    shown = [
        render.answer_embed("q", [FakeHit(e, 0.9, bait)], BASE).description,
        render.entry_embed(e, BASE).description,
        render.results_embed("q", [FakeHit(e, 0.9, bait)], 0, 5, False, BASE).description,
        render_post(Post(e, "anniversary:2025-05-01", 10, True, BASE, "n" * 20))["description"],
    ]
    for text in shown:
        assert "\\[free nitro\\](https://evil.example/)" in text and "](https://evil" not in text.replace("\\](", "")
        assert "\\|\\|spoiler\\|\\|" in text
    assert "\n\\# Heading" in shown[1]
    assert render.entry_embed(e, BASE).fields[-2].value == "\\*\\*bold\\*\\*"
    assert render_post(Post(e, "new", None, False, BASE, "n" * 20))["fields"][2]["value"] == "\\*\\*bold\\*\\*"


def test_a_list_cut_to_fit_says_how_many_it_shows():
    """A day with hundreds of anniversaries (or /latest and "More like this" with long titles)
    showed the lines that fit as if they were all; the footer says how many of them there are."""
    day = dt.date(2026, 5, 1)
    many = [Anniversary(entry(title=f"A talk with a long title number {n} " + "x" * 200), 11, False) for n in range(60)]
    data = render.onthisday_embed(day, many, BASE).to_dict()
    shown = data["description"].count("\n") + 1
    assert 0 < shown < 60 and data["footer"]["text"] == f"{shown} of 60 anniversaries shown: the site lists them all"
    assert "footer" not in render.onthisday_embed(day, many[:3], BASE).to_dict()
    latest = render.latest_embed([a.entry for a in many[:25]], "talk", BASE).to_dict()
    assert latest["footer"]["text"].endswith(" of 25 talks shown: the site lists them all")
