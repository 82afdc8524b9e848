"""The kind model (almanac/kind_model.py): how it reads, that the shipped file is the fit on every
labelled archive, and that it reads archives it was not fitted on better than the cue rules."""

import json

import pytest

from almanac import kind_model
from almanac.entry import classify
from almanac.kind_model import KindModel, reading, read_kind
from almanac.kinds import KINDS_ORDER, infer_kind

HEADLINES = [
    ("Diagnosed with skin cancer", "The novelist said on Tuesday that doctors had found a melanoma on her shoulder."),
    ("Honorary degree from the University of Leeds", "The chemist was given an honorary doctorate at the summer "
                                                     "graduation."),
    ("Sworn in as mayor", "She took the oath of office at city hall on Monday."),
    ("Stopped at the border", "The artist was held for six hours at Heathrow."),
]


def _model(weights: dict[str, dict[str, float]]) -> KindModel:
    """A model with the given weights per feature and kind (others 0), every bias 0."""
    return KindModel(KINDS_ORDER, (0.0,) * len(KINDS_ORDER),
                     {name: tuple(row.get(k, 0.0) for k in KINDS_ORDER) for name, row in weights.items()})


def test_an_entry_is_read_from_its_title_words_its_summary_words_and_the_rules_evidence():
    feats, rule, sure = reading("Keynote at PyCon", "I spoke about packaging.", "https://www.youtube.com/watch?v=x")
    assert {"t:keynote", "t:at", "t:pycon", "i", "spoke", "packaging"} <= set(feats)
    assert "keynote" not in feats  # a title's word is not a summary's
    assert feats["rule:talk"] == 1.0 and feats["link:video"] > 0 and feats["first_person"] > 0
    assert feats["cue:talk"] > 0 and rule == "talk" and sure >= kind_model.SURE_SCORE


def test_the_words_of_the_links_path_are_read_apart_from_the_title_and_summary():
    """A site files pages under what they are ("/video/", "/news/", "/interviews/"): 5,000 of the
    6,699 entries of the 192 labelled archives read right in ten folds with these words, 4,961
    without. The same word in the wording is another feature ("video" in a summary says less)."""
    url = "https://www.theguardian.com/world/video/2023/jan/18/truth-wins"
    feats, _, _ = reading("On the record", "Ressa on the day.", url)
    assert {"u:world", "u:video", "u:truth", "u:wins"} <= set(feats) and "u:2023" not in feats
    assert "video" not in feats and "t:record" in feats
    model = _model({"u:video": {"video": 2.0}})
    assert model.kind("On the record", "Ressa on the day.", url) == "video"
    assert model.kind("On the record", "Ressa on the day.") == "article"


def test_the_model_decides_where_the_rules_are_not_sure_and_the_rules_where_they_are():
    model = _model({"t:diagnosed": {"news": 2.0}, "t:keynote": {"paper": 9.0}})
    assert infer_kind("Diagnosed with skin cancer", HEADLINES[0][1]) == "article"
    assert model.kind(*HEADLINES[0]) == "news"
    # "Keynote" at the title's head is sure: the rules decide, whatever the weights say.
    assert model.kind("Keynote at PyCon", "On packaging.") == "talk"
    # So is a link to a podcast platform.
    assert model.kind("On polarization", "He talks with a reporter.", "https://podcasts.apple.com/x/id1") == "podcast"
    # Ties go to the broadest kind, as the rules' do.
    assert _model({}).kind("Thoughts", "Some words.") == "article"


def test_the_shipped_model_reads_event_headlines_the_rules_call_articles_as_news():
    for title, summary in HEADLINES:
        assert infer_kind(title, summary) == "article", title
        assert read_kind(title, summary) == "news", title
        assert classify(title, summary)[0] == "news", title
    assert read_kind("Thoughts on caching", "Some words.") == "article"


@pytest.fixture(scope="module")
def labelled_archives():
    from tests.eval import kind_fit

    return kind_fit.training_archives()


