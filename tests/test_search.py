"""Search mechanics with the fake embedder, the real model where quality matters, and the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from almanac.cli import main
from almanac.entry import Entry, PartialDate
from almanac.search.decide import SIGNALS
from almanac.text import entry_parts
from almanac.ingest import ingest
from almanac.search import Hit, SearchResult, Searcher, highlight
from almanac.search.fuse import FusionWeights
from almanac.search.retrieve import name_holders
from almanac.store import Store
from tests.fakes import FakeEmbedder

BOTH_BACKENDS = True
JITSU_PAPER = "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"


@pytest.fixture
def fake():
    return FakeEmbedder()


@pytest.fixture
def real_store(embedded_seed_copy):
    with Store(str(embedded_seed_copy)) as store:
        yield store


def test_search_result_json_shape(seeded_store, fake):
    result = Searcher(seeded_store, fake).search("Jitsu DNS unikernels", limit=3)
    data = result.to_json(explain=True)
    assert set(result.to_json()) == {"query", "answered", "filters", "total", "note", "results"}
    assert set(data) == {"query", "answered", "filters", "total", "note", "results", "explain"}
    assert set(data["explain"]["signals"]) == set(SIGNALS)
    assert data["answered"] is True
    assert len(data["results"]) == 3
    keys = {"id", "title", "date", "precision", "kind", "tags", "summary", "url", "source", "score", "highlight"}
    assert set(data["results"][0]) == keys
    assert json.loads(json.dumps(data)) == data


def test_a_question_without_a_word_is_refused_and_one_that_only_filters_lists(seeded_store, fake):
    """"?", a lone quote, a zero-width space: nothing was asked, so nothing answers (it listed the
    whole archive as "the question only filters"); "talks" or "the latest" still list; digits
    int() cannot read ("talks in ²⁰¹⁵") are a word, not a crash (the web API answered 500)."""
    searcher = Searcher(seeded_store, fake)
    for blank in ("?", '"', "\u200b", "\ufffd", "!!! ..."):
        result = searcher.search(blank)
        assert not result.answered and result.hits == [] and result.note.startswith("The question has no words")
    assert searcher.search("talks").total == 12 and searcher.search("the latest", limit=3).answered
    assert searcher.search("talks", kind=None).answered and searcher.search("?", kind="talk").answered
    result = searcher.search("talks in ²⁰¹⁵")
    assert result.filters == {"kind": "talk"}
    assert all(h.entry.kind == "talk" for h in result.hits)


@pytest.mark.parametrize("chat", ["hi", "hello there", "thanks!", "ok", "who is he?", "tell me more", "may",
                                  "lol"])
def test_a_greeting_or_chat_alone_is_refused_and_asking_to_see_the_archive_lists_it(seeded_store, fake, chat):
    """Glue and chat words alone ("hi", "thanks!", "who is he?") listed the five newest entries as
    if the question asked for them (the bot answered a greeting with the archive); a question
    that asks to see the archive without naming a topic still does."""
    searcher = Searcher(seeded_store, fake)
    result = searcher.search(chat)
    assert not result.answered and result.hits == [] and result.note.startswith("The question names nothing")
    assert result.explain == {"reason": "refuses: the question names nothing to look for"}
    for listing in ("what's in the archive?", "show me everything", "what has she done?", "all entries",
                    "anything?", "his work"):
        shown = searcher.search(listing, limit=3)
        assert shown.answered and shown.total == 25 and len(shown.hits) == 3, listing
        assert [h.entry.date for h in shown.hits] == sorted((h.entry.date for h in shown.hits), reverse=True)


def test_kinds_and_years_listed_together_select_any_of_them(seeded_store, fake):
    """"papers and talks from 2019" filtered to papers alone, and "talks in 2014 and 2016" listed
    2015's talks too (read as 2014 to 2016); "or" between years kept the first year alone."""
    searcher = Searcher(seeded_store, fake)
    both = searcher.search("papers and talks from 2015", limit=20)
    assert {h.entry.kind for h in both.hits} == {"paper", "talk"}
    assert both.total == len(both.hits) == sum(
        e.kind in ("paper", "talk") and e.date.year == 2015 for e in seeded_store.entries())
    years = searcher.search("talks in 2014 and 2016", limit=20)
    assert {h.entry.date.year for h in years.hits} == {2014, 2016} and years.filters["years"] == [2014, 2016]
    assert years.total == sum(e.kind == "talk" and e.date.year in (2014, 2016) for e in seeded_store.entries())
    assert searcher.search("talks in 2014 or 2016").total == years.total
    assert searcher.search("videos or podcasts in 2016").note.startswith(
        "No videos or podcasts in 2016; the latest before was in ")
    assert searcher.search("talks in 2010 or 2012").note.startswith("No talks in 2010 or 2012; the next after was in ")
    assert searcher.search("videos in the 1980s or the early 2000s").note.startswith(
        "No videos in the 1980s or 2000–2003; the next after was in ")
    decades = searcher.search("what came out in the 1990s and 2010s?", limit=30)
    assert decades.total == sum(1990 <= e.date.year <= 2019 for e in seeded_store.entries())


def test_a_mistyped_plural_kind_still_asks_for_that_kind_and_an_empty_tag_says_its_name(seeded_store, fake):
    """The seed never writes "talks", so "tallks" was read as its "talk", which only prefers
    talks: "tallks about jitsu" listed the Jitsu paper too. And "lectures in 2013" finds none
    while two talks are from 2013: the note names lectures, not talks."""
    searcher = Searcher(seeded_store, fake)
    typed = searcher.search("tallks about jitsu")
    assert typed.filters == {"kind": "talk", "corrected": {"tallks": "talks"}}
    assert [h.entry.id for h in typed.hits] == [h.entry.id for h in searcher.search("talks about jitsu").hits]
    assert {h.entry.kind for h in typed.hits} == {"talk"}
    assert searcher.search("lectures in 2013").note.startswith("No lectures in 2013; the next after was in February 2020")
    # a listing kept to some months over years says so ("No talks since 2016" while 2016 and 2020 have talks)
    assert searcher.search("talks in march since 2016").note.startswith("No talks in March since 2016; ")
    assert searcher.search("papers in december before 2019").note.startswith("No papers in December before 2019; ")
    # month to month across a new year lists both months' entries (it listed December's alone)
    across = searcher.search("what came out from December 2014 to February 2015", limit=10)
    assert {h.entry.date.label() for h in across.hits} == {"December 2014", "January 2015"} and across.total == 2


def _texts(entries) -> int:
    """Texts embedded per entry: the whole entry, its title and each sentence."""
    return sum(1 + len(entry_parts(e.title, e.summary)) for e in entries)


def test_searcher_embeds_missing_once_and_reloads_on_change(seeded_store, fake, monkeypatch):
    """Before its first answer a searcher embeds what lacks a vector; once answering, an entry
    edited without embedding is embedded in a thread of its own (the question that noticed it
    does not wait: 200 such entries kept one waiting 48 s in a server), and the next question
    ranks it by meaning."""
    from almanac.search import searcher as searcher_module

    monkeypatch.setattr(searcher_module, "EMBED_GRACE_SECONDS", 0.5)
    searcher = Searcher(seeded_store, fake)
    searcher.search("Irmin")
    seed = _texts(seeded_store.entries())
    assert fake.calls == seed + 1  # 25 entries embedded (whole and parts) on first load, then the query
    searcher.search("Irmin")
    assert fake.calls == seed + 2  # nothing re-embedded
    (key,) = seeded_store.source_keys()
    entries = [
        dataclasses.replace(e, summary=e.summary.replace("The New Stack", "The Old Stack"))
        for e in seeded_store.entries()
    ]
    change = seeded_store.replace_source(key, entries)
    assert change.changed == ["ian-eyberg-joshua-bernstein-anil-madhavapeddy-at-oscon-in-2016-06"]
    result = searcher.search("Old Stack interview")  # answered at once, the edited entry by words
    assert result.hits[0].entry.id == change.changed[0]
    assert fake.calls == seed + 3  # the question alone
    searcher._embedding.join(timeout=30)
    assert fake.calls == seed + 2 + 1 + _texts([seeded_store.get(change.changed[0])])  # the query, then the entry
    result = searcher.search("Old Stack interview")
    assert result.hits[0].entry.id == change.changed[0] and result.explain["signals"]
    assert searcher._snapshot.matrix[searcher._snapshot.index[change.changed[0]]].any()  # by meaning now


def test_a_store_closed_before_the_background_embedding_is_one_warning(seeded_store, fake, monkeypatch, caplog):
    """A process stopping closes its store while the embedding thread still waits its grace: that
    is not a fault to log with a traceback at ERROR (a scheduler test caught one such traceback
    from a thread an earlier test left waiting), but one line saying why nothing was embedded."""
    import logging

    from almanac.search import searcher as searcher_module

    monkeypatch.setattr(searcher_module, "EMBED_GRACE_SECONDS", 0.3)
    searcher = Searcher(seeded_store, fake)
    searcher.search("Irmin")
    (key,) = seeded_store.source_keys()
    entries = [dataclasses.replace(e, summary=f"{e.summary} Revised.") if i == 0 else e
               for i, e in enumerate(seeded_store.entries())]
    seeded_store.replace_source(key, entries)
    with caplog.at_level(logging.WARNING, logger="almanac.search.searcher"):
        searcher.search("Irmin")  # notices the entry without a vector: the thread waits its grace
        assert searcher._embedding is not None and searcher._embedding.is_alive()
        seeded_store.close()
        searcher._embedding.join(timeout=30)
    said = [r for r in caplog.records if r.name == "almanac.search.searcher"]
    assert [r.levelno for r in said] == [logging.WARNING], caplog.text
    assert said[0].getMessage().startswith("embedding the entries without vectors skipped: ")
    assert "closed" in said[0].getMessage() and "Traceback" not in caplog.text


