"""Entries, partial dates, kinds and the id rules.

An archive rarely knows every date to the day: the seed list says "May 2015",
a feed says "Mon, 04 May 2015 10:00:00 GMT", a note may only say "2013".
`PartialDate` keeps exactly what is known and says which (its `precision`),
so nothing downstream invents a day that was never given.
"""

from __future__ import annotations

import calendar
import functools
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import Enum

from almanac.kind_model import read_kind
from almanac.kinds import medium_said, shared_medium

KINDS: tuple[str, ...] = ("talk", "paper", "article", "podcast", "interview", "video", "news")
#: What a question means by "a show", "his series", "programmes from the 1950s": a podcast or a
#: video, whichever its medium (`almanac.kinds` reads a show's kind the same way). Questions may
#: ask for it like a kind; entries are never stored as it.
SHOW, SHOW_KINDS = "show", ("podcast", "video")

MIN_YEAR, MAX_YEAR = 1900, 2100

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
#: "00" ... "31": months and days as ISO 8601 writes them.
_TWO_DIGITS: tuple[str, ...] = tuple(f"{n:02d}" for n in range(32))
#: "January" ... "December" at 1-12, read once (`calendar.month_name` formats a date for every lookup).
_MONTH_NAMES: tuple[str, ...] = tuple(calendar.month_name)


class DateError(ValueError):
    """A date that cannot be read; the message says what was wrong."""


