"""Stage 5, present: which entries to show, the sentence that matched, and what to say when none.

- A question with content words shows the best entries by fused score,
  each of them one the decision would answer with.
- A question that only filters ("papers from 2019", "the latest talk")
  lists every entry the filters select, newest first (oldest first for
  "earliest"), up to the page size, with the total.
- A filter that selects nothing says so and names the nearest entries
  ("No talks in 2025; the latest was in February 2020: ...").
"""

from __future__ import annotations

import calendar

import numpy as np

from almanac.links import plural
from almanac.question_dates import FIRST_MONTH, LAST_MONTH
from almanac.text import sentences, stem, stems


def by_date(snap, allowed: np.ndarray, newest_first: bool, exact_first: bool = False) -> list[int]:
    """Indexes of the allowed entries sorted by date (`Snapshot.order_keys`: an entry known only to
    October 2012 sorts on the 16th); on the same date the one known more precisely first, then
    archive order. `exact_first` (a day was asked for): those known to be from that day before
    those known only to its month or year, which may be ("what came out on 1 October 2012?")."""
    idx = np.flatnonzero(allowed)
    keys = snap.order_keys()[idx]
    precision = (snap.months[idx] > 0).astype(np.int64) + (snap.days[idx] > 0)
    by_key = -keys if newest_first else keys
    # lexsort sorts by its last key first; it is stable, so ties keep archive order
    order = np.lexsort((by_key, -precision) if exact_first else (-precision, by_key))
    return idx[order].tolist()


def highlight(summary: str, terms, extra=(), part_cosines: np.ndarray | None = None) -> str:
    """The sentence of `summary` that matched the question (else the first).

    With part cosines (title first, then one per sentence) the closest
    sentence in meaning wins, words shared with the question breaking near
    ties; without them, the sentence sharing the most question words
    (`extra` words, the kind words read out as filters, count half).
    """
    parts = sentences(summary)
    if not parts:
        return ""
    wanted = {stem(t) for t in terms}
    extra_stems = {stem(t) for t in extra} - wanted
    best, best_score = parts[0], -np.inf
    for k, sentence in enumerate(parts):
        words = stems(sentence)
        score = len(wanted & words) + 0.5 * len(extra_stems & words)
        if part_cosines is not None and k + 1 < len(part_cosines):
            score = float(part_cosines[k + 1]) * 10 + 0.5 * score
        if score > best_score:
            best, best_score = sentence, score
    return best if (best_score > 0 or part_cosines is not None) else parts[0]


def empty_filter_note(snap, parsed, kind_mask: np.ndarray, titles: dict[str, str]) -> str:
    """'No talks in 2025; the latest was in February 2020 (The First Billion ...).'"""
    # "lectures in 2013": the tag filtered, not the kind, so the note names the tag
    what = kinds_label(parsed) if parsed.kind and parsed.kind_strict else "entries"
    when = f" {period_label(parsed)}" if parsed.filters_dates else ""
    note = f"No {what}{when}."
    if not kind_mask.any():
        return note
    lo = (parsed.year_from * 12 + (min(parsed.months) if parsed.months else 1)) if parsed.year_from else None
    hi = (parsed.year_to * 12 + (max(parsed.months) if parsed.months else 12)) if parsed.year_to else None
    if parsed.span is not None:
        lo, hi = parsed.span[0] + 1, parsed.span[1] + 1
    # Compared to the day: of a month's entries, the latest before is its last day's and the next
    # after its first day's (by month alone they tied, and archive order picked: "the next after
    # was in August: <the 30th's>" though the 3rd's came first). Asked to the day, the month's
    # entries from other days come before or after it.
    keys = snap.sort_keys()
    first, last = (parsed.day, parsed.day) if parsed.day is not None else (1, 31)
    lo = lo * 32 + first if lo is not None else None
    hi = hi * 32 + last if hi is not None else None
    idx = np.flatnonzero(kind_mask)
    before = [i for i in idx if lo is not None and keys[i] < lo]
    after = [i for i in idx if hi is not None and keys[i] > hi]
    said = []
    if before:
        i = max(before, key=lambda j: keys[j])
        said.append(f"the latest before was in {_label(snap, i)}: {titles.get(snap.ids[i], snap.ids[i])}")
    if after:
        i = min(after, key=lambda j: keys[j])
        said.append(f"the next after was in {_label(snap, i)}: {titles.get(snap.ids[i], snap.ids[i])}")
    if said:
        note = f"No {what}{when}; " + "; ".join(said) + "."
    return note


def kinds_label(parsed) -> str:
    """'talks', 'papers or talks', 'keynotes, papers or podcasts' (a tag names its entries: 'lectures')."""
    return either([plural(t or k) for k, t in parsed.kinds_asked])


def either(names: list[str]) -> str:
    """'May', 'May or June', 'March, April or May'."""
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def period_label(parsed) -> str:
    """'in 2025', 'in July 2014', 'in January or February 2025', 'in March, April or May 2014' (spring),
    'before 2014', 'in the 2010s', 'in 2014 or 2016'."""
    if parsed.span is not None:
        # An open end ("since September 2015", "before March 2014") is the first or last month an
        # entry can have: said as "since" or "before", not "between September 2015 and December 2100".
        first, last = (f"{calendar.month_name[k % 12 + 1]} {k // 12}" for k in parsed.span)
        if parsed.span[1] >= LAST_MONTH:
            return f"since {first}"
        if parsed.span[0] <= FIRST_MONTH:
            after = parsed.span[1] + 1
            return f"before {calendar.month_name[after % 12 + 1]} {after // 12}"
        return f"between {first} and {last}"
    lo, hi = parsed.year_from, parsed.year_to
    months = either([calendar.month_name[m] for m in parsed.months])
    if parsed.years:  # "in 2014 or 2016"
        return f"{'in ' + months + ' ' if months else ''}in {either(year_runs(parsed.years))}"
    if lo is not None and lo == hi:
        if parsed.day is not None:
            return f"on {parsed.day} {months} {lo}"
        return f"in {months} {lo}" if months else f"in {lo}"
    if months and lo is None and hi is None:
        return f"in {months}"
    # "talks in March since 2016": the months the question kept say so too
    within = f"in {months} " if months else ""
    if lo is not None and hi is not None:
        if lo % 10 == 0 and hi == lo + 9:
            return f"{within}in the {lo}s"
        return f"{within}between {lo} and {hi}"
    if hi is not None:
        return f"{within}before {hi + 1}"
    return f"{within}since {lo}"


def year_runs(years) -> list[str]:
    """Sorted years as a reader says them: ['2014', '2016'], ['the 1990s', 'the 2010s'], ['2000–2003']."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return [f"the {run[0]}s" if run[0] % 10 == 0 and len(run) == 10 else
            str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]


def _label(snap, i: int) -> str:
    year, month = int(snap.years[i]), int(snap.months[i])
    return f"{calendar.month_name[month]} {year}" if month else str(year)