def test_search_embeds_what_understand_says_in_one_call(seeded_store, fake, monkeypatch):
    """The evaluation embeds many questions at once from `Searcher.understand`: it must be what
    `search` embeds, the meaning and, for a description, its content without the frame."""
    searcher = Searcher(seeded_store, fake)
    searcher.search("warm up")  # embeds the archive
    seen: list[list[str]] = []
    encode = fake.encode
    monkeypatch.setattr(fake, "encode", lambda texts: seen.append(list(texts)) or encode(texts))
    for question in ("the talk where he explained tiny virtual machines for one app", "Jitsu DNS unikernels"):
        texts = searcher.understand(question).to_encode
        searcher.search(question)
        assert seen.pop() == texts
    described = searcher.understand("the talk where he explained tiny virtual machines for one app")
    assert described.to_encode == [described.meaning, "explained tiny virtual machines for one app"]
    assert searcher.understand("Jitsu DNS unikernels").to_encode == ["jitsu dns unikernels"]


def ingest_text(store, tmp_path, text: str) -> None:
    """Ingest `text` (the seed's text format, one entry per heading) as the whole archive."""
    archive = tmp_path / "names.txt"
    archive.write_text(text, encoding="utf-8")
    assert ingest(store, [str(archive)], str(tmp_path)).total("added") == text.count(" / ")


def test_an_entry_holding_a_whole_name_from_the_question_ranks_first(store, fake, tmp_path):
    """"Ben Green" is two everyday words: entries sharing one of them and the rest of the question's
    words outrank the paper naming him unless holding the whole name counts (`FusionWeights.name`)."""
    ingest_text(store, tmp_path,
                "A profile of the mathematician / July 2015\n"
                "Anything he did as a child, what he did with friends, and how he did it.\n"
                "Primes in progression / April 2004\nMy paper with Ben Green on evenly spaced primes.\n"
                "Green tea and numbers / May 2010\nA chat about green tea with a friend.\n"
                "Ben and the lecture hall / June 2012\nBen Smith asked what he did in the lecture.\n")

    def first(question, weights):
        return Searcher(store, fake, weights=weights, strictness=0.0).search(question).hits[0].entry.title

    question = "anything he did with Ben Green?"
    assert first(question, FusionWeights(name=0.0)) == "Ben and the lecture hall"
    assert first(question, FusionWeights()) == "Primes in progression"
    # Punctuation ends a name: "Green, Ben" is two names, so no entry holds a whole one.
    assert first("anything he did with Green, Ben?", FusionWeights()) == "Ben and the lecture hall"


def test_a_date_inside_a_description_prefers_its_entries_and_excludes_none(store, fake, tmp_path):
    """"the show where he dived the reef he first saw in 1957" tells when something in the show
    happened: the show came out in 2015, and a filter to 1957 left only the wrong entry (the
    question was refused or answered with it). Such a date prefers its entries; one that dates the
    entry ("the show from 1957 where ...") still filters."""
    ingest_text(store, tmp_path,
                "Back to the coral reef / December 2015\nHe dived the coral reef he first saw as a young man.\n"
                "Zoo Quest begins / 1957\nA new series on animals from a reef and a forest.\n")
    searcher = Searcher(store, fake, strictness=0.0)
    result = searcher.search("the show where he dived the coral reef he first saw in 1957")
    assert result.filters.get("date_boost") is True and result.filters["year"] == 1957
    assert result.hits[0].entry.title == "Back to the coral reef"
    strict = searcher.search("the show from 1957 where he dived the coral reef he first saw")
    assert "date_boost" not in strict.filters
    assert [h.entry.title for h in strict.hits] == ["Zoo Quest begins"]


def test_a_question_about_him_asked_of_an_archive_about_her_is_about_someone_else(store, fake, tmp_path):
    """An archive's entries say "she" of its person; "the talk where he demonstrated card tricks"
    asks about someone else however close its meaning, while a pronoun after "who" may be anyone
    the question mentions (`other_person`)."""
    ingest_text(store, tmp_path,
                "Card tricks for beginners / May 2016\nShe showed the card tricks she learned as a child.\n"
                "Magic at the festival / June 2017\nShe performed, and she explained misdirection.\n"
                "A book on magic / July 2018\nShe wrote about how she misdirects an audience.\n"
                "An evening with a magician / Aug 2019\nShe talked with a magician he admired.\n")
    searcher = Searcher(store, fake)

    def other_person(question):
        return searcher.search(question).explain["signals"]["other_person"]

    assert other_person("the talk where he demonstrated card tricks") == 1.0
    assert other_person("his talk on card tricks") == 1.0
    assert other_person("the talk where she demonstrated card tricks") == 0.0
    assert other_person("the magician who said he taught her card tricks") == 0.0
    assert other_person("card tricks") == 0.0


def test_an_archive_written_in_the_first_person_is_about_no_pronoun(store, fake, tmp_path):
    ingest_text(store, tmp_path,
                "Card tricks for beginners / May 2016\nI showed the card tricks I learned as a child.\n"
                "Magic at the festival / June 2017\nI performed; she said I explained misdirection well.\n")
    assert Searcher(store, fake).search("the talk where he demonstrated card tricks").explain["signals"]["other_person"] == 0.0


def test_an_entry_writing_the_name_as_the_question_does_is_the_one_named(store, fake, tmp_path):
    """Holding a name's words is not holding the name: "The Last Guardian" (a game) writes Guardian
    as a name, and "a new ... York ... at times" holds new, york and times. Where an entry writes the
    name word after word as the question does, it alone gets the name's boost (`as_written`)."""
    ingest_text(store, tmp_path,
                "Podcast on The Last Guardian / May 2016\nA podcast on the game The Last Guardian, and what he told us.\n"
                "The day I fall over / Dec 2023\nIn an interview with The Guardian I said what he told me.\n"
                "A new York sketch / Jan 2020\nA new drawing of York; at times I wrote about it for a paper.\n"
                "Why I almost said no / Jan 2022\nAn essay I wrote for the New York Times about fear.\n")
    searcher = Searcher(store, fake, strictness=0.0)

    def named(question):
        snap = searcher._current()
        question = searcher.understand(question)
        found = np.flatnonzero(np.ones(len(snap), dtype=bool))
        return sorted(store.get(snap.ids[i]).title for i in name_holders(question, snap, store, found))

    assert named("what did he tell The Guardian?") == ["The day I fall over"]
    assert named("what has she written for the New York Times?") == ["Why I almost said no"]
    # "the Guardian": the name is one word, which both write as a name, so both are named.
    assert named("what did he tell the Guardian?") == ["Podcast on The Last Guardian", "The day I fall over"]


def test_a_question_is_read_again_with_its_typos_read_as_the_archive_s_words(seeded_store, fake):
    """A typo of a word the parser knows ("tallks") was corrected only as a word to rank by, so "any
    tallks from 2015?" ranked by "talk" instead of listing the talks of 2015 as the question typed
    right does. Read again with the archive's word in its place, it is that question; the words
    corrected are still reported, and the question as typed is not corrected twice."""
    searcher = Searcher(seeded_store, fake)
    typed = searcher.understand("any tallks from 2015?")
    right = searcher.understand("any talks from 2015?")
    assert typed.corrected == {"tallks": "talks"} and right.corrected == {}
    assert (typed.parsed.kind, typed.parsed.kind_strict, typed.parsed.year_from, typed.terms) == \
        (right.parsed.kind, right.parsed.kind_strict, right.parsed.year_from, right.terms) == ("talk", True, 2015, ())
    listing = searcher.search("any tallks from 2015?", limit=10)
    assert listing.filters["corrected"] == {"tallks": "talks"}
    assert [h.entry.id for h in listing.hits] == [h.entry.id for h in searcher.search("any talks from 2015?", limit=10).hits]
    assert listing.total == 4


def test_a_place_called_by_its_nickname_is_read_as_the_name_the_archive_writes(store, fake, tmp_path):
    """"Philly", "DC": chat's names for places the entries write in full. Read only where the archive
    never writes the nickname and writes the whole name; two letters only in capitals."""
    ingest_text(store, tmp_path,
                "On stage in Philadelphia / February 2011\nA Valentine's Day show at the Merriam Theater.\n"
                "A lecture in Washington / May 2017\nAt the Hirshhorn, on the Stars group of 1979.\n"
                "Opera night / June 2019\nA speech at La Scala in Milan.\n")
    searcher = Searcher(store, fake)
    question = searcher.understand("saw him live in Philly")
    assert question.corrected == {"philly": "Philadelphia"} and question.terms == ("saw", "live", "philadelphia")
    assert searcher.understand("a lecture in DC").terms == ("washington",)
    assert searcher.understand("anything from la opera").corrected == {}  # "la" in lower case is French
    assert searcher.understand("any talks in NYC?").corrected == {}  # no entry writes New York
    result = searcher.search("saw him live in Philly")
    assert result.hits[0].entry.title == "On stage in Philadelphia"


