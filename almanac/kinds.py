"""Reading an entry's kind from its wording, when the source does not say.

Every cue the wording offers is counted, not just the first: "Talk Python
To Me #380 ... this episode ... recorded with Michael Kennedy" holds the
word "Talk" (a show's name) but three podcast cues, so it is a podcast. A
cue in the title counts more than one in the summary, and one in the
summary's first sentence (what the entry says it is) more than a later one
(what it mentions). With no cue at all an entry is an article (the broadest
kind).
"""

from __future__ import annotations

import re

#: (kind, weight, pattern). Weights: 3 names the kind itself; 2 is strong
#: evidence; 1 is a hint that other cues can outvote.
_CUES: tuple[tuple[str, float, str], ...] = (
    # "talk" as a noun: not "to talk about", "talks with", "talking to" (a conversation, not a talk)
    ("talk", 3, r"(?<!to )(?<!me )talks?(?! with| to)|keynotes?|lectures?|seminars?|presentation|summit|\w+summit"),
    ("talk", 2, r"spoke|speaking|delivered|conference|meetup|session|panel(?:ist)?|"
                r"symposium|workshop|colloquium|on stage|audience|evening|debate|festival|live-coded"),
    ("talk", 1, r"presented|gave|attendees|venue|hall"),
    ("paper", 3, r"papers?|preprints?|journal|proceedings"),
    ("paper", 2, r"co-?authored|co-?written|et al|peer[- ]reviewed|published in|study|vol\."),
    ("article", 3, r"articles?|essay|blog post|op-ed|column"),
    ("article", 2, r"book|wrote|blog|post|newsletter|piece|review|guide|tutorial|write-?up"),
    ("article", 1, r"report"),
    ("podcast", 4, r"episode \d+|ep\.?\s?\d+|#\d+|s\d+\s?e\d+"),
    ("podcast", 3, r"podcasts?|episode"),
    ("podcast", 2, r"radio|show|(?:co-)?host(?:ed|s)?|guest|listen(?:ers)?|weekly|appeared on|had me on|invited me onto|"
                   r"recorded"),
    ("interview", 3, r"interview(?:ed|s)?|q\s?&\s?a|questionnaire"),
    ("interview", 2, r"profile|spoke to|talked to|talking to|asked|conversation with|in conversation"),
    ("video", 3, r"screencasts?|videos?|webcast|documentary|youtube"),
    ("video", 2, r"tv|television|bbc (?:one|two|four)|series|programme|film(?:ed)?|episodes|watch|"
                 r"(?:screen )?recording|demo(?:nstration)?"),
    ("news", 3, r"announce[ds]?|announcing|announcement|released?|is out|is now part of|"
                r"wins|won|awarded|prize|award|appointed|named|honours?|elected"),
    ("news", 2, r"version|\d+\.\d+(?:\.\d+)?|launch(?:ed|es)?|joins|joined|acquired|acquisition|dame|obe|"
                r"briefing|confirmed|record|shutting down|wrapping up|vacate"),
)
# One pattern with a named group per cue: one pass over each text (reading 80,000 entries
# spends its time here otherwise).
_CUE_RE = re.compile(
    "|".join(f"(?P<c{i}>{pattern})" for i, (_, _, pattern) in enumerate(_CUES)).join(("(?<![\\w-])(?:", ")(?![\\w-])")),
    re.IGNORECASE,
)
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(“])")
TITLE_FACTOR, FIRST_FACTOR = 2.0, 1.5


def kind_scores(title: str, summary: str) -> dict[str, float]:
    """The weight of evidence for each kind in the wording."""
    parts = _FIRST_SENTENCE.split(summary.strip(), maxsplit=1)
    first, rest = parts[0], parts[1] if len(parts) > 1 else ""
    scores: dict[str, float] = {}
    for text, factor in ((title, TITLE_FACTOR), (first, FIRST_FACTOR), (rest, 1.0)):
        if not text:
            continue
        seen = {m.lastgroup for m in _CUE_RE.finditer(text)}
        for group in seen:
            kind, weight, _ = _CUES[int(group[1:])]
            scores[kind] = scores.get(kind, 0.0) + factor * weight
    return scores


def infer_kind(title: str, summary: str) -> str:
    scores = kind_scores(title, summary)
    if not scores:
        return "article"
    return max(scores, key=lambda k: (scores[k], -_ORDER.index(k)))


_ORDER = ["talk", "paper", "podcast", "interview", "video", "news", "article"]