class Precision(str, Enum):
    """How much of a date is known."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


def month_number(name: str) -> int | None:
    """1-12 for an English month name or abbreviation ("May", "feb", "Sept."), else None."""
    return _MONTHS.get(name.strip().rstrip(".").lower())


#: A date with its month named: "4 May 2015", "May 4, 2015", "May 2015" (after `_spoken_date`).
_NAMED_DATE = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-z]+\.?),?\s+(?:(\d{1,2}),?\s+)?(\d{1,4})")
#: "04.05.2015", "4/5/15": the fourth of May in most of the world, the fifth of April in the US.
_AMBIGUOUS_DATE = re.compile(r"\d{1,2}([./])\d{1,2}\1\d{2,4}")
_WEEKDAYS = frozenset(name.lower() for name in (*calendar.day_name, *calendar.day_abbr)) | {"tues", "thur", "thurs"}
#: A time of day after a date written out ("10:00", "10:00:00 +0000", "7:30 pm GMT"), as RSS and
#: e-mail dates end.
_TIME_AFTER = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:[+-]\d{2}:?\d{2}|[a-z]{1,5}))?",
                         re.IGNORECASE)


def _spoken_date(text: str) -> str:
    """A date written out as people and e-mail write it, without what `_NAMED_DATE` need not read:
    a weekday before it ("Monday, May 4, 2015", "Mon, 04 May 2015 10:00:00 +0000"), a time after
    it, ordinals ("May 4th", "the 4th of May")."""
    first = re.match(r"([A-Za-z]+)\.?,?\s+", text)
    if first and first.group(1).lower() in _WEEKDAYS:
        text = text[first.end():]
    text = re.sub(r"^the\s+", "", _TIME_AFTER.sub("", text, count=1), flags=re.IGNORECASE)
    return re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\b)?", r"\1", text, flags=re.IGNORECASE)


#: A numeric date: the year, then the month and day after "-" or "/" (both the same), then an
#: optional time of day with seconds, fraction and offset ("T09:30", " 09:30:00.5 +02:00", "Z").
_NUMERIC_DATE = re.compile(
    r"(\d{4})(?:([-/])(\d{1,2})(?:\2(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?",
    re.IGNORECASE)


@functools.total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day.

    Ordering is chronological with less precise dates sorting before more
    precise ones in the same period (2015 < 2015-05 < 2015-05-04).
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise DateError(f"year {self.year} is outside {MIN_YEAR}-{MAX_YEAR}")
        if self.month is None and self.day is not None:
            raise DateError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateError(f"month {self.month} is not 1-12")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DateError(f"day {self.day} is not in {calendar.month_name[self.month]} {self.year}")

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: PartialDate) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def isoformat(self) -> str:
        """"2015", "2015-05" or "2015-05-04"."""
        # Looked up, not formatted with :02d (a site build asks each date several times); years are
        # 1900-2100, always four digits.
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{self.year}-{_TWO_DIGITS[self.month]}"
        return f"{self.year}-{_TWO_DIGITS[self.month]}-{_TWO_DIGITS[self.day]}"

    def label(self) -> str:
        """Human form: "2015", "May 2015" or "4 May 2015"."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{_MONTH_NAMES[self.month]} {self.year}"
        return f"{self.day} {_MONTH_NAMES[self.month]} {self.year}"

    def first_day(self) -> dt.date:
        """The first calendar day the date covers (1 Jan for a year, the 1st for a month)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def start(self, tz: dt.tzinfo) -> dt.datetime:
        """Midnight at the start of `first_day()` in `tz`: one fixed instant per date.

        Before a zone took a whole-minute offset (Amsterdam until 1937, Monrovia until 1972),
        its local mean time is off UTC by seconds ("+00:19:32"), which RFC 822 and RFC 3339 cannot
        write: feedgen wrote "+001932" and feedparser read it days off. Such an instant is given
        in UTC instead (the same instant)."""
        start = dt.datetime.combine(self.first_day(), dt.time(0, 0), tzinfo=tz)
        offset = start.utcoffset()
        if offset is not None and (offset.seconds % 60 or offset.microseconds):
            return start.astimezone(dt.timezone.utc)
        return start

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read "2015", "2015-05", "2015-05-04", "May 2015", "4 May 2015" or "May 4, 2015".

        Also as people and other tools write them: with a weekday, ordinals or a time of day
        ("Monday, May 4th, 2015", "Mon, 04 May 2015 10:00:00 +0000"), "2015/05/04", and ISO 8601
        with a time ("2015-05-04T09:30:00Z", Jekyll's "2015-05-04 09:30:00 +0200"). A time and its
        offset say when in the writer's day, not which day it was: the date is the day as written.
        "4/5/2015" is refused (day/month or month/day?).

        Raises DateError with a message fit to show a user.
        """
        raw = str(text).strip()
        if not raw:
            raise DateError("date is empty")
        m = _NUMERIC_DATE.fullmatch(raw)
        if m:
            year, _, month, day, hour, minute = m.groups()
            if hour and (int(hour) > 23 or int(minute) > 59):
                raise DateError(f"'{shorten(raw)}': {hour}:{minute} is not a time of day")
            return cls(int(year), int(month) if month else None, int(day) if day else None)
        if _AMBIGUOUS_DATE.fullmatch(raw):
            raise DateError(f"'{shorten(raw)}' could be day/month or month/day: write YYYY-MM-DD")
        m = _NAMED_DATE.fullmatch(_spoken_date(raw))
        if m:
            day1, name, day2, year = m.groups()
            month = month_number(name)
            if month is None:
                raise DateError(f"'{shorten(name)}' is not a month name")
            if len(year) != 4:
                raise DateError(f"'{year}' is not a four-digit year")
            day = day1 or day2
            return cls(int(year), month, int(day) if day else None)
        raise DateError(f"'{shorten(raw)}' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')")