def test_a_number_in_words_is_read_as_the_archive_writes_it(store, fake, tmp_path):
    """"fifteen cities" where the summary says "15 cities", "a 3 hour chat" where it says
    "three-hour": unread, the number matched no entry and counted against answering. Read as the
    archive writes it only where the archive does not write it as asked."""
    ingest_text(store, tmp_path,
                "Touring Australia / March 2019\nShe spoke in 15 cities across Australia in a month.\n"
                "A long talk with a comedian / 2020\nA three-hour conversation about climbing and fear.\n"
                "Seven summits / 2021\nOn climbing seven peaks; the 7 of them took her twelve years.\n")
    searcher = Searcher(store, fake)
    question = searcher.understand("the time she spoke in fifteen cities")
    assert question.corrected == {"fifteen": "15"} and "15" in question.terms
    assert searcher.understand("that 3 hour chat with a comedian").corrected == {"3": "three"}
    assert searcher.understand("the seven summits, 12 years").corrected == {"12": "twelve"}  # "seven" is written
    assert searcher.understand("her Climbing 12 list").corrected == {}  # a name's number
    assert searcher.search("the time she spoke in fifteen cities").hits[0].entry.title == "Touring Australia"


def test_a_question_reads_a_clipped_name_as_the_archive_s(seeded_store, fake):
    """'madh' for Madhavapeddy, as 'zuck' for Zuckerberg: read as the one archive word it begins
    (the archive's words sorted once per snapshot), and searched as that word."""
    searcher = Searcher(seeded_store, fake)
    question = searcher.understand("anything with madh lol")
    assert question.corrected == {"madh": "madhavapeddy"}
    assert question.terms == ("madhavapeddy",)
    result = searcher.search("anything with madh lol", limit=5)
    assert result.filters["corrected"] == {"madh": "madhavapeddy"} and result.hits


def test_a_searcher_counts_a_word_once_per_version_of_the_store(seeded_store, fake, monkeypatch):
    """Counts change only with the store's version: a question's words (and joined pairs) are asked of
    the store together the first time (on PostgreSQL one round trip), not again until entries change."""
    asked = []
    count = seeded_store.term_doc_counts
    monkeypatch.setattr(seeded_store, "term_doc_counts", lambda terms: asked.append(list(terms)) or count(terms))
    searcher = Searcher(seeded_store, fake)
    first = searcher.search("Jitsu DNS unikernels").to_json()
    assert asked == [["jitsu", "dns", "unikernels", "jitsudns", "dnsunikernels"]]
    assert searcher.search("Jitsu DNS unikernels").to_json() == first and len(asked) == 1
    assert searcher.search("unikernels on Xen").answered and asked[1:] == [["xen", "unikernelsxen"]]
    (key,) = seeded_store.source_keys()
    seeded_store.replace_source(key, [dataclasses.replace(e, summary=e.summary + " Jitsu.")
                                      for e in seeded_store.entries()][:3])
    again = searcher.search("Jitsu DNS unikernels")
    assert asked[2:] == [["jitsu", "dns", "unikernels", "jitsudns", "dnsunikernels"]]
    assert again.to_json() != first


def test_similar_excludes_itself_and_raises_for_unknown(seeded_store, fake):
    searcher = Searcher(seeded_store, fake)
    hits = searcher.similar(JITSU_PAPER, limit=4)
    assert len(hits) == 4 and all(isinstance(h, Hit) for h in hits)
    assert JITSU_PAPER not in [h.entry.id for h in hits]
    with pytest.raises(KeyError):
        searcher.similar("no-such-entry")


def test_empty_store_answers_nothing(store, fake):
    result = Searcher(store, fake).search("unikernels")
    assert result == SearchResult("unikernels", False, {}, [])


def test_highlight_picks_sentence_with_most_question_words():
    summary = "First sentence about nothing. Jitsu boots unikernels on DNS requests. Last one."
    assert highlight(summary, ["booting", "dns"]) == "Jitsu boots unikernels on DNS requests."
    assert highlight(summary, []) == "First sentence about nothing."


def test_jitsu_paper_first_with_real_model(real_store, real_embedder):
    result = Searcher(real_store, real_embedder).search("which paper showed unikernels booting on a DNS request?")
    assert result.answered
    assert result.filters == {"kind": "paper"}
    assert result.hits[0].entry.id == JITSU_PAPER
    assert "DNS" in result.hits[0].highlight and "boot" in result.hits[0].highlight


def test_off_topic_refused_with_real_model(real_store, real_embedder):
    result = Searcher(real_store, real_embedder).search("how do I bake bread?")
    assert result.answered is False and result.hits == []


# --- the CLI ---------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, real_embedder, embedded_seed_copy, onnx_cache_dir):
    """`almanac` in-process over the embedded seed, sharing the session's model and ONNX export."""
    monkeypatch.setattr("almanac.embeddings.load_embedder", lambda model="": real_embedder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(onnx_cache_dir))
    return main


