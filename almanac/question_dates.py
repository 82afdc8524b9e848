"""The dates a question asks for: "talks from February 2020", "anything since last summer?".

A question's date words are read once, left to right, by `DateReader`, which
marks the words it takes (they are no words to rank by) and leaves the rest
to the kind and order reading in `almanac.query`. Reading is a pure function
of the words and of today's date (for "last year"), so it is tested on its own
(tests/test_query.py, through `parse_query`).

The forms read, in plain words:
- years, "May 2015", "2015-05", "January or February 2025", "Jan/Feb 2015",
  "between March and June 2015", "May-June 2015", "Dec 2014 - Feb 2015",
  "from September to December" (any year; "November to February" runs across
  the new year);
- parts of a year ("Q1 2020", "early 2015", "mid-2015", "late 2014", "the end
  of 2019", "the first half of 2011", "the third quarter of 2022", "the first
  three months of 2020");
- ranges ("before 2014", "since 2019", "after May 2015", "until the end of
  2019", "from May 2015 onwards", "between 2014 and 2016", "2014-2016",
  "2014/15", "1999/00", "2014 or 2015"), years listed ("in 2014 and 2016",
  "2012, 2014 or 2019": those years only);
- decades ("the 2010s", "the 90s", "the nineties", "the early 2010s", "this
  decade": the 2020s so far, "the previous decade": the 2010s, "the last
  decade": ten years back);
- relative dates ("last year", "since last year", "this month", "last
  summer", "two years ago", "a decade ago", "in the past five years", "the
  last couple of years"), and a clause dating the entries by an event ("before
  he founded DeepMind in 2010").
What is not a date: a year between an article and a word that is no kind
("the 2011 riots") names an event and stays a word to match; version numbers
("Irmin 2.0", "MirageOS 4"); "may" and "march" except next to a year or after
"in"/"from"/"during"; a year well after today with no word before it that
makes it a date (a name's number).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection

from almanac.entry import MAX_YEAR, MIN_YEAR, month_number
from almanac.words import LIST_JOINERS, SUBJECT_PRONOUNS

#: The earliest year four digits in a question are read as (a smaller number is a count or a name's).
MIN_QUERY_YEAR = 1900

#: Words before a year that make it an event's ("the 2011 riots"; `DateReader._event_year`).
_EVENT_ARTICLES = frozenset("the a an that this their those these".split())
#: Words after a year that keep it a date: "the 2014 and 2015 talks", "the 2019 ones".
_DATE_GLUE = frozenset("and or to through until ones one onwards onward on".split()) | {""}

#: A season's months in the northern hemisphere, where most archives' people are: winter is the
#: year's first two months and its last ("winter 2014": January, February and December 2014).
_SEASONS = {"spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11), "fall": (9, 10, 11),
            "winter": (1, 2, 12)}

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "couple": 2, "few": 3, "several": 3,
}
_BEFORE_WORDS = {"before": -1, "prior": -1, "earlier": -1, "until": 0, "till": 0, "by": 0, "pre": -1}
_AFTER_WORDS = {"since": 0, "after": 1, "later": 1, "post": 1}
_CONNECT_WORDS = {"and", "to", "until", "till", "through", "or"}
#: Before "than" and a date, the range it makes: "earlier than 2015" is before 2015, and so is
#: "older than 2010" ("anything older than 2010?" asks for what came out before it, not for 2010).
_THAN_WORDS = {"earlier": "earlier", "older": "earlier", "later": "later", "newer": "later"}
#: Words between two months that ask for every month from one to the other ("March to June 2015";
#: a dash between two months reads as "to", `month_joiners`).
_MONTH_RANGE_JOINERS = frozenset(("to", "through", "until", "till"))
#: Words between months or seasons listed before one year: "January or February", "summer to autumn".
_MONTH_LIST_JOINERS = LIST_JOINERS | _MONTH_RANGE_JOINERS
_MONTH_CONTEXT = {"in", "from", "during", "of", "since", "until", "before", "after", "this", "last"}
#: Words before a year that make it a date even when no entry can be from then ("talks from 2099" is
#: answered with the latest talk before it); without one, a year after next year is a name's number.
_FUTURE_DATE_WORDS = frozenset({"from", "since", "until", "till", "before", "after", "during", "by"})
#: Words opening a clause that dates the entries asked for by an event ("before he founded DeepMind
#: in 2010"), and how many words such a clause may hold before its year.
_EVENT_CLAUSE_OPENERS = frozenset({"before", "after", "since", "until"})
_EVENT_CLAUSE_WORDS = 6
#: Words, versions ("2.0") and dashes (which join "2014-2016" and "2015-05").
DATE_TOKEN_RE = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*|[-–/]", re.UNICODE)
_DASHES = frozenset(("-", "–"))
#: A month's number as ISO dates write it ("2015-05", "2015-5").
_ISO_MONTH = re.compile(r"0?[1-9]|1[0-2]")
#: The months an entry can have (year * 12 + month - 1): the open end of a range of months ("since
#: May 2015" runs to the last, "before March 2014" from the first), as the open end of a range of
#: years is None.
FIRST_MONTH, LAST_MONTH = MIN_YEAR * 12, MAX_YEAR * 12 + 11
#: The months (first, last) of a year that "early 2015", "mid-2015" and "late 2014" mean: a third
#: of the year each; "the start of 2020", "the middle of 2019" and "the end of 2019" too. (Generous,
#: as the parts of a decade: a listing had better hold an entry too many than miss one.)
_YEAR_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12),
               "start": (1, 4), "beginning": (1, 4), "middle": (5, 8), "end": (9, 12)}
#: The parts of a year that are its edges after "of" ("since the start of 2025", "before the end of
#: 2019"), as the month (from 0) just after that edge: a range stops or starts there.
_YEAR_EDGES = {"start": 0, "beginning": 0, "middle": 6, "end": 12}
#: A quarter of a year ("Q1 2020"): its three months.
_QUARTER = re.compile(r"q([1-4])")
#: A half of a year: "H1 2011", or "the first half of 2011" (the word before "half"): its six months.
_HALF = re.compile(r"h([12])")
_HALF_WORDS = {"first": 1, "second": 2, "latter": 2, "last": 2}
#: A quarter in words: "the third quarter of 2022" (the word before "quarter"): its three months.
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "final": 4}
#: The end of a year that "the first three months of 2020" and "the last six months of 2019" count
#: from: the word before the number.
_MONTHS_FROM = {"first": "start", "opening": "start", "last": "end", "final": "end", "closing": "end"}
#: Words that begin a clause: after "on" they make it end a date ("from 2016 on, what did she
#: write?": from 2016 onwards), where "from 2015 on Irmin" is what the year's entries are about.
_CLAUSE_STARTS = frozenset("what which who how where when why did does do has have had is was were are he she "
                           "they i we you".split())
_AMBIGUOUS_MONTHS = {"may", "march", "jan", "mar", "jun", "aug", "sep", "sept", "oct", "nov", "dec", "apr", "feb", "jul"}
#: Words before an ambiguous month ("may", "march") that make it one when it repeats the months read.
_RESTATED_MONTH_CONTEXT = _MONTH_CONTEXT | _MONTH_RANGE_JOINERS

#: The years of a decade that "the early 2010s", "the mid-90s" and "the late 2000s" mean (generous:
#: a listing had better hold an entry too many than miss one).
_DECADE_PARTS = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}


def _relative_season(season: str, which: str, today: dt.date) -> tuple[int, int]:
    """The months (year * 12 + month - 1, both ends) of "last summer" or "this spring" as of `today`.

    Winter runs from December into the next year here. "this" is the season under way, else
    the latest one begun; "last" (or "past", "previous") the latest one already over, and also
    the one a year before it when that one ended less than three months ago: on 1 December,
    "last autumn" may mean the one that ended yesterday or the year's before, and a listing had
    better hold an entry too many than miss the one meant.
    """
    first = 11 if season == "winter" else _SEASONS[season][0] - 1  # its first month, from 0
    now = today.year * 12 + today.month - 1
    starts = [y * 12 + first for y in range(today.year - 2, today.year + 1)]
    if which == "this":
        start = max(s for s in starts if s <= now)
    else:
        start = max(s for s in starts if s + 2 < now)
        if now - (start + 2) <= 3:
            return start - 12, start + 2
    return start, start + 2


def _year(tok: str) -> int | None:
    # isdecimal, not isdigit: "²⁰¹⁵" is digits to isdigit and not a number to int()
    if len(tok) == 4 and tok.isdecimal() and MIN_QUERY_YEAR <= int(tok) <= MAX_YEAR:
        return int(tok)
    return None


def _day(tok: str) -> int | None:
    """A day of the month as written: "4", "04", "4th", "21st"."""
    m = re.fullmatch(r"(0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?", tok)
    return int(m.group(1)) if m else None


#: Words that open a clause describing an entry ("the story about why ...", "the book that ..."),
#: after the question's first word (where "which", "that" and "how" ask or point).
_DESCRIBING = frozenset("where why that which who whose when how".split())

#: Decades written as words, read as a decade after "the" ("the nineties", "the early eighties";
#: "in his nineties" is an age). "twenties" is this century's, as "20s" is (`_decade`).
_DECADE_WORDS = {"twenties": 2020, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                 "seventies": 1970, "eighties": 1980, "nineties": 1990, "noughties": 2000, "aughts": 2000}


def _decade(tok: str) -> int | None:
    """1990 for "1990s", "90s", "'90s"; 2010 for "2010s"."""
    tok = tok.lstrip("'")
    if re.fullmatch(r"(19|20)\d0s", tok):
        return int(tok[:4])
    if re.fullmatch(r"\d0s", tok):
        return (1900 if int(tok[0]) >= 3 else 2000) + int(tok[0]) * 10
    return None


#: One or two ASCII digits ("¹" and "٣" are digits to str.isdigit, and "¹" no number to int).
_ASCII_NUMBER = re.compile(r"[0-9]{1,2}")


def _number(tok: str) -> int | None:
    """How many years, months or seasons back: "2", "two", "a couple"."""
    if _ASCII_NUMBER.fullmatch(tok):
        return int(tok)
    return _NUMBER_WORDS.get(tok)


class DateReader:
    """Walks the question's words once, taking out what is a date."""

    def __init__(self, words: list[str], dashed: list[bool], today: dt.date, names: frozenset[str] = frozenset(),
                 kind_words: Collection[str] = frozenset()):
        """`dashed[i]`: a dash joined word i to the next ("2014-2016", "2015-05"); `names`: words the
        question capitalises as names ("on This Morning", "the Tonight Show": a show, not a time);
        `kind_words`: the words that name a kind of entry ("the 2019 talks" is a date, "the 2011
        riots" an event: `_event_year`), which the kind reading (`almanac.query`) owns."""
        self.w = words
        self.kind_words = kind_words
        self.names = names
        self._iso_dash = dashed
        self.used = [False] * len(words)
        self.today = today
        self.year_from: int | None = None
        self.year_to: int | None = None
        self.months: list[int] = []
        #: Years asked for one by one ("in 2014 and 2016"; `_year_list`), the range their ends.
        self.years: list[int] = []
        self.day: int | None = None

    def at(self, i: int) -> str:
        return self.w[i] if 0 <= i < len(self.w) else ""

    def take(self, *indexes: int) -> None:
        for i in indexes:
            if 0 <= i < len(self.w):
                self.used[i] = True

    def span(self, lo: int, hi: int) -> None:
        self.take(*range(lo, hi + 1))

    def set_years(self, lo: int | None, hi: int | None) -> None:
        self.year_from, self.year_to = lo, hi

    months_span: tuple[int, int] | None = None

    def read(self) -> None:
        for reader in (self._relative, self._seasons, self._month_years, self._ranges, self._decades,
                       self._single_years, self._lone_months):
            if self.months_span is not None:
                return
            if self.year_from is None and self.year_to is None or reader == self._lone_months:
                reader()
        self._restated_decades()

    # "last year", "this month", "two years ago", "in the past five years"
    def _relative(self) -> None:
        today = self.today
        for i, tok in enumerate(self.w):
            nxt = self.at(i + 1)
            # "yesterday", "this morning", "tonight": a day. Not "today", which as often means
            # "nowadays" ("what that says about women speaking up today"), nor a show's name.
            if (tok in ("yesterday", "tonight") or tok == "this" and nxt in ("morning", "afternoon", "evening")) \
                    and tok not in self.names and nxt not in self.names:
                day = today - dt.timedelta(days=1) if tok == "yesterday" else today
                self.set_years(day.year, day.year)
                self.months, self.day = [day.month], day.day
                self.span(i, i if tok != "this" else i + 1)
                return
            if tok in ("last", "this", "past", "previous") and nxt in ("year", "month", "decade") \
                    and not self._of_a_year(i + 2):  # "the last month of 2019" is December's
                edge = self.at(i - 1)
                if nxt == "year" and (edge in _AFTER_WORDS or edge in _BEFORE_WORDS):
                    # "since last year", "before this year": a range that ends or starts there
                    year = today.year - (0 if tok == "this" else 1)
                    if edge in _AFTER_WORDS:
                        self.set_years(year + _AFTER_WORDS[edge], None)
                    else:
                        self.set_years(None, year + _BEFORE_WORDS[edge])
                    self.span(i - 1, i + 1)
                    return
                if nxt in ("year", "month") and (tok == "past" or tok == "last" and edge == "the"):
                    # "in the past year", "over the last month": up to now, from the month it was
                    # then, as "the past two years" (the calendar's year before is "last year")
                    now = today.year * 12 + today.month - 1
                    self.months_span = (now - (12 if nxt == "year" else 1), now)
                    self.span(i - 1 if edge == "the" else i, i + 1)
                    return
                if nxt == "year":
                    year = today.year - (0 if tok == "this" else 1)
                    self.set_years(year, year)
                elif nxt == "month":
                    month_start = today.replace(day=1)
                    if tok != "this":
                        month_start = (month_start - dt.timedelta(days=1)).replace(day=1)
                    self.set_years(month_start.year, month_start.year)
                    self.months = [month_start.month]
                elif tok == "this":  # the decade of the calendar: the 2020s so far
                    self.set_years(today.year - today.year % 10, today.year)
                elif tok == "previous":  # the calendar's decade before this one
                    start = today.year - today.year % 10 - 10
                    self.set_years(start, start + 9)
                else:  # "the last decade", "the past decade": ten years back from now
                    self.set_years(today.year - 10, today.year)
                self.span(i, i + 1)
                return
            if tok in ("last", "this", "past", "previous") and nxt in _SEASONS and nxt not in self.names:
                self.months_span = _relative_season(nxt, tok, today)
                self.span(i, i + 1)
                return
            if tok == "ago" and i >= 2 and self.at(i - 1) in ("year", "years", "month", "months", "decade",
                                                              "decades"):
                n = _number(self.at(i - 2))
                if n is None:
                    continue
                if self.at(i - 1).startswith("decade"):  # "a decade ago": the year ten years back
                    self.set_years(today.year - 10 * n, today.year - 10 * n)
                elif self.at(i - 1).startswith("year"):
                    self.set_years(today.year - n, today.year - n)
                else:
                    y, m = divmod(today.year * 12 + today.month - 1 - n, 12)
                    self.set_years(y, y)
                    self.months = [m + 1]
                self.span(i - 2, i)
                return
            # "the past two years", "the last couple of years"
            unit_at = i + 3 if self.at(i + 2) == "of" else i + 2
            unit = {"years": 12, "year": 12, "months": 1, "month": 1}.get(self.at(unit_at))
            if tok in ("past", "last", "previous") and _number(nxt) and unit and not self._of_a_year(unit_at + 1):
                # From the month it was then up to this one: on 1 December 2026 "the past six
                # months" reaches back to June 2026 and "the past two years" to December 2024.
                now = today.year * 12 + today.month - 1
                self.months_span = (now - _number(nxt) * unit, now)
                self.span(i, unit_at)
                return
            if tok == "recent" and nxt == "years":
                self.set_years(today.year - 3, today.year)
                self.span(i, i + 1)
                return

    def _of_a_year(self, k: int) -> bool:
        """Whether "of" and a year stand at word k: "the last six months of 2019" counts back from
        that year's end, not from today."""
        return self.at(k) == "of" and _year(self.at(k + 1)) is not None

    # "spring 2014", "the summer of 2019", "autumn 2020": the season's months of that year;
    # "the summer and autumn of 2019", "spring to autumn 2019": the seasons' months of one year, as
    # "January or February 2025" lists months;
    # "between autumn 2023 and spring 2024": from the first season's first month to the second's last
    def _seasons(self) -> None:
        for i, tok in enumerate(self.w):
            found = self._season_year(i)
            if found is None:
                continue
            months, year, j = found
            months, i = self._seasons_before(i, months)
            lo = i - 1 if self.at(i - 1) == "the" else i
            joiner = self.at(j + 1)
            if self.at(lo - 1) in ("between", "from") and (joiner in _MONTH_RANGE_JOINERS or joiner == "and"):
                k = j + 3 if self.at(j + 2) == "the" else j + 2
                other = self._season_year(k)
                if other is not None:
                    # Winter is the year's January, February and December: it begins a range in
                    # January and ends one in December, as "winter 2014" alone holds all three.
                    # Either may come first ("between spring 2024 and autumn 2023").
                    seasons = ((months, year), other[:2])
                    self.months_span = (min(y * 12 + min(m) - 1 for m, y in seasons),
                                        max(y * 12 + max(m) - 1 for m, y in seasons))
                    self.span(lo - 1, other[2])
                    return
            self.set_years(year, year)
            self.months = list(months)
            self.span(lo, j)
            return

    def _joins_range(self, joiner: int, opener: int) -> bool:
        """The word at `joiner` asks for every month from the one before it to the one after: a
        range word ("March to June", "spring through autumn"), or "and" where "between" is at
        `opener` ("between March and June"); else the two are a list ("March and June")."""
        word = self.at(joiner)
        return word in _MONTH_RANGE_JOINERS or (word == "and" and self.at(opener) == "between")

    def _seasons_before(self, i: int, months: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
        """The months of the seasons listed before the one at word i, with it, and where the first
        is: "summer and autumn" (each one's months), "spring to autumn" and "between spring and
        autumn" (every month from the first's to the last's, as "between March and June" is;
        "winter to spring", whose winter holds December, each one's)."""
        first = i
        while self.at(first - 1) in _MONTH_LIST_JOINERS and self.at(first - 2) in _SEASONS:
            earlier = _SEASONS[self.at(first - 2)]
            opener = first - 4 if self.at(first - 3) == "the" else first - 3
            if self._joins_range(first - 1, opener) and max(earlier) < min(months):
                months = tuple(range(min(earlier), max(months) + 1))
            else:
                months = tuple(sorted(set(earlier) | set(months)))
            first -= 2
        return months, first

    def _season_year(self, i: int) -> tuple[tuple[int, ...], int, int] | None:
        """(the season's months, its year, where the year is) for "spring 2014" or "the summer of
        2019" beginning at word i; None when no season and year begin there."""
        months = _SEASONS.get(self.at(i))
        if months is None:
            return None
        j = i + 2 if self.at(i + 1) == "of" else i + 1
        year = _year(self.at(j))
        return (months, year, j) if year is not None else None

    # "May 2015", "January or February 2025", "feb. 2020", "2015-05" (tokenised as 2015, 05), "Q1 2020",
    # "late 2014"; "since May 2015", "before March 2014": one end of a range
    def _month_years(self) -> None:
        for i, tok in enumerate(self.w):
            year = _year(tok)
            if year is None:
                continue
            if self._iso_month(i, year) or self._day_month_year(i, year) or self._year_part(i, year) \
                    or self._named_months(i, year):
                return

    def _iso_month(self, i: int, year: int) -> bool:
        """'2015-05', '2021-05-04', '2015-05 to 2015-09', 'since 2019-08' (the year at i)."""
        if not (self._iso_dash[i] and _ISO_MONTH.fullmatch(self.at(i + 1))):
            return False
        month = int(self.at(i + 1))
        day = _day(self.at(i + 2)) if self._iso_dash[i + 1] else None
        end = i + (2 if day else 1)
        key = year * 12 + month - 1
        start = i - 1 if self.at(i - 1) in ("between", "from") else i
        if day is None and (self._month_to_month(start, end, key) or self._open_range(i, end, key, key)):
            return True
        self.set_years(year, year)
        self.months = [month]
        self.day = day
        self.span(i, end)
        return True

    def _year_part(self, i: int, year: int) -> bool:
        """'Q1 2020', 'H2 2011', 'the first half of 2011', 'the third quarter of 2022', 'the first three
        months of 2020', 'early 2015', 'mid-2015', 'late 2014', 'the end of 2019' (the year at i): those
        months of the year (`_YEAR_PARTS`), or one end of a range ("since late 2014"). The word is a
        part of a year only right before one: "his late wife" and "the end of the talk" are not."""
        j = i - 2 if self.at(i - 1) == "of" else i - 1
        word = self.at(j)
        quarter = _QUARTER.fullmatch(word)
        half = _HALF.fullmatch(word) if j == i - 1 else None
        if word == "half" and j == i - 2 and self.at(j - 1) in _HALF_WORDS:  # "the first half of 2011"
            j -= 1
            half = _HALF.fullmatch(f"h{_HALF_WORDS[self.at(j)]}")
        elif word == "quarter" and j == i - 2 and self.at(j - 1) in _QUARTER_WORDS:  # "the third quarter of 2022"
            j -= 1
            quarter = _QUARTER.fullmatch(f"q{_QUARTER_WORDS[self.at(j)]}")
        counted = self._counted_months(j) if word in ("months", "month") and j == i - 2 else None
        if counted:  # "the first three months of 2020", "the last six months of 2019"
            months, j = counted
        elif quarter:
            first = int(quarter.group(1)) * 3 - 2
            months = (first, first + 2)
        elif half:
            first = int(half.group(1)) * 6 - 5
            months = (first, first + 5)
        elif word in _YEAR_PARTS and (j == i - 1) == (word not in _YEAR_EDGES):  # "late 2014", "the end of 2019"
            months = _YEAR_PARTS[word]
        else:
            return False
        lo = j - 1 if self.at(j - 1) == "the" else j
        first, last = year * 12 + months[0] - 1, year * 12 + months[1] - 1
        if word in _YEAR_EDGES:
            # One end of a range stops or starts at the edge: "before the end of 2019" runs to December,
            # "since the end of 2019" from the January after. Passed as the months either side of it,
            # the range reads it so: before and until stop at `last`, since and after start at `first`.
            first = year * 12 + _YEAR_EDGES[word]
            last = first - 1
        if self._open_range(lo, i, first, last):
            return True
        self.set_years(year, year)
        self.months = list(range(months[0], months[1] + 1))
        self.span(lo, i)
        return True

    def _counted_months(self, j: int) -> tuple[tuple[int, int], int] | None:
        """The months (first, last) of "the first three months", "the last six months" or "the first
        month" (the word "months" or "month" at j) and where the phrase begins; None when no count
        from one end of the year stands there ("the twelve months of 2020" are the year's)."""
        if self.at(j) == "month":
            which = self.at(j - 1)
            if which not in _MONTHS_FROM:
                return None
            month = 1 if _MONTHS_FROM[which] == "start" else 12
            return (month, month), j - 1
        count, edge = _number(self.at(j - 1)), _MONTHS_FROM.get(self.at(j - 2))
        if count is None or edge is None or not 1 <= count <= 11:
            return None
        return ((1, count) if edge == "start" else (13 - count, 12)), j - 2

    def _named_months(self, i: int, year: int) -> bool:
        """'May 2015', 'January or February 2025', 'March to June 2015', 'from December 2014 to
        February 2015', 'after May 2015' (the year at i)."""
        j = i - 1
        if self.at(j) == "of":
            j -= 1
        months, lo = [], j
        while month_number(self.at(j)) is not None:
            months.insert(0, month_number(self.at(j)))
            lo = j
            if self.at(j - 1) in _MONTH_LIST_JOINERS and month_number(self.at(j - 2)):
                j -= 2
            else:
                break
        if not months:
            return False
        start = lo - 1 if self.at(lo - 1) in ("between", "from") else lo
        if self._month_to_month(start, i, year * 12 + months[0] - 1):
            return True
        # "March to June 2015", "between March and June 2015": every month from one to the other
        if len(months) == 2 and self._joins_range(lo + 1, lo - 1) and months[1] != months[0]:
            months = list(range(min(months), max(months) + 1))  # "June to March 2015" too
        if self._open_range(lo, i, year * 12 + min(months) - 1, year * 12 + max(months) - 1):
            return True
        self.set_years(year, year)
        self.months = months
        self.span(start, i)
        return True

    def _month_to_month(self, start: int, end: int, key: int) -> bool:
        """A month (`key`, its words ending at `end`) joined to another with its year: "from December
        2014 to February 2015", "Dec 2019-Feb 2020", "2015-05 to 2015-09". Every month from one to the
        other, across the new year too; written backwards, the same months, as "from 2016 to 2014" is
        2014 to 2016. (It was read as the first month alone, the rest searched for as words.)

        After a range word the other end may be a part of a year or a whole one: "from July 2020
        through the end of 2021" runs to December 2021, "from May 2015 to 2016" to December 2016
        (the words were read as a term "end" and the year, and the month alone was lost)."""
        ranged = self._joins_range(end + 1, start)
        other = self._month_at(end + 2) if ranged or self.at(end + 1) == "and" else None
        if other is None and ranged:
            other = self._year_span_at(end + 2)
        if other is None or other[0] == other[1] == key:
            return False
        self.months_span = (min(key, other[0]), max(key, other[1]))
        self.span(start, other[2])
        return True

    def _month_at(self, j: int) -> tuple[int, int, int] | None:
        """The month (year * 12 + month - 1) written from word j with its year ("February 2015",
        "2015-02"), as (first, last) months of one, and where its words end."""
        month, year = month_number(self.at(j)), _year(self.at(j + 1))
        if month and year:
            return year * 12 + month - 1, year * 12 + month - 1, j + 1
        year = _year(self.at(j))
        if year and self._iso_dash[j] and _ISO_MONTH.fullmatch(self.at(j + 1)):
            key = year * 12 + int(self.at(j + 1)) - 1
            return key, key, j + 1
        return None

    def _year_span_at(self, j: int) -> tuple[int, int, int] | None:
        """The first and last months of a part of a year written from word j ("the end of 2021",
        "late 2021", `_YEAR_PARTS`) or of a whole year ("2021"), and where its words end."""
        if self.at(j) == "the":
            j += 1
        part = _YEAR_PARTS.get(self.at(j))
        if part is not None:
            y = j + 2 if self.at(j + 1) == "of" else j + 1
            if (y == j + 2) != (self.at(j) in _YEAR_EDGES):
                return None
            year = _year(self.at(y))
            return (year * 12 + part[0] - 1, year * 12 + part[1] - 1, y) if year is not None else None
        year = _year(self.at(j))
        if year is None or self._iso_dash[j]:
            return None
        return year * 12, year * 12 + 11, j

    def _open_range(self, lo: int, hi: int, first: int, last: int) -> bool:
        """Months first..last, written in words lo..hi, as one end of a range open at the other, when a
        range word says so: "since May 2015" from May, "after May 2015" from June, "before March 2014"
        up to February, "until May 2015" up to May, "from May 2015 onwards" from May. (They were read
        as those months alone, and the range word left a word to search for.) False, and nothing
        read, when no such word is there."""
        edge = self._open_end(lo, hi)
        if edge is None:
            return False
        word, lo, hi = edge
        if word in _BEFORE_WORDS:
            self._months_up_to(first - 1 if _BEFORE_WORDS[word] < 0 else last)
        else:
            self._months_from(last + 1 if _AFTER_WORDS[word] > 0 else first)
        self.span(lo, hi)
        return True

    def _months_from(self, key: int) -> None:
        """Every month from `key` on: years from a January ("since January 2015" as "since 2015")."""
        if key % 12 == 0:
            self.set_years(key // 12, None)
        else:
            self.months_span = (key, LAST_MONTH)

    def _months_up_to(self, key: int) -> None:
        """Every month up to `key`: years up to a December ("until December 2014" as "until 2014")."""
        if key % 12 == 11:
            self.set_years(None, key // 12)
        else:
            self.months_span = (FIRST_MONTH, key)

    def _open_end(self, lo: int, hi: int) -> tuple[str, int, int] | None:
        """How the date in words lo..hi is one end of an open range: the range word (a key of
        `_BEFORE_WORDS` or `_AFTER_WORDS`; "from 2016 onwards" reads as "since"), and the first and
        last words of the whole; None when it is no such end."""
        before = self._range_word(lo)
        onward = self._onward(hi + 1)
        if onward is not None:  # "from 2016 onwards", "since 2019 and later", "2016 on"
            first = before[1] if before else lo - 1 if self.at(lo - 1) == "from" else lo
            return "since", first, onward
        return (before[0], before[1], hi) if before else None

    def _range_word(self, lo: int) -> tuple[str, int] | None:
        """The word before word lo that makes a range of what follows ("before", "since", "prior to",
        "up to" as "until", "later than"), and where it starts."""
        prev, earlier = self.at(lo - 1), self.at(lo - 2)
        if prev == "to" and earlier in ("prior", "up"):
            return ("prior" if earlier == "prior" else "until"), lo - 2
        if prev == "than" and earlier in _THAN_WORDS:  # both words are the range, neither content
            return _THAN_WORDS[earlier], lo - 2
        if prev in _BEFORE_WORDS or prev in _AFTER_WORDS:
            return prev, lo - 1
        return None

    def _onward(self, j: int) -> int | None:
        """Where "onwards", "and later" or "on" after a date ends, when it begins at word j. "on" only
        ends the question or a clause ("from 2016 on, what did she write"): "papers from 2015 on Irmin"
        are the year's papers about Irmin."""
        word = self.at(j)
        ends_clause = j + 1 == len(self.w) or self.at(j + 1) in _CLAUSE_STARTS
        if word in ("onward", "onwards") or word == "on" and ends_clause:
            return j
        if word in ("and", "or") and self.at(j + 1) == "later":
            return j + 1
        return None

    def _day_month_year(self, i: int, year: int) -> bool:
        """'May 4, 2021', 'May 4th 2021', '4 May 2021', '4th of May 2021' (the year at i)."""
        day, month = _day(self.at(i - 1)), month_number(self.at(i - 2))
        lo = i - 2
        if day is None or month is None:
            j = i - 1
            month, day = month_number(self.at(j)), _day(self.at(j - 1))
            lo = j - 1
            if day is None and self.at(j - 1) == "of":
                day, lo = _day(self.at(j - 2)), j - 2
        if day is None or month is None:
            return False
        self.set_years(year, year)
        self.months, self.day = [month], day
        self.span(lo - 1 if self.at(lo - 1) in ("on", "the") else lo, i)
        return True

    # "between 2014 and 2016", "2014-2016", "before 2014", "since 2019", "from 2016 onwards"
    def _ranges(self) -> None:
        for i, tok in enumerate(self.w):
            year = _year(tok)
            if year is None:
                continue
            nxt, after = self.at(i + 1), _year(self.at(i + 2))
            if self._iso_dash[i] and re.fullmatch(r"\d\d", nxt):
                nxt = self._second_year(year, int(nxt)) or nxt  # "2014-15", "2019/20": a season of two years
            if self._year_list(i):
                return
            joins = nxt in _CONNECT_WORDS - {"or"}
            if joins and after is not None or (_year(nxt) and self._iso_dash[i]):
                other = after if after is not None else _year(nxt)
                end = i + 2 if after is not None else i + 1
                start = i - 1 if self.at(i - 1) in ("between", "from") else i
                self.set_years(min(year, other), max(year, other))
                self.span(start, end)
                return
            edge = self._open_end(i, i)  # "before 2014", "up to 2014", "later than 2015", "from 2016 onwards"
            if edge is not None:
                word, lo, hi = edge
                if word in _BEFORE_WORDS:
                    self.set_years(None, year + _BEFORE_WORDS[word])
                else:
                    self.set_years(year + _AFTER_WORDS[word], None)
                self.span(lo, hi)
                return

    @staticmethod
    def _second_year(year: int, short: int) -> str | None:
        """The year that two digits after a year and a dash or slash name: "2014-15" 2015, "1999/00"
        2000 (the century turns); None when they name none after it ("2014-12", "2015-05": ISO months
        are read before)."""
        if short > year % 100:
            return str(year - year % 100 + short)
        if short == (year + 1) % 100:
            return str(year + 1)
        return None

    def _year_list(self, i: int) -> bool:
        """'in 2014 and 2016', '2014 or 2016', '2012, 2014 and 2019': those years, not the ones
        between (read as 2014 to 2016 before). Years a year apart are the same either way; "between
        2014 and 2016" stays a range."""
        years, joined, j = [_year(self.at(i))], [], i
        while not self._iso_dash[j]:  # "2014-2016" is a range
            joiner = self.at(j + 1) in LIST_JOINERS
            k = j + 2 if joiner else j + 1
            year = _year(self.at(k))
            if year is None:
                break
            years.append(year)
            joined.append(joiner)
            j = k
        if not any(joined) or j > i and self._iso_dash[j]:  # "2019 2020"; "2014 and 2016-2018"
            return False
        if len(years) < 2 or self.at(i - 1) == "between" or len(set(years)) < len(years):
            return False
        years.sort()
        self.set_years(years[0], years[-1])
        if years[-1] - years[0] != len(years) - 1:  # "2014 or 2015" is every year between: a range
            self.years = years
        self.span(i - 1 if self.at(i - 1) in ("in", "of", "during", "from") else i, j)
        return True

    def _decades(self) -> None:
        for i, tok in enumerate(self.w):
            start = _decade(tok)
            if start is None and tok in _DECADE_WORDS:
                # "the nineties", "the early eighties": a decade; "in her nineties" is an age
                before = self.at(i - 2) if self.at(i - 1) in _DECADE_PARTS else self.at(i - 1)
                start = _DECADE_WORDS[tok] if before == "the" else None
            if start is not None:
                part = _DECADE_PARTS.get(self.at(i - 1))
                lo = self._decade_start(i)
                if any(w in _DESCRIBING for w in self.w[1:lo]):
                    # "the audio story about why so many boys were born in the early seventies", "the
                    # book that bundles his three 1950s diaries": a decade inside what describes the
                    # entry is the story's, not when the entry came out
                    continue
                first, last = part or (0, 9)
                years, end = list(range(start + first, start + last + 1)), i
                # "the 1990s and 2010s", "the 80s or the 90s": every year of each decade listed
                while self.at(end + 1) in LIST_JOINERS:
                    k = end + 3 if self.at(end + 2) == "the" else end + 2
                    part = _DECADE_PARTS.get(self.at(k))
                    other_word = self.at(k + 1 if part else k)
                    other = _decade(other_word) or _DECADE_WORDS.get(other_word)
                    if other is None:
                        break
                    first, last = part or (0, 9)
                    years += range(other + first, other + last + 1)
                    end = k + 1 if part else k
                years = sorted(set(years))
                self.set_years(years[0], years[-1])
                if len(years) < years[-1] - years[0] + 1:
                    self.years = years
                elif self.at(end + 1) in ("and", "or") and self.at(end + 2) in ("later", "beyond", "after", "since"):
                    self.set_years(years[0], None)  # "the 2010s and later"
                    end += 2
                self.span(self._with_article(lo), end)
                return

    def _single_years(self) -> None:
        for i, tok in enumerate(self.w):
            year = _year(tok)
            if year is not None and year > self.today.year + 1 and self.at(i - 1) not in _FUTURE_DATE_WORDS:
                continue  # "blade runner 2049", "a day in 2048 when ...": a name's or a story's number
            if year is not None and not self._event_year(i):
                lo = i - 1 if self.at(i - 1) in ("in", "from", "during", "of") else i
                if (clause := self._event_clause(lo)) is not None:
                    start, word = clause
                    self.set_years(*((None, year) if word in _BEFORE_WORDS else (year, None)))
                    self.span(start, i)
                    return
                self.set_years(year, year)
                self.span(lo, i)
                return

    def _event_clause(self, lo: int) -> tuple[int, str] | None:
        """Where a clause telling of something the person did starts, and its word, when the year
        from word lo dates it: "stuff from before he founded DeepMind in 2010", "what has she done
        since she left Google in 2019". The entries asked for are those before or after it (the year
        itself too: the event fell somewhere in it), and the clause is no words to find.
        """
        for k in range(lo - 1, max(-1, lo - _EVENT_CLAUSE_WORDS - 2), -1):
            if self.used[k]:
                return None
            if self.w[k] in _EVENT_CLAUSE_OPENERS and self.at(k + 1) in SUBJECT_PRONOUNS:
                return k, self.w[k]
        return None

    def _event_year(self, i: int) -> bool:
        """The year at i names an event the question is about, not when the entry came out: "the
        2011 riots", "their 2008 stimulus check", "the 2023 heat thing". It stands after an
        article, with no kind in the next three words ("the 2019 paper" and "the 2015 OSCON talk"
        are of that year); "her 2019 book" is hers, so of 2019. Such a year stays a word to
        match: a summary that tells of the riots says 2011."""
        following = [self.at(j) for j in range(i + 1, i + 4)]
        return self.at(i - 1) in _EVENT_ARTICLES and following[0] not in _DATE_GLUE and \
            not _year(following[0]) and not any(w in self.kind_words for w in following)

    # "talks in October": a month with no year; "may"/"march" only after in/from/during.
    def _lone_months(self) -> None:
        if self.months:
            self._restated_months()
            return
        for i, tok in enumerate(self.w):
            if self.used[i] or month_number(tok) is None:
                continue
            if tok in _AMBIGUOUS_MONTHS and self.at(i - 1) not in _MONTH_CONTEXT:
                continue
            first, joiner, other = month_number(tok), self.at(i + 1), month_number(self.at(i + 2))
            other = other if other and not self.used[i + 2] else None
            between = joiner == "and" and self.at(i - 1) == "between"
            if other and (joiner in _MONTH_RANGE_JOINERS or between):
                # "from September to December", "between October and December": every month from one to
                # the other, as with a year; with none, "November to February" runs across the new year
                self.months = [(first - 1 + k) % 12 + 1 for k in range((other - first) % 12 + 1)]
            elif other and joiner in LIST_JOINERS:  # "October and December": those two
                self.months = [first, other]
            else:
                self.months, other = [first], None
            self.span(i - 1 if self.at(i - 1) in _MONTH_CONTEXT or between else i, i + 2 if other else i)
            return

    def _restated_decades(self) -> None:
        """A decade that only says again the years read ("from the 2000s, like 2000 through 2009",
        "2014 to 2016, so the mid-2010s") is no word to find: "2000s" was searched for, and no
        entry writes it, so the question was refused. Restating, not another filter: its years
        overlap those read (a decade wholly apart, "2005 and the 2010s", is `_decades`' list)."""
        if self.year_from is None and self.year_to is None:
            return
        lo, hi = self.year_from or 0, self.year_to or 9999
        for i, tok in enumerate(self.w):
            start = _decade(tok)
            if self.used[i] or start is None or start > hi or start + 9 < lo:
                continue
            self.span(self._with_article(self._decade_start(i)), i)

    def _decade_start(self, i: int) -> int:
        """Where the decade at word i begins: at the part before it ("the early 2010s"), or at it."""
        return i - 1 if self.at(i - 1) in _DECADE_PARTS else i

    def _with_article(self, lo: int) -> int:
        """Word lo, or "the" before it: the words a date phrase takes with it."""
        return lo - 1 if self.at(lo - 1) == "the" else lo

    def _restated_months(self) -> None:
        """Month names that only repeat months already read ("the summer of 2021 (June to August)",
        "Q1 2020, so January to March") are no words to find: they were searched for, and an
        entry had to hold "june" and "august" to answer."""
        for i, tok in enumerate(self.w):
            if self.used[i] or month_number(tok) not in self.months:
                continue
            if tok in _AMBIGUOUS_MONTHS and self.at(i - 1) not in _RESTATED_MONTH_CONTEXT:
                continue
            self.span(i, i)


def month_joiners(raw: list[str]) -> list[str]:
    """The words with a dash between two months read as "to" ("May-June 2015", "Dec 2014 - Feb 2015",
    "2015-05 - 2015-09") and a slash between two month names as "or" ("Jan/Feb 2015"). Dashes and
    slashes are otherwise no words, only remembered as joining two numbers ("2014-2016", "2014/15",
    "2015-05-04"), so the month after one was read alone and the one before searched for as a word."""
    out = list(raw)
    for k in range(1, len(raw) - 1):
        if raw[k] in _DASHES and _ends_month(raw, k - 1) and _starts_month(raw, k + 1):
            out[k] = "to"
        elif raw[k] == "/" and month_number(raw[k - 1]) and month_number(raw[k + 1]):
            out[k] = "or"
    return out


def _ends_month(raw: list[str], j: int) -> bool:
    """Whether a month is written up to raw[j]: "May", "May 2015", "2015-05"."""
    if month_number(raw[j]):
        return True
    if _year(raw[j]):
        return j >= 1 and month_number(raw[j - 1]) is not None
    return bool(_ISO_MONTH.fullmatch(raw[j])) and j >= 2 and raw[j - 1] in _DASHES \
        and _year(raw[j - 2]) is not None


def _starts_month(raw: list[str], j: int) -> bool:
    """Whether a month is written from raw[j]: "June", "June 2015", "2015-06" (not "2016" alone, nor
    the day of "2015-05-04")."""
    if month_number(raw[j]):
        return True
    return _year(raw[j]) is not None and j + 2 < len(raw) and raw[j + 1] in _DASHES \
        and bool(_ISO_MONTH.fullmatch(raw[j + 2]))


#: A year written with an apostrophe and its last two digits ("april '68", "back in '93"; "'90s" is a decade).
_SHORT_YEAR = re.compile(r"(?<![^\W_])['’](\d{2})(?![\w'’])")


def full_years(text: str, today: dt.date) -> str:
    """`text` with each year written short ("'68", "'19") written whole: the latest such year not
    after this one (1968, 2019), so the reader sees a year where the asker wrote one."""
    return _SHORT_YEAR.sub(lambda m: str(_century(int(m.group(1)), today)), text)


def _century(two_digits: int, today: dt.date) -> int:
    """The year "'68" or "'19" means: the latest such year not after this one (1968, 2019)."""
    year = today.year - today.year % 100 + two_digits
    return year if year <= today.year else year - 100