def shorten(text: str, width: int = 60) -> str:
    """Text quoted in an error message, on one line and at most `width` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Entry:
    """One item of the archive: a talk, paper, article, podcast, interview, video or news."""

    id: str
    title: str
    date: PartialDate
    kind: str
    summary: str
    tags: tuple[str, ...] = ()
    url: str | None = None
    source: str = ""
    #: Whether `id` was given by the source (an explicit id/slug) rather than derived.
    explicit_id: bool = field(default=False, compare=False, repr=False)
    #: Whether `kind` was read from the wording (`classify`) because the source gave none.
    kind_read: bool = field(default=False, compare=False, repr=False)
    #: Whose it is, as its source says (a feed's or an item's author, a front matter `author`):
    #: the archive's person, whose name in a question is no word to find (`almanac.person`).
    by: str = field(default="", compare=False, repr=False)
    #: When the store last saw its content change (ISO 8601, UTC), for an entry read from the store;
    #: None for one read from a source. Feeds say by it that an item was revised (`feeds.feed_items`).
    changed_at: str | None = field(default=None, compare=False, repr=False)

    @property
    def precision(self) -> Precision:
        return self.date.precision

    @property
    def content_hash(self) -> str:
        """Hash of everything that describes the entry (not its provenance)."""
        payload = json.dumps(
            [self.title, self.date.isoformat(), self.kind, list(self.tags), self.summary, self.url],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]

    def to_json(self) -> dict:
        """The entry as the CLI's `--json` prints it: exactly these keys."""
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat(),
            "precision": self.precision.value,
            "kind": self.kind,
            "tags": list(self.tags),
            "summary": self.summary,
            "url": self.url,
            "source": self.source,
        }

    def with_id(self, new_id: str) -> Entry:
        return replace(self, id=new_id)


# --- kinds --------------------------------------------------------------------

_KIND_ALIASES = {
    "talks": "talk", "keynote": "talk", "keynotes": "talk", "lecture": "talk", "lectures": "talk",
    "seminar": "talk", "papers": "paper", "preprint": "paper", "publications": "paper", "articles": "article",
    "post": "article", "blog": "article", "podcasts": "podcast", "episode": "podcast",
    "interviews": "interview", "videos": "video", "screencast": "video", "announcement": "news",
    "release": "news",
}


def normalise_kind(value: str) -> str | None:
    """The canonical kind for a name a user or a source may write ("Talks", "keynote"), else None."""
    key = value.strip().lower()
    if key in KINDS:
        return key
    return _KIND_ALIASES.get(key)