def test_ask_prints_jitsu_paper_first_with_its_sentence(cli, capsys):
    capsys.readouterr()
    assert cli(["ask", "which paper showed unikernels booting on a DNS request?"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Jitsu: Just-In-Time Summoning of Unikernels"
    assert out[1] == "  paper, May 2015"
    assert "DNS tricks" in out[2]
    assert out[3] == "  id: jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"


def test_ask_lists_other_relevant_entries(cli, capsys):
    capsys.readouterr()
    assert cli(["ask", "Jitsu unikernels booting on a DNS request"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Jitsu: Just-")
    also = out.index("Also relevant:")
    assert any("jitsu-just-in-time-summoning-of-unikernels" in line for line in out[also + 1:])


def test_ask_explain_shows_the_signals(cli, capsys):
    capsys.readouterr()
    assert cli(["ask", "how do I bake bread?", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "Nothing in the archive answers" in out
    assert "Why: refuses: probability" in out and "unknown" in out and "coverage" in out
    assert cli(["ask", "how do I bake bread?", "--json", "--explain"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is False and data["explain"]["probability"] < 0.5


def test_ask_json_shape(cli, capsys):
    capsys.readouterr()
    assert cli(["ask", "anything with Gabriel Radanne?", "--json", "--limit", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "anything with Gabriel Radanne?"
    assert data["answered"] is True and data["filters"] == {}
    assert [r["id"] for r in data["results"]] == ["programming-unikernels-in-the-large-via-functor-driven-2019-05"]
    assert data["results"][0]["highlight"].startswith("Preprint on programming unikernels with ML modules")
    assert cli(["ask", "Irmin", "--json", "--limit", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["results"]) == 2 and data["results"][0]["id"].startswith("irminsule-")


def test_ask_batch_reads_stdin_in_order(cli, capsys, monkeypatch):
    import io

    questions = ["talks from February 2020", "how do I bake bread?", "", "Irmin 2.0"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(questions) + "\n"))
    capsys.readouterr()
    assert cli(["ask", "--json", "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["query"] for d in lines] == questions
    assert lines[0]["filters"] == {"kind": "talk", "year": 2020, "month": 2}
    assert {r["id"] for r in lines[0]["results"]} == {
        "the-first-billion-real-deployments-of-unikernels-2020-02",
        "rebuilding-operating-systems-with-functional-principles-2020-02",
    }
    assert lines[1]["answered"] is False and lines[1]["results"] == []
    assert lines[2]["answered"] is False
    assert lines[3]["filters"] == {}


def test_ask_empty_question_is_usage_error(cli, capsys):
    capsys.readouterr()
    assert cli(["ask", "   "]) == 2
    assert capsys.readouterr().err.strip() == (
        'almanac: the question is empty; ask something, e.g. almanac ask "papers about Jitsu"'
    )


def test_ask_long_question_is_cut_with_warning(cli, capsys):
    capsys.readouterr()
    assert cli(["ask", "unikernels " * 200, "--json"]) == 0
    captured = capsys.readouterr()
    assert "warning: question is 2199 characters; searching its first 1000" in captured.err
    assert len(json.loads(captured.out)["query"]) == 1000


def test_ask_no_answer_suggests_list(cli, capsys):
    capsys.readouterr()
    assert cli(["ask", "how do I bake bread?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing in the archive answers")
    assert "almanac list" in out


def test_similar_cli(cli, capsys):
    capsys.readouterr()
    assert cli(["similar", JITSU_PAPER, "--json", "--limit", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 3 and JITSU_PAPER not in [d["id"] for d in data]
    assert data[0]["id"].startswith("jitsu-")
    assert cli(["similar", "nope"]) == 1
    assert capsys.readouterr().err.strip() == "almanac: no entry with id 'nope' (see `almanac list`)"


def test_searches_from_threads_while_the_archive_changes(seeded_store, fake, monkeypatch):
    """The bot and the web server search from worker threads while a refresh writes; what the
    writes left without vectors is embedded in the background, once."""
    import concurrent.futures

    from almanac.search import searcher as searcher_module

    monkeypatch.setattr(searcher_module, "EMBED_GRACE_SECONDS", 0.0)

    searcher = Searcher(seeded_store, fake)
    (key,) = seeded_store.source_keys()
    entries = seeded_store.entries()

    def writer():
        for i in range(5):
            changed = [dataclasses.replace(e, summary=f"{e.summary} Revision {i}.") for e in entries[:3]]
            seeded_store.replace_source(key, changed + entries[3:])

    def reader(q):
        return [searcher.search(q).answered for _ in range(10)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(writer)] + [pool.submit(reader, q) for q in ("Jitsu DNS", "Irmin", "Docker")]
        results = [f.result(timeout=60) for f in futures]
    assert all(all(r) for r in results[1:])
    searcher.search("Revision 4")  # a reload after the last write embeds aside what it left without vectors
    if searcher._embedding is not None:  # (none when the first load came after every write)
        searcher._embedding.join(timeout=30)
    assert seeded_store.entries_missing_vectors_count(fake.model_name) == 0
    assert searcher.search("Revision 4").hits[0].entry.summary.endswith("Revision 4.")


def test_many_missing_vectors_are_left_to_ingest(store, fake, caplog):
    """After `ingest --no-embed` of a big archive, questions answer at once, by words."""
    from almanac.entry import Entry, PartialDate
    from almanac.search import EMBED_ON_SEARCH

    entries = [
        Entry(id=f"note-{i}", title=f"Note {i}", date=PartialDate(2020, 1), kind="article",
              summary=f"Number {i} of many notes about gardening." + (" The rare zyzzyva." if i == 7 else ""))
        for i in range(EMBED_ON_SEARCH + 10)
    ]
    store.replace_source("notes.txt", entries)
    searcher = Searcher(store, fake)
    result = searcher.search("zyzzyva")
    assert fake.calls == 1  # only the question was encoded
    assert result.answered and result.hits[0].entry.id == "note-7"
    # without vectors the words decide, both ways: nothing here is about baking
    assert not searcher.search("how do I bake sourdough bread at home?").answered
    assert f"{EMBED_ON_SEARCH + 10} entries have no fake-bow-64 vector yet" in caplog.text


def test_ask_on_an_empty_archive_says_to_ingest(monkeypatch, real_embedder, onnx_cache_dir, capsys):
    monkeypatch.setattr("almanac.embeddings.load_embedder", lambda model="": real_embedder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(onnx_cache_dir))
    assert main(["migrate"]) == 0  # a database with no entries (a missing one is an error: test_cli_archive)
    assert main(["ask", "Jitsu"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "The archive is empty: run `almanac ingest` first."


def test_highlight_counts_kind_words_half():
    summary = "Gave a talk in Berlin. It was the keynote of the day. Berlin was cold."
    assert highlight(summary, [], ("keynote",)) == "It was the keynote of the day."
    assert highlight(summary, ["berlin"], ("keynote",)) == "Gave a talk in Berlin."


def test_past_months_and_years_reach_back_from_today(store, fake):
    """On 1 December 2026 "the past two years" starts in December 2024: an entry of May 2024 is
    out, one of December 2024 in; one known only as 2025 is in (its whole year is), 2024 out."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    dates = {"may-2024": PartialDate(2024, 5), "dec-2024": PartialDate(2024, 12), "year-2024": PartialDate(2024),
             "year-2025": PartialDate(2025), "jun-2026": PartialDate(2026, 6, 23), "may-2026": PartialDate(2026, 5)}
    store.replace_source("notes.txt", [
        Entry(id=k, title=f"Note {k}", date=d, kind="talk", summary=f"A talk about gardening ({k}).")
        for k, d in dates.items()])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    two_years = searcher.search("any talks in the past two years?", limit=10)
    assert {h.entry.id for h in two_years.hits} == {"dec-2024", "year-2025", "jun-2026", "may-2026"}
    six_months = searcher.search("anything in the past six months?", limit=10)
    assert [h.entry.id for h in six_months.hits] == ["jun-2026"]


def test_a_day_filters_to_that_day_and_the_latest_is_the_later_day(store, fake):
    """'what did she do on May 4, 2021?' lists that day's entry (and one known only to May 2021,
    which may be from that day too), not the month's others; within one month "the latest" is
    the later day; a day with nothing says so and names the nearest entries."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    dates = {"may-2": PartialDate(2021, 5, 2), "may-4": PartialDate(2021, 5, 4), "may-28": PartialDate(2021, 5, 28),
             "may": PartialDate(2021, 5), "june-1": PartialDate(2021, 6, 1)}
    # archive order is not date order: the day must decide "the latest"
    store.replace_source("notes.txt", [
        Entry(id=k, title=f"Note {k}", date=dates[k], kind="talk", summary=f"A talk about gardening ({k}).")
        for k in ("may-28", "may", "may-4", "june-1", "may-2")])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    for question in ("what did she do on May 4, 2021?", "anything from 4 May 2021", "talks on 2021-05-04"):
        result = searcher.search(question, limit=10)
        assert result.filters["day"] == 4, question
        assert {h.entry.id for h in result.hits} == {"may-4", "may"}, question
    latest = searcher.search("her latest talk in May 2021", limit=1)
    assert [h.entry.id for h in latest.hits] == ["may-28"]
    store.replace_source("notes.txt", [
        Entry(id=k, title=f"Note {k}", date=dates[k], kind="talk", summary=f"A talk about gardening ({k}).")
        for k in ("may-28", "may-2")])
    none = searcher.search("talks on 10 May 2021")
    assert not none.answered
    assert none.note.startswith("No talks on 10 May 2021; the latest before was in May 2021: Note may-2")


def test_an_empty_month_names_the_nearest_entries_by_their_days(store, fake):
    """"talks in June 2021" with three May talks and two August ones, in archive order: the note
    compared months only, so the May talks tied and archive order chose ("the latest before was in
    May 2021: early May"), and a feed read newest first always named a month's last entry as "the
    next after". It names the 28 May talk and the 3 August one."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    days = {"may-2": PartialDate(2021, 5, 2), "may-28": PartialDate(2021, 5, 28), "may-15": PartialDate(2021, 5, 15),
            "aug-30": PartialDate(2021, 8, 30), "aug-3": PartialDate(2021, 8, 3)}
    store.replace_source("notes.txt", [
        Entry(id=k, title=f"Note {k}", date=d, kind="talk", summary=f"A talk about gardening ({k}).")
        for k, d in days.items()])
    none = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1)).search("talks in June 2021")
    assert not none.answered and none.note == ("No talks in June 2021; the latest before was in May 2021: Note may-28; "
                                               "the next after was in August 2021: Note aug-3.")


def test_a_show_asked_for_is_a_podcast_or_a_video(store, fake):
    """"his most recent series", "programmes from the 1950s", "any shows?": a show is a podcast or a
    video, listed newest first like any kind; a talk is not one; none in a decade says so."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    entries = [("zoo", PartialDate(1954, 12), "video"), ("radio", PartialDate(1957, 3), "podcast"),
               ("lecture", PartialDate(1958), "talk"), ("reef", PartialDate(2016, 4, 10), "video"),
               ("chat", PartialDate(2020, 3, 26), "podcast"), ("garden", PartialDate(2026, 5), "video")]
    store.replace_source("notes.txt", [
        Entry(id=k, title=f"Entry {k}", date=d, kind=kind, summary=f"About animals ({k}).") for k, d, kind in entries])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    assert [h.entry.id for h in searcher.search("his most recent series", limit=1).hits] == ["garden"]
    assert [h.entry.id for h in searcher.search("his earliest programme", limit=1).hits] == ["zoo"]
    fifties = searcher.search("programmes from the 1950s", limit=10)
    assert [h.entry.id for h in fifties.hits] == ["radio", "zoo"] and fifties.filters["kind"] == "show"
    assert {h.entry.id for h in searcher.search("any shows?", limit=10).hits} == {"zoo", "radio", "reef", "chat",
                                                                                  "garden"}
    assert [h.entry.id for h in searcher.search("shows from 2016", limit=10).hits] == ["reef"]
    none = searcher.search("programmes from the 1980s")
    assert not none.answered and none.note == ("No shows in the 1980s; the latest before was in March 1957: Entry "
                                               "radio; the next after was in April 2016: Entry reef.")


def _gardens(store, kinds: tuple[str, ...]) -> None:
    """Entries alike in every word but their kind (id = kind), in this order, one a month of 2020:
    what tells them apart in ranking is only what the question says of the kind."""
    store.replace_source("notes.txt", [
        Entry(id=kind, title=f"Gardens ({n})", date=PartialDate(2020, n), kind=kind, summary="A chat about gardens.")
        for n, kind in enumerate(kinds, start=1)])


def test_a_medium_described_favours_entries_of_its_kind(store, fake):
    """"the radio chat about gardens" describes a podcast and "the tv one about gardens" a video,
    without filtering: of three entries alike in words, the one of the medium's kind comes first,
    and the others are still listed. A newspaper names no kind here, so the first of the three stays
    first. Strictness 0: this is about the ranking, not whether the fake embedder's cosines answer."""
    _gardens(store, ("article", "podcast", "video"))
    searcher = Searcher(store, fake, strictness=0.0)
    for question, first in (("the radio chat about gardens", "podcast"), ("the tv chat about gardens", "video"),
                            ("the chat about gardens in the newspaper", "article")):
        result = searcher.search(question, limit=3)
        assert [h.entry.id for h in result.hits][0] == first, question
        assert len(result.hits) == 3, question


def test_a_verb_of_writing_favours_written_entries(store, fake):
    """"what did she publish about gardens?" describes something she wrote: of three entries alike
    in words, the paper comes first, and the interview and the talk are still listed (a boost, never
    a filter). A magazine publishing about her is no writing of hers: the first of the three stays
    first. Strictness 0: this is about the ranking, not whether the fake embedder's cosines answer."""
    _gardens(store, ("interview", "talk", "paper"))
    searcher = Searcher(store, fake, strictness=0.0)
    for question, first in (("what did she publish about gardens?", "paper"),
                            ("did she write anything on gardens?", "paper"),
                            ("what has the magazine published about her gardens?", "interview")):
        result = searcher.search(question, limit=3)
        assert [h.entry.id for h in result.hits][0] == first, question
        assert len(result.hits) == 3, question


def test_a_misspelt_name_with_a_digit_is_read_as_the_archives_word(store, fake):
    """'breakng2' is the archive's 'Breaking2' misspelt: corrected like any word ('2019' is not a word)."""
    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="b2", title="Breaking2 at Monza", date=PartialDate(2017, 5, 6), kind="news",
              summary="The attempt at a two-hour marathon."),
        Entry(id="other", title="A garden visit", date=PartialDate(2018), kind="news", summary="Roses.")])
    result = Searcher(store, fake).search("kipchoge breakng2", limit=2)
    assert result.filters["corrected"] == {"breakng2": "breaking2"}


def test_a_rare_english_word_is_not_corrected_into_the_archives_word(store, fake):
    """'treehouse' is rarer than wordfreq's small list reaches, but English, not a misspelt
    'greenhouse': read as one, a question about building a treehouse became one about the
    greenhouse effect on a climate scientist's archive. A misspelling of the archive's word
    ('greenhose', 'pavillion') is still corrected."""
    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="gh", title="The greenhouse effect", date=PartialDate(2017, 5, 6), kind="talk",
              summary="Why greenhouse gases warm the planet, told to a group in the pavilion."),
        Entry(id="other", title="A garden visit", date=PartialDate(2018), kind="news", summary="Roses.")])
    searcher = Searcher(store, fake)
    for question in ("the video where he built a treehouse for his kids", "aphids on the roses",
                     "how to clean grout"):  # "grout": one letter from "group", but short and a word
        assert "corrected" not in searcher.search(question, limit=2).filters, question
    assert searcher.search("greenhose gases", limit=2).filters["corrected"] == {"greenhose": "greenhouse"}
    # a misspelling common enough for wordfreq to list it, one slip from the archive's word
    assert searcher.search("the pavillion talk", limit=2).filters["corrected"] == {"pavillion": "pavilion"}


def test_a_short_word_one_slip_from_the_archives_word_is_read_as_it(store, fake):
    """'wrold', 'hymm': one letter swapped or changed costs a short word too much of the ratio
    longer typos are matched by, yet it is how short words are mistyped. A capitalised word is a
    name ('Wijk' is no 'wink'), and the slip keeps the first letter ('wget' is no 'get')."""
    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="wr", title="A world record in Berlin", date=PartialDate(2022, 9, 25), kind="news",
              summary="A hymn for the runners, and a wink to the crowd at the get-together."),
        Entry(id="other", title="A garden visit", date=PartialDate(2018), kind="news", summary="Roses.")])
    searcher = Searcher(store, fake)
    assert searcher.search("berlin wrold record", limit=2).filters["corrected"] == {"wrold": "world"}
    assert searcher.search("the hymm for the runners", limit=2).filters["corrected"] == {"hymm": "hymn"}
    for question in ("the race in Wijk", "how do I use wget"):
        assert "corrected" not in searcher.search(question, limit=2).filters, question


def test_a_name_spelt_another_way_is_read_as_the_name_the_archive_is_about(store, fake):
    """'katherine hayhoe' in an archive where a third of the entries say Katharine: both are English
    words, so it was no typo, and the question lost its strongest word. An everyday word one slip
    from a frequent one ('price' beside 'prime') stays what it is, and so does a name one slip from
    a word few entries hold."""
    from almanac.entry import Entry, PartialDate

    entries = [Entry(id=f"e{i}", title=f"Climate note {i}", date=PartialDate(2010 + i), kind="article",
                     summary=("Katharine Hayhoe on " if i % 3 == 0 else "A note on ") + f"prime topic {i}.")
               for i in range(9)]
    entries.append(Entry(id="m", title="Lunch with Mathews", date=PartialDate(2020), kind="news",
                         summary="A lunch in Lubbock."))
    store.replace_source("notes.txt", entries)
    searcher = Searcher(store, fake)
    assert searcher.search("katherine hayhoe", limit=2).filters["corrected"] == {"katherine": "katharine"}
    for question in ("the price of it", "lunch with mathew"):
        assert "corrected" not in searcher.search(question, limit=2).filters, question


def test_a_medium_no_entry_writes_says_a_kind_and_is_no_word_to_hold(store, fake):
    """'interviews he gave on radio or TV' where no entry writes "TV" (they say BBC, Colbert), or
    "been a guest on" where none says "guest": the word was one to match that no entry holds,
    which counts against answering, and the question was refused. An archive that writes "TV"
    keeps it a word to match."""
    from almanac.entry import Entry, PartialDate

    entries = [
        Entry(id="a", title="On the Colbert Report", date=PartialDate(2008, 8, 29), kind="interview",
              summary="On Comedy Central's late-night show."),
        Entry(id="b", title="Radio hour on language", date=PartialDate(2011, 12), kind="interview",
              summary="An hour of listeners' questions on the radio about language."),
    ]
    store.replace_source("notes.txt", entries)
    searcher = Searcher(store, fake)
    assert searcher.understand("interviews he gave on radio or TV").terms == ("radio",)
    assert searcher.understand("interviews he's been a guest on").terms == ()  # no entry says "guest"
    store.replace_source("notes.txt", entries + [
        Entry(id="c", title="A TV debate", date=PartialDate(2015), kind="video", summary="On TV.")])
    assert searcher.understand("interviews he gave on radio or TV").terms == ("radio", "tv")


def test_a_word_and_the_next_joined_are_no_compound_when_the_index_reads_them_as_the_first(store, fake):
    """'roger ebert ted talk': "ebert" and "ted" joined is "ebertted", which the full-text stemmer
    reads as "ebert" (on SQLite and PostgreSQL alike), so the pair counted as a compound every
    entry naming Ebert holds and the question lost "TED": the TED talk ranked below others."""
    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="ted", title="Remaking my voice", date=PartialDate(2011, 3, 4), kind="talk",
              summary="Roger Ebert at TED in Long Beach, speaking through a computer voice."),
        Entry(id="review", title="A review", date=PartialDate(1967), kind="article",
              summary="Roger Ebert reviews a film."),
        Entry(id="xen", title="XenSummit notes", date=PartialDate(2013), kind="talk",
              summary="At the XenSummit in Edinburgh.")])
    searcher = Searcher(store, fake)
    assert searcher.understand("roger ebert ted talk").terms == ("roger", "ebert", "ted")
    assert searcher.understand("xen summit notes").terms == ("xensummit", "notes")


def test_a_number_of_entries_asked_for_is_how_many_are_listed(store, fake):
    """'the last 3 talks' lists the three newest talks, not the page size's five, and the number is
    no topic to rank by (it was, and refused the question); 'his two earliest papers' the two oldest."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    talks = [Entry(id=f"talk-{y}", title=f"Talk {y}", date=PartialDate(y, 3), kind="talk",
                   summary=f"A talk about gardening in {y}.") for y in range(2015, 2022)]
    papers = [Entry(id=f"paper-{y}", title=f"Paper {y}", date=PartialDate(y, 6), kind="paper",
                    summary=f"A paper about soil in {y}.") for y in range(2016, 2020)]
    store.replace_source("notes.txt", talks + papers)
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    last = searcher.search("the last 3 talks", limit=5)
    assert last.filters["count"] == 3
    assert [h.entry.id for h in last.hits] == ["talk-2021", "talk-2020", "talk-2019"]
    earliest = searcher.search("his two earliest papers", limit=5)
    assert [h.entry.id for h in earliest.hits] == ["paper-2016", "paper-2017"]
    # more than the page holds: the page size still bounds it
    assert len(searcher.search("the last 7 talks", limit=5).hits) == 5


def test_glue_typed_short_is_glue_unless_the_archive_uses_the_word(store, fake):
    """'stuff frm 2019' is 'stuff from 2019': the 2019 entries, not a search for "frm" (which
    no entry holds, so the question was refused). An archive that writes "FRM" keeps it a word."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    entries = [
        Entry(id="a", title="Soil talk", date=PartialDate(2019, 3), kind="talk", summary="A talk about soil."),
        Entry(id="b", title="Compost paper", date=PartialDate(2019, 5), kind="paper", summary="On compost."),
    ]
    store.replace_source("notes.txt", entries)
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    listed = searcher.search("stuff frm 2019", limit=10)
    assert {h.entry.id for h in listed.hits} == {"a", "b"}
    assert searcher.understand("shw me his talks whr").terms == ()
    store.replace_source("notes.txt", entries + [
        Entry(id="c", title="Risk exam", date=PartialDate(2018, 5), kind="article",
              summary="Passing the FRM exam for risk managers.")])
    assert searcher.understand("frm exam tips").terms == ("frm", "exam", "tips")


def test_glue_slips_are_dropped_letters_of_glue_words_in_order():
    from almanac.words import glue_slip

    assert [glue_slip(w) for w in ("frm", "shw", "evr", "whr", "wen", "hw")] == [
        "from", "show", "ever", "where", "when", "how"]
    # not a slip: its letters are out of order, it names something, or it is an everyday word
    assert [glue_slip(w) for w in ("aws", "xen", "qcon", "jvm", "sam", "mr", "k8s")] == [None] * 7


def test_one_rare_word_is_all_the_question_asks_about(store, fake):
    """'anything she did in Haslemere?': the entry that holds the town comes first, though
    another's wording is closer to the question's (the real model gives a bare place name
    almost no meaning; the bag-of-words fake rewards the glue words shared)."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="outbreak", title="A simulated outbreak", date=PartialDate(2018, 3), kind="video",
              summary="A phone app tracked a pretend flu spreading from the Surrey town of Haslemere, "
                      "with the presenter as patient zero, across thousands of volunteers."),
        Entry(id="plates", title="Spinning plates", date=PartialDate(2023, 5), kind="podcast",
              summary="She did it all in a rush: work and children."),
        Entry(id="trains", title="Trains live", date=PartialDate(2016, 7), kind="video",
              summary="Three nights of live television from a railway centre."),
    ])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1), strictness=0.0)
    result = searcher.search("anything she did in Haslemere?", limit=3)
    assert result.hits[0].entry.id == "outbreak"
    # an everyday word alone is not a name: meaning and words decide as usual
    assert searcher.understand("anything about trains?").terms == ("trains",)


def test_one_everyday_word_written_as_a_name_finds_the_entries_naming_it(store, fake):
    """'what did she publish in Science?': the word is everyday English, so only the entries
    writing it with a capital where no sentence starts hold the name (the journal), not those
    about science (a title would count: it capitalises names whatever its style)."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="prize", title="Awarded a prize", date=PartialDate(2021, 5), kind="news",
              summary="A lifetime of science. Science was her work and her joy."),
        Entry(id="rank", title="Rank and reproduction", date=PartialDate(1997, 8), kind="paper",
              summary="Report in Science, where she and two colleagues wrote on rank among females."),
        Entry(id="essay", title="On hope", date=PartialDate(2010, 1), kind="article",
              summary="An essay on science and hope she did."),
        # a word in over half the entries is not looked up by words at all (retrieve.COMMON_TERM_SHARE)
        *[Entry(id=f"other{i}", title=f"Walk {i}", date=PartialDate(2000 + i, 1), kind="talk",
                summary="A walk in the forest.") for i in range(4)],
    ])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1), strictness=0.0)
    result = searcher.search("what did she publish in Science?", limit=3)
    assert result.hits[0].entry.id == "rank"
    # written in lower case it is a topic, not a name: no entry gets the name's boost
    assert searcher.search("what did she publish in science?", limit=3).hits[0].entry.id != "rank"