def test_the_shipped_kind_model_is_the_fit_on_every_labelled_archive(labelled_archives):
    """almanac/kind_model.json is what `python -m tests.eval.kind_fit --write` writes: refit after
    adding an archive or changing the features."""
    shipped = json.loads(kind_model.MODEL_PATH.read_text(encoding="utf-8"))
    model = kind_model.fit([x for _, examples in labelled_archives.values() for x in examples])
    assert shipped["about"]["archives"] == len(labelled_archives)
    assert list(model.kinds) == shipped["kinds"]
    assert model.bias == pytest.approx(shipped["bias"], abs=0.002)
    assert set(model.weights) == set(shipped["weights"])
    for name, row in model.weights.items():
        assert row == pytest.approx(shipped["weights"][name], abs=0.002), name


def test_the_model_reads_archives_it_was_not_fitted_on_better_than_the_rules(labelled_archives):
    """Two folds by archive (each half read by the model fitted on the other): 12,814 of 17,242 right
    against the rules' 11,125 (ten folds, as tests/eval/kind_fit.py reports: 12,988). On the
    seventeen archives the rules were written from, 539 of 635 (the rules 529, 83 %; ten folds
    535: the rules were written from those archives' errors, so the model barely adds there); on
    the 477 kept unseen, 12,275 of 16,607 (the rules 10,596). The floors are today's figures less a
    little, not the 90 % aimed at."""
    from tests.eval import kind_fit

    crossed = kind_fit.cross_fitted(labelled_archives, folds=2)
    rules = {n: kind_fit.accuracy(*a, infer_kind) for n, a in labelled_archives.items()}
    right = sum(c[0] for c in crossed.values())
    assert sum(c[1] for c in crossed.values()) >= 17242
    assert right >= sum(r[0] for r in rules.values()) + 250
    assert right >= 12500
    seventeen = [n for n in labelled_archives if (kind_fit.EVAL_DIR / n).exists()]
    assert sum(crossed[n][0] for n in seventeen) >= 520


def test_the_evaluation_reads_its_archives_kinds_with_a_model_fitted_without_them(tmp_path):
    """An archive the kind model learned from is scored (its stored kinds, its kinds' accuracy) by
    a model fitted without it; the seed and archives elsewhere are read by the shipped model."""
    from almanac.ingest import ingest
    from almanac.store import Store
    from tests.eval import harness, kind_fit

    readers = harness.KindReaders(["seed", "athlete", "chef", "bolt"], kind_fit.EVAL_DIR)
    assert readers.names == ("athlete", "chef")  # bolt is in tests/eval_unseen, the seed unlabelled
    copy = tmp_path / "athlete"
    copy.mkdir()
    assert harness.KindReaders(["athlete"], tmp_path).names == ()  # an archive of the same name elsewhere

    (tmp_path / "entries.json").write_text(json.dumps([
        {"title": "Sworn in as mayor", "date": "2019-02", "summary": "She took the oath of office."},
        {"title": "Keynote at PyCon", "date": "2019-03", "summary": "On packaging.", "kind": "podcast"},
    ]), encoding="utf-8")
    db = tmp_path / "a.db"
    with Store(str(db)) as store:
        ingest(store, [str(tmp_path / "entries.json")], str(tmp_path))
    harness._read_kinds_again(str(db), [str(tmp_path / "entries.json")], lambda t, s, u: "paper")
    with Store(str(db)) as store:
        assert {e.title: e.kind for e in store.entries()} == {"Sworn in as mayor": "paper",
                                                              "Keynote at PyCon": "podcast"}


def test_the_summarys_first_words_are_read_apart_from_the_rest():
    """How an entry opens tells its genre ("In this episode", "A new study finds"); the same word
    later is mostly its topic. The first LEAD_WORDS words are features of their own ("l:word")."""
    opening = "Road notes from the long climb to the summit and back down again in the snow."
    feats, _, _ = reading("On the summit", opening)
    words = opening.lower().replace(".", "").split()
    assert {f"l:{w}" for w in words[:kind_model.LEAD_WORDS]} <= set(feats)
    assert "l:snow" not in feats and "snow" in feats  # past the opening: the topic's word only
    model = _model({"l:road": {"video": 2.0}})
    assert model.kind("On the summit", opening) == "video"
    later = "Notes from the long climb to the summit and back down again by the road in the snow."
    assert "road" in reading("On the summit", later)[0] and model.kind("On the summit", later) == "article"