def classify(title: str, summary: str, url: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Kind and implied tags from the wording of a title and summary (and where its link points).

    Keynotes and lectures are talks tagged `keynote` / `lecture`; the kind is
    read by `almanac.kind_model` from the words and the cue rules of `almanac.kinds`.
    """
    kind = read_kind(title, summary, url)
    return kind, talk_tags(title, summary) if kind == "talk" else ()


def settle_show_media(entries: list[Entry]) -> list[Entry]:
    """`entries` (all that one ingest reads), the shows whose wording gives no medium on the
    medium most of the archive's other shows have (`almanac.kinds.shared_medium`).

    A show with no word of radio or screen is read as a podcast ("The second programme of The
    Living Planet deals with snow and ice"), which most such shows are; but in an archive whose
    shows say "BBC Two", "filmed" or come from YouTube, it is one more of them. The shows that
    count are those whose source gives their kind and those read from wording that says their medium.
    """
    open_ = [e.kind_read and e.kind == "podcast" and not medium_said(e.title, e.summary, e.url) for e in entries]
    medium = shared_medium([e.kind for e, o in zip(entries, open_) if not o])
    if medium is None:
        return entries
    return [replace(e, kind=medium) if o and e.kind != medium else e for e, o in zip(entries, open_)]


def kinds_read(entries: list[Entry], read=None) -> list[str]:
    """The kind ingest would store for each of `entries` had no source given one: read from its
    wording (`classify`, or `read(title, summary, url)`: another model's reading), then shows
    settled across all of them (`settle_show_media`). What kind inference is scored by
    (tests/eval/harness.py, bench/kinds.py)."""
    reader = read or (lambda title, summary, url: classify(title, summary, url)[0])
    each = [replace(e, kind=reader(e.title, e.summary, e.url), kind_read=True) for e in entries]
    return [e.kind for e in settle_show_media(each)]


def talk_tags(title: str, summary: str) -> tuple[str, ...]:
    """`keynote` and/or `lecture` when a talk's wording says it was one."""
    text = f"{title}\n{summary}"
    lower = text.lower()
    tags = []
    if "keynote" in lower and _KEYNOTE.search(text):  # the substring test first: most entries have neither
        tags.append("keynote")
    if ("lecture" in lower or "seminar" in lower) and _LECTURE.search(text):
        tags.append("lecture")
    return tuple(tags)


_KEYNOTE = re.compile(r"\bkeynotes?\b", re.IGNORECASE)
_LECTURE = re.compile(r"\b(?:lectures?|seminars?)\b", re.IGNORECASE)


# --- ids -----------------------------------------------------------------------

def slugify(text: str, max_length: int = 60) -> str:
    """Lowercase ASCII words joined by '-', cut at a word boundary; other scripts transliterated
    ("Доклад на OSCON" is "doklad-na-oscon", "Łódź" "lodz"). Until December 2026 letters without an
    ASCII decomposition were dropped (`legacy_slugify`): titles wholly in another script all had
    the slug "entry", numbered in the order they were read, so reordering a file swapped ids."""
    if text.isascii():
        return _slug_words(text, max_length)
    from anyascii import anyascii  # only for titles beyond ASCII (its import takes ~10 ms)

    return _slug_words(anyascii(text), max_length)


def legacy_slugify(text: str, max_length: int = 60) -> str:
    """The slug ids were made with before transliteration: ASCII decompositions only. An entry
    stored under it keeps it (`assign_ids`), so upgrading renames and re-announces nothing."""
    return _slug_words(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii"), max_length)


def _slug_words(ascii_text: str, max_length: int) -> str:
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "entry"


def valid_id(value: str) -> bool:
    """Ids appear in URLs and file names: lowercase letters, digits, '-' and '_'."""
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,99}", value))


def base_id(title: str, date: PartialDate) -> str:
    """`<title slug>-<YYYY[-MM[-DD]]>`: depends only on what identifies the entry.

    Not on its position, its summary or the order sources are read in, so
    re-ingesting, inserting entries or editing a summary keeps every id.
    """
    return f"{slugify(title)}-{date.isoformat()}"


def id_candidates(entry: Entry) -> tuple[str, str]:
    """The two ids a derived entry may hold: `<slug>-<date>` and `<slug>-<date>-<kind>`."""
    base = base_id(entry.title, entry.date)
    return base, f"{base}-{entry.kind}"


def legacy_candidates(entries: list[Entry]) -> list[tuple[str, ...]]:
    """For each of `entries` (all those read together), the ids `assign_ids` gave it before
    titles were transliterated (`legacy_slugify`), when they differ: ones it may still hold.

    Titles wholly in another script all had the base "entry-<date>", so look-alikes of one date
    were told apart by kind and then numbered in the order they were read ("entry-2015-05-talk",
    "entry-2015-05-talk-2", ...): those numbers are former ids too, up to how many share the
    base now and a few more (look-alikes removed since left gaps)."""
    bases = [None if e.explicit_id or e.title.isascii() else f"{legacy_slugify(e.title)}-{e.date.isoformat()}"
             for e in entries]
    sharing = Counter(bases)
    out = []
    for entry, base in zip(entries, bases):
        if base is None or base == id_candidates(entry)[0]:
            out.append(())
            continue
        numbers = range(2, sharing[base] + LEGACY_NUMBER_SLACK + 1) if sharing[base] > 1 else ()
        with_kind = f"{base}-{entry.kind}"
        out.append((base, with_kind, *(f"{with_kind}-{n}" for n in numbers), *(f"{base}-{n}" for n in numbers)))
    return out


#: How many numbers past the count of look-alikes read now `legacy_candidates` offers.
LEGACY_NUMBER_SLACK = 3


def assign_ids(entries: list[Entry], held: dict[str, tuple[str, str]] | None = None,
               sources: list[str] | None = None, reading: set[str] | None = None) -> list[Entry]:
    """Give derived ids to entries that lack an explicit one.

    An entry's id is `<title slug>-<date>`. Entries whose title and date
    coincide (the seed's Jitsu talk and Jitsu paper) are told apart by kind:
    `...-2015-05-talk`, `...-2015-05-paper`.

    `held` maps ids the store already holds to their entries' (kind, source
    key), `sources` gives each of `entries` its source key, and `reading` names
    the sources read now (default: those of `entries`). An id once given is kept
    by the entry it was given to, the one of that kind in that source: a talk
    stored as `foo-2015-05` stays that when a paper "Foo" of the same month is
    added, in its file or another (the paper becomes `foo-2015-05-paper`), a
    paper stored as `foo-2015-05-paper` keeps its suffix when the talk is
    removed, and an id held by an entry of a source not read now is taken (that
    entry stays in the store). If kind does not separate entries either, a
    number follows in the order they were read (the only case where order
    matters; give such entries an explicit id). Uniqueness of explicit ids is
    checked by the caller.
    """
    held = held or {}
    sources = sources if sources is not None else [""] * len(entries)
    reading = set(sources) if reading is None else reading
    out = list(entries)
    taken = {e.id for e in entries if e.explicit_id}
    taken |= {ident for ident, (_, source) in held.items() if source not in reading}
    # An entry stored under the id its title gave before transliteration keeps it (`legacy_slugify`).
    # Also one held in a source read now under another name, whose entries move here (`reading`
    # beyond the sources of `entries`: `sources.overlapping`, `sources.vanished`).
    kept: set[int] = set()
    released = reading - set(sources)
    for i, (entry, former) in enumerate(zip(entries, legacy_candidates(entries))):
        if former:
            ident = next((c for c in former if c not in taken and c in held and held[c][0] == entry.kind
                          and held[c][1] in released | {sources[i]}), None)
            if ident is not None:
                out[i] = entry.with_id(ident)
                taken.add(ident)
                kept.add(i)
    groups: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        if not entry.explicit_id and i not in kept:
            groups.setdefault(id_candidates(entry)[0], []).append(i)

    def owns(i: int, ident: str) -> bool:
        return held.get(ident) == (entries[i].kind, sources[i])

    # Numbered ids held, by what they number and their entry's (kind, source): "x-talk-2" a copy
    # of a talk "x" numbered after another source's, kept once given (renamed to "x-talk" when the
    # other left, it was removed and added: announced again).
    numbered: dict[tuple[str, str, str], list[str]] = {}
    for ident, (kind, source) in held.items():
        stem, dash, number = ident.rpartition("-")
        if dash and number.isdigit() and int(number) >= 2:
            numbered.setdefault((stem, kind, source), []).append(ident)
    for base, indexes in groups.items():
        base_keeper = next((i for i in indexes if owns(i, base)), None)
        seen: dict[str, int] = {}
        for i in indexes:
            _, with_kind = id_candidates(entries[i])
            # An explicit id taking the base from the entry that held it: it goes where it would
            # go had it never held it (its kind's id), not to "-2" and then, the next run, there.
            if base in taken or (i != base_keeper and (owns(i, with_kind) or len(indexes) > 1)):
                candidate = with_kind
            else:
                candidate = base
            final = candidate
            if not owns(i, candidate):  # a number it was given, after its kind's id or its plain one
                mine = (entries[i].kind, sources[i])
                kept = [n for stem in (with_kind, base) for n in sorted(numbered.get((stem, *mine), ()))
                        if n not in taken]
                if kept:
                    final = kept[0]
            while final in taken:
                seen[candidate] = seen.get(candidate, 1) + 1
                final = f"{candidate}-{seen[candidate]}"
            taken.add(final)
            out[i] = entries[i].with_id(final)
    return out