def test_the_first_of_the_entries_holding_a_name_is_the_oldest_of_them_all(store, fake):
    """"the first TED talk he ever gave": the talk tagged "ted" (its summary says "TEDGlobal") is
    the oldest holding the name, though a later one saying "TED" three times outranks it by far.
    Before, an ordered answer took only the entries scoring within a quarter of the best, and a
    tag did not hold an everyday word written as a name, so the later talk was the first."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="global", title="Three architecture tales", date=PartialDate(2009), kind="talk", tags=("ted",),
              summary="My talk at TEDGlobal, racing through photo and video stories of buildings that not only "
                      "look like nature but act like it, blocking the wind and framing views of the harbour."),
        Entry(id="east", title="He gave a TED talk", date=PartialDate(2011, 4, 12), kind="talk",
              summary="At a TED evening he gave a talk on a TED space; TED asked him back to give another."),
        Entry(id="lecture", title="Closing lecture", date=PartialDate(2005, 3), kind="talk",
              summary="A lecture on cities and the harbour bath."),
        *[Entry(id=f"walk{i}", title=f"Walk {i}", date=PartialDate(2000 + i, 1), kind="article",
                summary="A walk in the forest.") for i in range(4)],
    ])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1), strictness=0.0)
    result = searcher.search("the first TED talk he ever gave")
    assert result.filters == {"kind": "talk", "order": "oldest"}
    assert [h.entry.id for h in result.hits] == ["global", "east"]


def test_how_old_the_entries_are_beside_a_date_orders_the_listing(store, fake):
    """"older stuff from the 80s or 90s" lists every entry of those decades, oldest first: "older"
    is no word to find (it was, the question was ranked, and the decision refused it)."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="geography", title="Increasing returns and economic geography", date=PartialDate(1990, 3),
              kind="paper", summary="A working paper on why industry clusters in a core region."),
        Entry(id="miracle", title="The myth of Asia's miracle", date=PartialDate(1994), kind="article",
              summary="An essay on growth from inputs rather than efficiency."),
        *[Entry(id=f"column{i}", title=f"Column {i}", date=PartialDate(2010 + i, 5, 1), kind="article",
                summary="A column on trade and tariffs.") for i in range(4)],
    ])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    result = searcher.search("older stuff from the 80s or 90s")
    assert result.answered and result.total == 2
    assert [h.entry.id for h in result.hits] == ["geography", "miracle"]
    # "her older papers": the papers, oldest first; among other words "older" is a word to find
    assert [h.entry.id for h in searcher.search("his older papers").hits] == ["geography"]
    assert "older" in searcher.understand("older columns on tariffs and trade").terms


