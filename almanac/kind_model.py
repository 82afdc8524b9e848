"""An entry's kind read from all of its wording by a linear model learned from labelled archives.

Why a learned model over the cue rules of `almanac.kinds`: the rules were written against the
eighteen evaluation archives and get 83 % of their entries' kinds right, but only 67 % of the
entries of the 139 archives kept unseen (tests/eval_unseen). What they miss is mostly wording no
cue list holds: a news report is a headline about something that happened ("Diagnosed with
non-Hodgkin's lymphoma", "Golden Globe for Skyfall"), an interview a magazine's cover story, a
paper a finding. A multinomial logistic model over the words of the title (apart from those of
the summary), the words of the link's path (what a site files the page under: "/video/",
"/news/") and the rules' own evidence (each kind's cue score, the medium of a show, where the
link points, the kind the rules read) learns those, and keeps what the rules say where they
are sure. Scored on archives it was not fitted on (`tests/eval/kind_fit.py`, ten folds by
archive), it reads 12,988 of the 17,242 entries of the 494 labelled archives right (75 %; over
the 240 of an earlier fit, 5,967 without the summary's first words read apart and 6,067 with
them; over the 192, 4,961 without the link's words and 5,000 with them), against the rules'
11,125 (65 %).

The model is data (almanac/kind_model.json), fitted by `tests/eval/kind_fit.py` on every
archive under tests/eval and tests/eval_unseen; a test checks that the shipped file is that
fit. Reading a kind costs a dictionary lookup per word and one small product, only where the
rules are not sure: classifying 10,000 entries takes 1.8 s against the rules' 1.2 (bench/kinds.py;
2.0 s with the link's words, at 669f5c4).
"""

from __future__ import annotations

import functools
import json
import math
import pathlib
import re
from dataclasses import dataclass

from almanac.kinds import KINDS_ORDER, book_release, first_person_text, rule_reading
from almanac.link_kind import link_words

MODEL_PATH = pathlib.Path(__file__).with_name("kind_model.json")

#: The rules' evidence that is not a kind of its own (`almanac.kinds.kind_scores`).
_EVIDENCE = ("show", "conversation", "audio", "visual")
#: The prefixes of features that are words (a summary's words have none): see MIN_ENTRIES.
_WORDS = ("t:", "u:", "l:")
#: The summary's first words are read apart as well ("l:word"): how an entry opens tells its genre
#: ("In this episode", "Speaking at", "A new study finds", "Q:"), where the same word later in the
#: summary is mostly its topic. Ten folds by archive over the 240 labelled archives: the first 10
#: words read 6,067 of 8,059 right against 5,967 without (5: 6,031; 8: 6,028; 12: 6,059; 16:
#: 6,041; 20: 6,046; the first sentence whole 6,012; the summary's word pairs 6,005).
LEAD_WORDS = 10
_WORD = re.compile(r"[a-z']+")


def features(title: str, summary: str, url: str | None = None) -> dict[str, float]:
    """The model's inputs for one entry (`reading`)."""
    return reading(title, summary, url)[0]


def reading(title: str, summary: str, url: str | None = None) -> tuple[dict[str, float], str, float]:
    """(the model's inputs, the kind the rules read, the rules' highest score for a kind)."""
    rule, raw, resolved, linked = rule_reading(title, summary, url)
    return _inputs(title, summary, url, rule, raw, resolved, linked), rule, _sure(resolved)


def _sure(resolved: dict[str, float]) -> float:
    return max((resolved.get(k, 0.0) for k in KINDS_ORDER), default=0.0)


def _inputs(title: str, summary: str, url: str | None, rule: str, raw: dict[str, float],
            resolved: dict[str, float], linked: str | None) -> dict[str, float]:
    """Each word of the title ("t:word"), of the summary ("word"), of the summary's first
    LEAD_WORDS ("l:word") and of the link's path ("u:video") once, the rules' score for each kind
    and each piece of show evidence (log-scaled, "cue:talk"), where the link points
    ("link:podcast"), a book coming out, the first person, and the kind the rules read
    ("rule:news")."""
    out = {f"t:{w}": 1.0 for w in _WORD.findall(title.lower())}
    said = _WORD.findall(summary.lower())
    out.update(dict.fromkeys(said, 1.0))
    out.update(dict.fromkeys((f"l:{w}" for w in said[:LEAD_WORDS]), 1.0))
    out.update(dict.fromkeys((f"u:{w}" for w in link_words(url)), 1.0))
    for kind in KINDS_ORDER:
        if resolved.get(kind):
            out[f"cue:{kind}"] = math.log1p(resolved[kind])
    for name in _EVIDENCE:
        if raw.get(name):
            out[f"cue:{name}"] = math.log1p(raw[name])
    if linked:
        out[f"link:{linked}"] = math.log1p(1.0)
    if book_release(title, summary):
        out["book_release"] = math.log1p(1.0)
    if first_person_text(f"{title} {summary}"):
        out["first_person"] = math.log1p(1.0)
    out[f"rule:{rule}"] = 1.0
    return out


