"""Query understanding: dates, ranges and kinds in a question become filters.

"talks from February 2020" means kind = talk, year = 2020, month = 2, and
no words left to rank by; "what keynotes has he given?" means talks tagged
`keynote`. Matching such questions by words alone would look for the word
"February" in summaries. Parsing is a pure function of the text, so it is
tested on its own. Version numbers are not years ("Irmin 2.0", "MirageOS 4"),
and "may" is a month only next to a year or after "in"/"from"/"during".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from almanac.entry import MAX_YEAR, month_number

#: Longest question searched; longer ones are cut (with a warning at the edge).
MAX_QUERY_CHARS = 1000

MIN_QUERY_YEAR = 1950

# Words that say what kind of entry is wanted -> (kind, tag or None).
_KIND_WORDS: dict[str, tuple[str, str | None]] = {}
for _words, _kind, _tag in (
    ("talk talks presentation presentations", "talk", None),
    ("keynote keynotes", "talk", "keynote"),
    ("lecture lectures seminar seminars", "talk", "lecture"),
    ("paper papers preprint preprints publication publications", "paper", None),
    ("article articles essay essays", "article", None),
    ("podcast podcasts", "podcast", None),
    ("interview interviews", "interview", None),
    ("video videos screencast screencasts webcast webcasts", "video", None),
    ("announcement announcements news", "news", None),
):
    for _w in _words.split():
        _KIND_WORDS[_w] = (_kind, _tag)

#: Words asking for the newest or oldest entries.
_ORDER_WORDS = {
    "recent": "newest", "latest": "newest", "newest": "newest", "last": "newest", "new": "newest",
    "earliest": "oldest", "oldest": "oldest", "first": "oldest",
}

#: Words that carry no meaning for ranking (question words, pronouns, glue).
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any anything are as at be been before being
    between both but by can could did do does doing done during each else ever few find for from
    further gave get give given giving go got had has have having he her here hers him his how i if
    in into is it its itself just know let like list look looking made make many me more most my no
    nor not now of off on once one only or other our out over own please said same say see shall
    she should show so some something such tell than that the their them then there these they this
    those through to too under until up us very want was we were what whatever when where which
    while who whom whose why will with would you your yours any anything everything entries entry
    archive almanac did ones thing things stuff may might must cannot happen happens happened
    happening going
    """.split()
)

_TOKEN_RE = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*", re.UNICODE)
_MONTH_NAMES = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# A year: four digits, not part of a version ("2.0", "v2014.1") or a longer number.
_YEAR = r"(?<![\d.])((?:19|20)\d\d)(?![\d]|\.\d)"
_MONTH_YEAR_RE = re.compile(rf"\b({_MONTH_NAMES})\.?,?\s+(?:of\s+)?{_YEAR}", re.IGNORECASE)
_YEAR_MONTH_ISO_RE = re.compile(r"(?<![\d.])((?:19|20)\d\d)-(0?[1-9]|1[0-2])(?![\d])")
_BETWEEN_RE = re.compile(
    rf"\b(?:between|from)\s+{_YEAR}\s+(?:and|to|until|till|through)\s+{_YEAR}"
    rf"|{_YEAR}\s*(?:-|–|to|until)\s*{_YEAR}",
    re.IGNORECASE,
)
_BEFORE_RE = re.compile(rf"\b(before|prior to|earlier than|until|till|up to|by)\s+{_YEAR}", re.IGNORECASE)
_AFTER_RE = re.compile(rf"\b(since|after|from|later than)\s+{_YEAR}(\s+on(?:wards?)?)?", re.IGNORECASE)
_ONWARDS_RE = re.compile(rf"{_YEAR}\s+(?:on(?:wards?)?|and later|or later)", re.IGNORECASE)
_BARE_YEAR_RE = re.compile(_YEAR)
_MONTH_ALONE_RE = re.compile(
    rf"\b(?:in|from|during|of)\s+({_MONTH_NAMES})\b|\b((?!may\b)(?:{_MONTH_NAMES}))\b", re.IGNORECASE
)