def test_on_one_date_the_entries_known_to_the_day_are_listed_before_those_known_to_the_month(store, fake):
    """"what came out on 1 October 2012?": a talk known only to October 2012 may be from that day
    and is listed, but after the two known to be (it sorted on the 1st, and came first by archive
    order)."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    store.replace_source("notes.txt", [
        Entry(id="keynote", title="Closing keynote", date=PartialDate(2012, 10), kind="talk",
              summary="A keynote introducing a typed JavaScript."),
        Entry(id="video", title="Introducing the language", date=PartialDate(2012, 10, 1), kind="video",
              summary="A video introducing the language."),
        Entry(id="news", title="The wraps come off", date=PartialDate(2012, 10, 1), kind="news",
              summary="A news story on the launch."),
        Entry(id="later", title="A later story", date=PartialDate(2012, 10, 2), kind="news",
              summary="The day after."),
    ])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    on_the_day = searcher.search("what came out on 1 October 2012?")
    assert [h.entry.id for h in on_the_day.hits] == ["video", "news", "keynote"]
    # newest first over the month: the one known only to the month in its middle, then the 2nd, then the 1st's two
    assert [h.entry.id for h in searcher.search("anything from October 2012?").hits] == ["keynote", "later", "video",
                                                                                           "news"]
    assert [h.entry.id for h in searcher.search("the oldest from October 2012").hits][:2] == ["video", "news"]


def test_an_entry_known_only_to_its_year_or_month_sorts_in_the_middle_of_it(store, fake):
    """Talks from 2 March 2023, 2023 (the year alone) and 10 September 2023: sorted on the first
    day of its year, the 2023 talk was older than the March one, so "his most recent talk" never
    chose it over March. It sorts in mid-June, the guess wrong by least: after March and before
    September in "the latest", "the first" and a listing alike; a talk known only to May 2021
    sorts after the 10th of May and before the 20th."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    dates = {"march": PartialDate(2023, 3, 2), "year": PartialDate(2023), "september": PartialDate(2023, 9, 10)}

    def talks(dates):
        store.replace_source("notes.txt", [
            Entry(id=k, title=f"Talk {k}", date=d, kind="talk", summary=f"A talk about gardening ({k}).")
            for k, d in dates.items()])

    talks(dates)
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1))
    assert [h.entry.id for h in searcher.search("talks from 2023").hits] == ["september", "year", "march"]
    assert [h.entry.id for h in searcher.search("talks from 2023, oldest first").hits] == ["march", "year",
                                                                                             "september"]
    talks({"march": dates["march"], "year": dates["year"]})
    assert [h.entry.id for h in searcher.search("his most recent talk", limit=1).hits] == ["year"]
    talks({"year": dates["year"], "september": dates["september"]})
    assert [h.entry.id for h in searcher.search("his first talk", limit=1).hits] == ["year"]
    talks({"may-10": PartialDate(2021, 5, 10), "may": PartialDate(2021, 5), "may-20": PartialDate(2021, 5, 20)})
    assert [h.entry.id for h in searcher.search("talks from May 2021").hits] == ["may-20", "may", "may-10"]


