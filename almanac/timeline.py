"""The archive over time: entries per year by kind, and the coming year's milestones.

`build_timeline` is pure (entries and a date in, a `Timeline` out); it is what
the site's inline SVG (`feeds.timeline_svg`), `almanac timeline` and the
bot's `/timeline` all draw, so the three agree. `draw` renders a Timeline
with matplotlib as PNG or SVG bytes. matplotlib is imported inside `draw`
only: it costs half a second to import, which `almanac ask`, the bot's
start and the site build should not pay.

"The coming year" is the twelve months from a given day (that day included,
the same day a year later excluded): the window of the anniversary calendar
(`feeds.ics`), so the picture marks exactly the milestones the calendar holds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from almanac import anniversaries
from almanac.entry import KINDS, Entry
from almanac.links import plural

#: Okabe & Ito's palette: told apart by readers with any common colour-vision deficiency.
PALETTE = {
    "talk": "#0072B2",  # blue
    "paper": "#E69F00",  # orange
    "article": "#009E73",  # bluish green
    "podcast": "#CC79A7",  # reddish purple
    "interview": "#56B4E9",  # sky blue
    "video": "#D55E00",  # vermillion
    "news": "#F0E442",  # yellow
}
#: Milestones named in a picture's caption and text alternative (the rest are counted).
MILESTONES_NAMED = 5
#: Discord refuses attachments over 8 MiB (10 MiB on newer limits); a timeline is ~50 KB.
PNG_DPI = 150


class TimelineError(ValueError):
    """A timeline that cannot be drawn (an empty selection, a reversed year range)."""


@dataclass(frozen=True)
class Milestone:
    """An entry whose 1st, 5th, 10th, ... anniversary falls in the coming year."""

    entry_id: str
    title: str
    year: int  # the entry's year (the bar it marks)
    years_ago: int
    day: dt.date


@dataclass(frozen=True)
class Timeline:
    years: tuple[int, ...]  # every year from the first to the last, gaps included
    kinds: tuple[str, ...]  # the kinds present, in KINDS order
    counts: tuple[tuple[int, ...], ...]  # per kind (as `kinds`), per year (as `years`)
    milestones: tuple[Milestone, ...]  # by day, then id

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(col) for col in zip(*self.counts)) if self.counts else tuple(0 for _ in self.years)

    @property
    def total(self) -> int:
        return sum(self.totals)

    def span(self) -> str:
        first, last = self.years[0], self.years[-1]
        return str(first) if first == last else f"{first}–{last}"

    def summary(self) -> str:
        """One paragraph saying what the picture shows: its text alternative."""
        totals = self.totals
        busiest = max(range(len(self.years)), key=lambda i: (totals[i], self.years[i]))
        by_kind = ", ".join(f"{n} {k if n == 1 else plural(k)}" for k, n in zip(self.kinds, map(sum, self.counts)))
        text = (
            f"{self.total} entr{'y' if self.total == 1 else 'ies'} from {self.span()} ({by_kind}); "
            f"the busiest year was {self.years[busiest]} with {totals[busiest]}."
        )
        if self.milestones:
            named = "; ".join(milestone_label(m) for m in self.milestones[:MILESTONES_NAMED])
            more = len(self.milestones) - MILESTONES_NAMED
            text += f" Milestones in the coming year: {named}" + (f"; and {more} more." if more > 0 else ".")
        return text


def milestone_label(m: Milestone) -> str:
    return f"{m.years_ago} year{'s' if m.years_ago != 1 else ''} of {m.title} on {m.day.day} {m.day:%B %Y}"


def year_later(day: dt.date) -> dt.date:
    """The same day a year later (29 February becomes 28 February)."""
    year = day.year + 1
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def coming_year(entries: Iterable[Entry], today: dt.date) -> list[tuple[dt.date, anniversaries.Anniversary]]:
    """Every anniversary from `today` (included) to a year later (excluded), by day (almanac.anniversaries' rules)."""
    return anniversaries.upcoming(entries, today, (year_later(today) - today).days)


def build_timeline(
    entries: Iterable[Entry],
    today: dt.date | None = None,
    kind: str | None = None,
    first: int | None = None,
    last: int | None = None,
    coming: list[tuple[dt.date, anniversaries.Anniversary]] | None = None,
) -> Timeline:
    """Counts per year and kind of the entries selected (`kind`, years `first`..`last`).

    Milestones are those of the selected entries in the coming year from
    `today` (or in `coming`, when the caller has `coming_year()`'s answer
    already); without either there are none. Raises TimelineError when the
    selection is empty or `first` > `last`.
    """
    if first is not None and last is not None and first > last:
        raise TimelineError(f"the first year ({first}) is after the last ({last})")
    chosen = [
        e for e in entries
        if (kind is None or e.kind == kind)
        and (first is None or e.date.year >= first)
        and (last is None or e.date.year <= last)
    ]
    if not chosen:
        raise TimelineError(f"there are no {_selection(kind, first, last)} in the archive to draw")
    tally = Counter((e.kind, e.date.year) for e in chosen)  # one pass, however many kinds and years
    lo = first if first is not None else min(year for _, year in tally)
    hi = last if last is not None else max(year for _, year in tally)
    years = tuple(range(lo, hi + 1))
    present = {kind for kind, _ in tally}
    kinds = tuple(k for k in KINDS if k in present)
    counts = tuple(tuple(tally[k, year] for year in years) for k in kinds)
    if coming is None and today is not None:
        coming = coming_year(chosen, today)
    marked = [(day, a) for day, a in coming or () if a.milestone]
    ids = {e.id for e in chosen} if marked else set()
    milestones = tuple(
        Milestone(a.entry.id, a.entry.title, a.entry.date.year, a.years_ago, day) for day, a in marked if a.entry.id in ids
    )
    return Timeline(years, kinds, counts, milestones)


def _selection(kind: str | None, first: int | None, last: int | None) -> str:
    """"papers from 2014 to 2016", "entries from 2016 on", "talks up to 2014", "entries"."""
    what = plural(kind) if kind else "entries"
    if first is not None and last is not None:
        return f"{what} from {first} to {last}"
    if first is not None:
        return f"{what} from {first} on"
    return f"{what} up to {last}" if last is not None else what


def draw(timeline: Timeline, fmt: str = "png", title: str = "") -> bytes:
    """The timeline as PNG or SVG bytes: the same bytes for the same timeline.

    Stacked bars per year in PALETTE colours, a legend below (it wraps, so
    the picture reads at phone width), and a star over each year with a
    milestone in the coming year. No clock in the file: PNG metadata has no
    Software or time, SVG has no Date or Creator and fixed element ids.
    """
    if fmt not in ("png", "svg"):
        raise TimelineError(f"cannot draw a timeline as '{fmt}' (png or svg)")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rc = {"svg.hashsalt": "almanac-timeline", "svg.fonttype": "none", "font.size": 11}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(6.4, 4.0), layout="constrained")
        ax = fig.add_subplot()
        bottom = [0] * len(timeline.years)
        for k, counts in zip(timeline.kinds, timeline.counts):
            ax.bar(timeline.years, counts, bottom=bottom, color=PALETTE[k], label=plural(k),
                   edgecolor="white", linewidth=0.5)
            bottom = [b + c for b, c in zip(bottom, counts)]
        peak = max(bottom) or 1
        marked = sorted({m.year for m in timeline.milestones})
        if marked:
            ax.scatter(marked, [bottom[y - timeline.years[0]] + peak * 0.06 for y in marked], marker="*", s=140,
                       color="black", zorder=3, label="milestone in the coming year")
        ax.set_ylim(0, peak * 1.18)
        ax.set_ylabel("entries")
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)
        step = max(1, round(len(timeline.years) / 8))
        ax.set_xticks([y for y in timeline.years if (y - timeline.years[0]) % step == 0])
        ax.set_title(title or f"{timeline.total} entries, {timeline.span()}", loc="left")
        fig.legend(loc="outside lower center", ncols=4, frameon=False, fontsize=10)
        buf = io.BytesIO()
        if fmt == "png":
            fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        else:
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()