@dataclass(frozen=True)
class ParsedQuery:
    """A question split into filters and the words left to rank by."""

    text: str
    terms: tuple[str, ...] = ()
    kind: str | None = None
    tag: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    month: int | None = None
    #: Words taken out as filters (kinds, months, years), so ranking ignores them.
    consumed: tuple[str, ...] = field(default=(), repr=False)
    #: "newest" or "oldest" for "most recent" / "earliest" questions with no other words.
    order: str | None = None

    @property
    def year(self) -> int | None:
        """The one year asked for, when the range is a single year."""
        return self.year_from if self.year_from is not None and self.year_from == self.year_to else None

    @property
    def has_filters(self) -> bool:
        return any(v is not None for v in (self.kind, self.tag, self.year_from, self.year_to, self.month))

    def filters(self) -> dict:
        """The filters as `--json` reports them (only those present)."""
        out: dict = {}
        if self.kind:
            out["kind"] = self.kind
        if self.tag:
            out["tag"] = self.tag
        if self.year is not None:
            out["year"] = self.year
        else:
            if self.year_from is not None:
                out["year_from"] = self.year_from
            if self.year_to is not None:
                out["year_to"] = self.year_to
        if self.month is not None:
            out["month"] = self.month
        if self.order:
            out["order"] = self.order
        return out


def tokens(text: str) -> list[str]:
    """Lowercase words, keeping versions ("2.0") and contractions whole."""
    return [t.lower() for t in _TOKEN_RE.findall(text)]


def content_terms(text: str) -> list[str]:
    """The words of `text` worth ranking by: no stopwords, no duplicates, in order."""
    seen: list[str] = []
    for tok in tokens(text):
        tok = tok.replace("’", "'")
        if tok.endswith("'s"):
            tok = tok[:-2]
        if tok and tok not in STOPWORDS and tok not in seen:
            seen.append(tok)
    return seen


def parse_query(text: str, kind: str | None = None, year: int | None = None) -> ParsedQuery:
    """Read filters out of a question; explicit `kind`/`year` arguments win over the text."""
    text = text[:MAX_QUERY_CHARS]
    rest = text
    year_from = year_to = month = None

    def cut(match: re.Match) -> None:
        nonlocal rest
        rest = rest[: match.start()] + " " * (match.end() - match.start()) + rest[match.end():]

    # Dates: the most specific forms first; each consumed span is blanked out.
    m = _MONTH_YEAR_RE.search(rest)
    if m:
        month, year_from = month_number(m.group(1)), int(m.group(2))
        year_to = year_from
        cut(m)
    elif (m := _YEAR_MONTH_ISO_RE.search(rest)):
        year_from = year_to = int(m.group(1))
        month = int(m.group(2))
        cut(m)
    elif (m := _BETWEEN_RE.search(rest)):
        years = [int(g) for g in m.groups() if g]
        year_from, year_to = min(years), max(years)
        cut(m)
    else:
        if (m := _BEFORE_RE.search(rest)):
            word = m.group(1).lower()
            y = int(m.group(2))
            year_to = y if word in ("until", "till", "up to", "by") else y - 1
            cut(m)
        if (m := _AFTER_RE.search(rest)):
            word = m.group(1).lower()
            y = int(m.group(2))
            year_from = y + 1 if word in ("after", "later than") and not m.group(3) else y
            if word == "from" and not m.group(3) and year_to is None:
                year_to = y  # "papers from 2015" is 2015's papers; "from 2015 onwards" is a range
            cut(m)
        elif (m := _ONWARDS_RE.search(rest)):
            year_from = int(m.group(1))
            cut(m)
        if year_from is None and year_to is None and (m := _BARE_YEAR_RE.search(rest)):
            year_from = year_to = int(m.group(1))
            cut(m)
    for y in (year_from, year_to):
        if y is not None and not MIN_QUERY_YEAR <= y <= MAX_YEAR:
            year_from = year_to = None
    if month is None and (m := _MONTH_ALONE_RE.search(rest)):
        month = month_number(m.group(1) or m.group(2))
        cut(m)

    terms = content_terms(rest)
    found_kind = found_tag = None
    consumed = []
    for term in terms:
        if term in _KIND_WORDS:
            k, t = _KIND_WORDS[term]
            if found_kind is None or (t and found_tag is None and k == found_kind):
                found_kind, found_tag = k, t or found_tag
            consumed.append(term)
    terms = [t for t in terms if t not in consumed]
    order = None
    # "his most recent talk", "the earliest paper": only when nothing but the
    # ordering word is left ("the first paper on unikernels" still ranks by words).
    ordering = [t for t in terms if t in _ORDER_WORDS]
    if ordering and len(ordering) == len(terms):
        order = _ORDER_WORDS[ordering[0]]
        consumed.extend(ordering)
        terms = []
    if kind:
        found_kind, found_tag = kind, None
    if year is not None:
        year_from = year_to = year
        month = month if month is not None and year_from == year else None
    return ParsedQuery(
        text=text,
        terms=tuple(terms),
        kind=found_kind,
        tag=found_tag,
        year_from=year_from,
        year_to=year_to,
        month=month,
        consumed=tuple(consumed),
        order=order,
    )