def test_writes_as_name_skips_sentence_starts_and_lower_case():
    from almanac.words import names_it, writes_as_name

    assert writes_as_name("Report in Science with colleagues.", "science")
    assert not writes_as_name("Science is fun. The science of it.", "science")
    assert not writes_as_name("She said: “Nature wins.”", "nature")
    assert writes_as_name("An essay for Nature (2019).", "nature")
    assert not writes_as_name("Sciences and Scientific method", "science")  # whole words only
    # a title names it with a capital anywhere: places are often named only there
    assert names_it("Beatty Lecture at McGill, Montreal", "A lecture.", "montreal")
    assert names_it("Science Friday: first conversation", "We talked.", "science")
    assert not names_it("Rise of library operating systems", "For a computer science audience.", "science")
    # after a context field's label (a source's `venue: Nature`, kept as "Venue: Nature.") it is a name,
    # though the colon may start a sentence elsewhere
    assert writes_as_name("A review of deep learning. Venue: Nature.", "nature")
    assert not writes_as_name("What it taught me: Nature is patient.", "nature")
    assert not writes_as_name("Revenue: Nature pays.", "nature")  # "Venue" only as a whole word


def test_an_everyday_word_written_as_a_name_is_held_only_where_written_as_one(store, fake):
    """The decision counts the word as held only by an entry naming it: "computer science" does not
    answer "what did he publish in Science?" (it did, as a name held, before the decision used the
    rule that ranking uses)."""
    import datetime as dt

    from almanac.entry import Entry, PartialDate

    queue = Entry(id="queue", title="Rise of library operating systems", date=PartialDate(2013, 11),
                  kind="article", summary="An article for a broad computer science audience.")
    others = [Entry(id=f"walk{i}", title=f"Walk {i}", date=PartialDate(2000 + i, 1), kind="talk",
                    summary="A walk in the forest.") for i in range(3)]
    store.replace_source("notes.txt", [queue, *others])
    searcher = Searcher(store, fake, today=lambda: dt.date(2026, 12, 1), strictness=0.0)
    assert searcher.search("what did he publish in Science?").explain["signals"]["coverage"] == 0.0
    # lower case asks about the topic, which the entry holds
    assert searcher.search("what did he publish in science?").explain["signals"]["coverage"] == 1.0
    store.replace_source("notes.txt", [queue, *others, Entry(
        id="report", title="Rank and reproduction", date=PartialDate(1997, 8), kind="paper",
        summary="Report in Science on rank among females.")])
    result = searcher.search("what did he publish in Science?")
    assert result.hits[0].entry.id == "report" and result.explain["signals"]["coverage"] == 1.0


def test_an_answer_shows_entries_as_the_snapshot_it_was_ranked_on_knew_them(seeded_store, fake):
    """A search ranks and filters on a snapshot of the store, then reads the entries it shows;
    while another process's ingest changed them, "entries from 2015" could show entries as they
    now are, dated 2016 (up to a minute, while the snapshot was being rebuilt). An entry changed
    since the snapshot is left out of that answer; the next snapshot has it as it is."""
    from almanac.entry import PartialDate
    from almanac.search.retrieve import entries_of

    searcher = Searcher(seeded_store, fake)
    before = searcher.search("entries from 2015", limit=50)
    assert before.hits and all(h.entry.date.year == 2015 for h in before.hits)
    snap = searcher._current()
    moved = before.hits[0].entry
    source_key = next(k for k in seeded_store.source_keys())
    rest = [e for e in seeded_store.entries() if e.id != moved.id]
    seeded_store.replace_source(source_key, [*rest, dataclasses.replace(moved, date=PartialDate(2016, 1))])
    numbers = [snap.index[h.entry.id] for h in before.hits]
    shown = entries_of(numbers, snap, seeded_store)
    assert moved.id not in shown and len(shown) == len(numbers) - 1
    assert all(e.date.year == 2015 for e in shown.values())
    after = searcher.search("entries from 2016", limit=50)  # a new snapshot: as it is now
    assert moved.id in {h.entry.id for h in after.hits}


def test_related_table_is_similar_for_every_entry_at_once(seeded_store, fake):
    """A site build asks for every entry's related entries: one `similar` each (a matrix-vector
    product and a store read per entry) took 11 minutes at 100,000 entries. The table gives the
    same ids, in the same order, in block matrix products."""
    from almanac.embeddings import embed_missing

    embed_missing(seeded_store, fake)
    searcher = Searcher(seeded_store, fake)
    table = searcher.related_table(4)
    ids = [e.id for e in seeded_store.entries()]
    assert sorted(table) == sorted(ids)
    for ident in ids:
        assert table[ident] == [h.entry.id for h in searcher.similar(ident, limit=4)], ident
    assert all(ident not in table[ident] and len(table[ident]) == 4 for ident in ids)
    assert searcher.related_table(100)[ids[0]] == [h.entry.id for h in searcher.similar(ids[0], limit=100)]


def _her_archive(store):
    entries = [Entry(id=f"e{i}", title=f"Match report {i}", date=PartialDate(2010 + i), kind="news",
                     summary=f"She scored in the final of cup {i}.", by="Megan Rapinoe") for i in range(6)]
    entries.append(Entry(id="mel", title="Penalty miss in Melbourne", date=PartialDate(2023, 8, 6), kind="news",
                         summary="Megan Rapinoe's last World Cup ended after a shootout in Melbourne.",
                         by="Megan Rapinoe"))
    store.replace_source("feed.xml", entries)


def test_a_question_naming_the_person_asks_about_their_work(store, fake):
    """'Rapinoe Melbourne': the name says whose; the entry that is the answer does not write it, and
    as a word to hold it counted against answering (refused on the footballer's archive)."""
    _her_archive(store)
    searcher = Searcher(store, fake)
    question = searcher.understand("Rapinoe Melbourne")
    assert question.terms == ("melbourne",) and question.names_person
    result = searcher.search("Rapinoe Melbourne", limit=3)
    assert result.explain["signals"]["someone"] == 1.0
    assert result.filters["person"] == ["rapinoe"]  # what --json shows it read the name as
    assert searcher.understand("megan rapinoe").terms == ("megan", "rapinoe")  # only the name: kept
    listing = searcher.search("news by Rapinoe from 2023")  # whose, then a filter: the filter's list
    assert listing.answered and [h.entry.id for h in listing.hits] == ["mel"]
    assert [h.entry.id for h in searcher.search("Rapinoe's latest", limit=2).hits] == ["mel", "e5"]
    assert not searcher.understand("Melbourne").names_person


def test_the_person_s_name_is_not_compared_in_meaning_when_the_question_asks_about_more(store, fake):
    """Every entry is the person's: "Rapinoe's penalty in Melbourne" is compared with the entries as
    "penalty in melbourne" (with the name, the entries that write it came closer than the one that
    answers, and a question about something the archive lacks drew close to every entry naming her);
    "megan rapinoe" alone, or her name beside a filter only, keeps it."""
    _her_archive(store)
    searcher = Searcher(store, fake)
    assert searcher.understand("Rapinoe's penalty in Melbourne").meaning == "penalty in melbourne"
    assert searcher.understand("what did Megan Rapinoe say in Melbourne?").meaning == "what did say in melbourne"
    assert searcher.understand("megan rapinoe").meaning == "megan rapinoe"
    assert searcher.understand("news by Rapinoe from 2023").meaning == "news by rapinoe from 2023"
    assert searcher.understand("Melbourne final").meaning == "melbourne final"
    # chat's asides are not compared either
    assert searcher.understand("tbh penalty in melbourne").meaning == "penalty in melbourne"


def _person_and_one_more(store, about: str, short: str, entry: Entry) -> None:
    """An archive of four lectures naming the person in full (`about`) and by a short name (`short`),
    and `entry`, the one a question asks about, which names the person in neither way."""
    lectures = [Entry(id=f"e{i}", title=f"Lecture {i}", date=PartialDate(2010 + i), kind="talk",
                      summary=f"{about}, part {i}. {short} took questions.") for i in range(4)]
    store.replace_source("talks.json", [*lectures, entry])


def test_a_first_name_shortened_before_the_surname_is_the_person_s(store, fake):
    """'Sid Mukherjee TED talk' on Siddhartha Mukherjee's archive: "Sid" shortens his first name, so
    it names him as the surname does, and is no name the answer must hold (it was refused: the TED
    talk's entry never writes "Sid"). Alone, or before another word, a name's first letters stay a word."""
    _person_and_one_more(store, "Siddhartha Mukherjee on cells", "Sid",
                         Entry(id="ted", title="Soon we'll cure diseases with a cell", date=PartialDate(2015, 3),
                               kind="talk", summary="A TED talk on cell therapies."))
    searcher = Searcher(store, fake, person="Siddhartha Mukherjee")
    question = searcher.understand("Sid Mukherjee TED talk")
    assert question.terms == ("ted",) and set(question.person_named) == {"sid", "mukherjee"}
    assert searcher.understand("sid TED talk").terms == ("sid", "ted")
    assert searcher.understand("Sid lectures on TED").terms == ("sid", "ted")