#: A rules' score at which the rules decide: a kind named at the head of the title or in the
#: summary's lead ("New Directions in Operating Systems talk on Jitsu at a workshop", 7.5), or a
#: link to a place whose pages are all one kind (a podcast platform, YouTube, doi.org). The model
#: reads the rest. Ten folds by archive over the 156 labelled archives of the time (tests/eval/kind_fit.py):
#: the model alone reads 4,305 of 5,664 entries right; the rules deciding from 7.5 up 4,228 (the
#: seventeen archives the rules were written on 532 of 635 against 519, the 139 unseen 3,696 of
#: 5,029 against 3,786), from 9 up 4,244, from 12 up 4,274; the rules alone 3,888. What a
#: title's head or a summary's lead says an entry is, and where its link points, are what a
#: user sees and can correct, so there the rules decide (and the seed's Jitsu talk stays a talk).
SURE_SCORE = 7.5


@dataclass(frozen=True)
class KindModel:
    """Per kind, a bias and a weight for each feature (`features`); the kind read is the highest sum."""

    kinds: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]

    @functools.cached_property
    def _table(self):
        """(feature -> row, the weights as one matrix, the biases): one product per entry. numpy is
        imported here, not with the module: reading sources imports this, and needs it only to
        read a kind the rules are not sure of."""
        import numpy as np

        names = list(self.weights)
        matrix = np.array([self.weights[n] for n in names]).reshape(-1, len(self.kinds))
        return {n: i for i, n in enumerate(names)}, matrix, np.array(self.bias)

    def sums(self, feats: dict[str, float]) -> dict[str, float]:
        rows, matrix, bias = self._table
        known = [(rows[name], value) for name, value in feats.items() if name in rows]
        totals = bias + ([v for _, v in known] @ matrix[[i for i, _ in known]] if known else 0.0)
        return dict(zip(self.kinds, totals.tolist()))

    def kind(self, title: str, summary: str, url: str | None = None) -> str:
        """The rules' kind where they are sure (SURE_SCORE), else the kind with the highest sum."""
        rule, raw, resolved, linked = rule_reading(title, summary, url)
        if _sure(resolved) >= SURE_SCORE:
            return rule
        sums = self.sums(_inputs(title, summary, url, rule, raw, resolved, linked))
        return max(self.kinds, key=lambda k: (sums[k], -KINDS_ORDER.index(k)))

    def to_json(self, about: dict) -> dict:
        return {"about": about, "kinds": list(self.kinds), "bias": [round(b, 3) for b in self.bias],
                "weights": {name: [round(w, 3) for w in row] for name, row in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: dict) -> "KindModel":
        return cls(tuple(data["kinds"]), tuple(data["bias"]),
                   {name: tuple(row) for name, row in data["weights"].items()})


@functools.cache
def shipped_model() -> KindModel:
    """The model fitted on every evaluation archive (read once: it is constant data, like a word list)."""
    return KindModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


def read_kind(title: str, summary: str, url: str | None = None) -> str:
    """The kind the shipped model reads from an entry's wording and link."""
    return shipped_model().kind(title, summary, url)


#: How strongly the fit is held towards zero weights (scikit-learn's C: smaller holds harder).
#: In the experiment that chose it (ten folds by archive over 156 archives, the model deciding
#: every kind): 0.1 read 76.3 % right, 0.3 76.4 %, 1.0 76.1 %.
FIT_C = 0.3
#: A word counts only if at least this many training entries write it (in the title, or in the
#: summary): rarer words are mostly names, which say nothing of a kind in another archive. Ten
#: folds by archive over the 156, the model deciding every kind: 3 entries read 4,312 of 5,664
#: right with 13,654 features, 5 4,305 with 8,887, 10 4,287 with 4,815.
MIN_ENTRIES = 5


def fit(examples: list[tuple[str, str, str | None, str]], c: float = FIT_C,
        min_entries: int = MIN_ENTRIES) -> KindModel:
    """A model fitted on (title, summary, url, kind) examples by L2-regularised multinomial
    logistic regression (scikit-learn, which sentence-transformers installs; only fitting needs it)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    feats = [features(t, s, u) for t, s, u, _ in examples]
    counts: dict[str, int] = {}
    for f in feats:
        for name in f:
            counts[name] = counts.get(name, 0) + 1
    # The rules' evidence ("cue:", "link:", "rule:") counts however rare; words (of the summary, the
    # title "t:" and the link "u:") only if common enough.
    names = sorted(n for n, k in counts.items() if k >= min_entries or (":" in n and not n.startswith(_WORDS)))
    index = {n: i for i, n in enumerate(names)}
    rows, cols, vals = [], [], []
    for r, f in enumerate(feats):
        for name, value in f.items():
            if name in index:
                rows.append(r)
                cols.append(index[name])
                vals.append(value)
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(feats), len(names)))
    labels = [KINDS_ORDER.index(k) for *_, k in examples]
    # One math thread: the solver stops at its tolerance, and where it stops depends on how the
    # sums were split across threads (biases 0.003 apart between one thread and two over 192
    # archives), so the shipped file would be the fit only on a machine set up as the writer's.
    with threadpool_limits(1):
        model = LogisticRegression(C=c, max_iter=5000).fit(matrix, labels)
    kinds = tuple(KINDS_ORDER[i] for i in model.classes_)
    weights = {name: tuple(float(model.coef_[k, i]) for k in range(len(kinds))) for name, i in index.items()}
    return KindModel(kinds, tuple(float(b) for b in model.intercept_), weights)