def test_an_everyday_first_name_before_the_surname_is_the_person_s(store, fake):
    """'Michael Mann at the University of Michigan' on Michael E. Mann's archive: "Michael" is too
    common a word to be his name alone, but before "Mann" it is, and no name the answer must hold
    (it was refused: the Michigan lecture's entry writes "Mann" only, and "Michael Mann" counted as
    a name of two words the entry does not hold). Alone, "Michael" stays a word to find."""
    _person_and_one_more(store, "Michael E. Mann on the climate", "Mann",
                         Entry(id="umich", title="Academic freedom lecture", date=PartialDate(2017),
                               kind="talk", summary="Mann speaks at the University of Michigan Law School."))
    searcher = Searcher(store, fake, person="Michael E. Mann")
    question = searcher.understand("Michael Mann at the University of Michigan")
    assert question.terms == ("university", "michigan") and set(question.person_named) == {"michael", "mann"}
    assert searcher.understand("Michael on the University of Michigan").terms == ("michael", "university",
                                                                                  "michigan")
    result = searcher.search("Michael Mann at the University of Michigan")
    assert result.answered and result.hits[0].entry.id == "umich"
    assert result.explain["signals"]["name_not_held"] == 0.0


def test_a_clipped_name_no_word_of_english_is_the_person_s_alone(store, fake):
    """'Woz in Stockholm' on Steve Wozniak's archive: "woz" begins his surname and is no word of
    English, so alone it names him (it was refused: the Stockholm talk's entry never writes "Woz").
    A clipped name English has ("Steph" for Stephen) stays a word unless the rest of the name follows."""
    _person_and_one_more(store, "Steve Wozniak on computers", "Woz",
                         Entry(id="sthlm", title="A conversation in Stockholm", date=PartialDate(2024, 2),
                               kind="interview", summary="On stage at an arena."))
    searcher = Searcher(store, fake, person="Stephen Wozniak")
    question = searcher.understand("Woz in Stockholm")
    assert question.terms == ("stockholm",) and question.person_named == ("woz",)
    assert searcher.understand("steph in Stockholm").terms == ("steph", "stockholm")
    assert searcher.understand("Steph Wozniak in Stockholm").terms == ("stockholm",)
    # the Stockholm entry answers alone: the lectures that only write "Woz" are no longer listed beside it
    assert [h.entry.id for h in searcher.search("Woz in Stockholm").hits] == ["sthlm"]


def test_the_configured_author_is_the_person_too(store, fake):
    store.replace_source("notes.txt", [Entry(id="a", title="A garden in Venice", date=PartialDate(2019),
                                             kind="article", summary="Roses by a canal.")])
    assert Searcher(store, fake).understand("Monty in Venice").terms == ("monty", "venice")
    assert Searcher(store, fake, person="Monty Don").understand("Monty in Venice").terms == ("venice",)


def test_the_person_s_name_typed_without_its_accent_is_the_person_s(store, fake):
    """'kariko nobel' on Karikó's archive: the index matches the name either way, so the question
    names her as much as 'Karikó nobel' does. A name one slip from hers that few entries write
    stays as written ("Tucker Carlson" on a chess player's archive is no Carlsen)."""
    entries = [Entry(id=f"e{i}", title=f"Lecture {i}", date=PartialDate(2010 + i), kind="talk",
                     summary=f"Katalin Karikó on mRNA, part {i}.") for i in range(4)]
    entries.append(Entry(id="n", title="Nobel Prize", date=PartialDate(2023, 10, 2), kind="news",
                         summary="The Nobel Prize in Physiology or Medicine."))
    store.replace_source("talks.json", entries)
    searcher = Searcher(store, fake, person="Katalin Karikó")
    assert searcher.understand("kariko nobel").terms == ("nobel",)
    assert searcher.understand("Karikó nobel").terms == ("nobel",)
    chess = [Entry(id=f"g{i}", title=f"Game {i}", date=PartialDate(2010 + i), kind="news",
                   summary=f"Magnus won game {i}.") for i in range(8)]
    chess.append(Entry(id="c", title="Carlsen on the tiebreak", date=PartialDate(2022), kind="news", summary="A win."))
    store.replace_source("talks.json", chess)
    question = Searcher(store, fake, person="Magnus Carlsen").understand("tucker carlson interview")
    assert question.terms == ("tucker", "carlson") and not question.corrected


def test_the_person_s_name_misspelt_is_read_as_the_name(store, fake):
    """'sapolski determind book' on Sapolsky's archive: one slip from his surname, and no word of
    English, so the word names him, as the surname does (it was answered with another book: the
    stemmer matches both spellings, so nothing corrected it, and "sapolski" stayed a word the
    answer had to hold). A word English lists is read so only beside another of his names: "magnus
    carlson" is Carlsen, "tucker carlson" is not (above)."""
    _person_and_one_more(store, "Robert Sapolsky on stress", "Robert",
                         Entry(id="book", title="Determined", date=PartialDate(2023, 10),
                               kind="article", summary="A book arguing that free will is an illusion."))
    searcher = Searcher(store, fake, person="Robert Sapolsky")
    question = searcher.understand("sapolski determind book")
    assert question.corrected == {"sapolski": "sapolsky", "determind": "determined"}
    assert question.terms == ("determined", "book") and question.person_named == ("sapolsky",)
    # both parts of the name misspelt, each beside the other
    assert searcher.understand("robret sapolski book").corrected == {"robret": "robert", "sapolski": "sapolsky"}
    chess = [Entry(id=f"g{i}", title=f"Game {i}", date=PartialDate(2010 + i), kind="news",
                   summary=f"Magnus won game {i}.") for i in range(8)]
    chess.append(Entry(id="c", title="Carlsen on the tiebreak", date=PartialDate(2022), kind="news", summary="A win."))
    store.replace_source("talks.json", chess)
    searcher = Searcher(store, fake, person="Magnus Carlsen")
    assert searcher.understand("magnus carlson statement").terms == ("statement",)


def test_misspelt_names_reads_only_one_slip_with_the_first_letter_kept():
    from almanac.person import misspelt_names, name_words

    person = name_words(("Esther Perel",))
    assert misspelt_names(["esther", "perell", "ted", "talk"], person) == {"perell": "perel"}
    assert misspelt_names(["perell", "on", "desire"], person) == {"perell": "perel"}
    # two slips, another first letter, or a word English lists away from the rest of the name: left
    assert misspelt_names(["esther", "pereell"], person) == {}
    assert misspelt_names(["esther", "berel"], person) == {}
    assert misspelt_names(["the", "peril", "of", "desire"], name_words(("Esther Peril",)) | {"x"}) == {}
    # a short name is read so only beside the rest of the name: "khan" is one slip from "kahn", "kuhn"
    khan = name_words(("Sadiq Khan",))
    assert misspelt_names(["kahn", "ted", "talk"], khan) == {}
    assert misspelt_names(["sadik", "kahn", "ted", "talk"], khan) == {"sadik": "sadiq", "kahn": "khan"}


def test_a_word_saying_only_where_something_is_is_no_word_to_find(store, fake):
    """'anything set in Guildford?': the place is what is asked about. "set" stayed a word the
    answer had to hold, as much as the place's name, and the interview in Guildford was refused
    (five of the eight evaluation questions so asked). Elsewhere "set" is a word like any other."""
    store.replace_source("notes.json", [
        Entry(id="g", title="Interview", date=PartialDate(2016, 5), kind="interview",
              summary="We met in his office in Guildford."),
        Entry(id="s", title="A set of lectures", date=PartialDate(2018), kind="talk",
              summary="He set out the history of physics.")])
    searcher = Searcher(store, fake)
    assert searcher.understand("anything set in Guildford?").terms == ("guildford",)
    assert searcher.understand("the conference held at Guildford").terms == ("conference", "guildford")
    assert searcher.understand("the set on physics history").terms == ("set", "physics", "history")
    assert [h.entry.id for h in searcher.search("anything set in Guildford?").hits][:1] == ["g"]


def test_an_outlet_named_with_a_kind_word_is_where_not_what(store, fake):
    """'anything from Science News?' on a physicist's archive: the magazine's review of his book is
    an article, and "News" read as the kind asked for filtered it out (refused, round forty-three).
    Ending a name, the kind word is the outlet's; written in lower case it still asks for news."""
    store.replace_source("notes.json", [
        Entry(id="review", title="Book review: From Eternity to Here", date=PartialDate(2010), kind="article",
              summary="Science News reviews his book on the arrow of time."),
        Entry(id="prize", title="Book wins a prize", date=PartialDate(2013, 11, 20), kind="news",
              summary="The Royal Society names the winner of its science book prize."),
        Entry(id="talk", title="The arrow of time", date=PartialDate(2011, 5), kind="talk",
              summary="A lecture on entropy and cosmology."),
    ])
    searcher = Searcher(store, fake)
    result = searcher.search("anything from Science News?")
    assert result.answered and result.hits[0].entry.id == "review"
    assert [h.entry.id for h in searcher.search("anything from science news?").hits] == ["prize"]
