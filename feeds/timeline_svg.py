"""The index's timeline picture: an inline SVG written directly, with its text alternative.

The same picture as `almanac timeline` (entries per year stacked by kind,
in `almanac.timeline.PALETTE`, a star over each year with a milestone in
the coming year), drawn here without matplotlib: importing and running it
costs 0.6 s, a fifth of a 10,000-entry site build, for a few dozen
rectangles. Written here it is also smaller, uses the page's text colour
(`currentColor`, so it follows dark mode), and carries real text a screen
reader can read:

* `role="img"` with a `<title>` and a `<desc>` (the timeline's `summary()`),
  and a `<title>` per year that browsers show on hover ("2015: 5 entries:
  4 talks, 1 paper");
* a visible caption naming the coming year's milestones.

No JavaScript; the viewBox is narrow (400 units) so the text stays legible
when the picture shrinks to a phone's width. Numbers are rounded to one
decimal place: the same timeline gives the same bytes.
"""

from __future__ import annotations

import itertools
import math
from html import escape

from markupsafe import Markup

from almanac.links import plural
from almanac.timeline import MILESTONES_NAMED, PALETTE, Timeline, milestone_label

WIDTH = 400
FONT = 13
LEFT, RIGHT, TOP = 30, 6, 22
PLOT_HEIGHT = 150
LEGEND_COLUMNS = 3
LEGEND_ROW = 20
#: The milestone marker: a five-pointed star of radius 1, scaled where drawn.
_STAR = " ".join(
    f"{(0.45 if i % 2 else 1) * math.sin(i * math.pi / 5):.3f},{-(0.45 if i % 2 else 1) * math.cos(i * math.pi / 5):.3f}"
    for i in range(10)
)


def _n(value: float) -> str:
    """A coordinate: one decimal place, no trailing ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _tick_step(peak: int) -> int:
    """A 1-2-5 step (1, 2, 5, 10, 20, 50, ...) giving at most 5 gridlines up to `peak`."""
    step, factors = 1, itertools.cycle((2, 2.5, 2))
    while peak / step > 5:
        step = round(step * next(factors))
    return step


def timeline_figure(timeline: Timeline, heading: str = "Entries per year by kind") -> Markup:
    """`<figure>` holding the SVG and its caption (ids prefixed `timeline-`; one per page)."""
    years, totals = timeline.years, timeline.totals
    n = len(years)
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / n
    bar_w = max(slot * 0.8, 1.0)
    peak = max(totals) or 1
    step = _tick_step(peak)
    top_tick = step * math.ceil(peak / step)
    scale = PLOT_HEIGHT / top_tick
    base = TOP + PLOT_HEIGHT
    legend_rows = math.ceil((len(timeline.kinds) + (1 if timeline.milestones else 0)) / LEGEND_COLUMNS)
    height = base + 24 + legend_rows * LEGEND_ROW

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="timeline-title timeline-desc" font-size="{FONT}" fill="currentColor">',
        f'<title id="timeline-title">{escape(heading)}, {timeline.span()}</title>',
        f'<desc id="timeline-desc">{escape(timeline.summary())}</desc>',
        '<g class="axis" aria-hidden="true">',
    ]
    for tick in range(0, top_tick + 1, step):
        y = _n(base - tick * scale)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="currentColor" stroke-opacity=".2"/>'
                   f'<text x="{LEFT - 4}" y="{y}" dy=".35em" text-anchor="end">{tick}</text>')
    label_every = max(1, math.ceil(n / (plot_w / (FONT * 2.6))))
    for i, year in enumerate(years):
        if i % label_every == 0:
            out.append(f'<text x="{_n(LEFT + slot * (i + 0.5))}" y="{base + FONT + 4}" text-anchor="middle">{year}</text>')
    out.append("</g>")

    marked = {m.year for m in timeline.milestones}
    for i, year in enumerate(years):
        x = _n(LEFT + slot * i + (slot - bar_w) / 2)
        parts = [f"{c} {k if c == 1 else plural(k)}" for k, c in zip(timeline.kinds, (col[i] for col in timeline.counts)) if c]
        tip = f"{year}: {totals[i]} entr{'y' if totals[i] == 1 else 'ies'}" + (": " + ", ".join(parts) if parts else "")
        out.append(f"<g><title>{escape(tip)}</title>")
        y = float(base)
        for kind, counts in zip(timeline.kinds, timeline.counts):
            if counts[i]:
                h = counts[i] * scale
                y -= h
                out.append(f'<rect x="{x}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" fill="{PALETTE[kind]}"/>')
        if year in marked:
            cx, cy = _n(LEFT + slot * (i + 0.5)), _n(y - 10)
            out.append(f'<polygon points="{_STAR}" transform="translate({cx} {cy}) scale(7)"/>')
        out.append("</g>")

    legend = [(PALETTE[k], plural(k)) for k in timeline.kinds] + ([("star", "milestone ahead")] if timeline.milestones else [])
    col_w = plot_w / LEGEND_COLUMNS
    out.append('<g class="legend" aria-hidden="true">')
    for j, (colour, label) in enumerate(legend):
        x = LEFT + col_w * (j % LEGEND_COLUMNS)
        y = base + 24 + LEGEND_ROW * (j // LEGEND_COLUMNS)
        if colour == "star":
            mark = f'<polygon points="{_STAR}" transform="translate({_n(x + 6)} {_n(y + 6)}) scale(7)"/>'
        else:
            mark = f'<rect x="{_n(x)}" y="{y}" width="12" height="12" fill="{colour}"/>'
        out.append(f'{mark}<text x="{_n(x + 17)}" y="{y + 6}" dy=".35em">{escape(label)}</text>')
    out.append("</g></svg>")

    caption = ""
    if timeline.milestones:
        named = [escape(milestone_label(m)) for m in timeline.milestones[:MILESTONES_NAMED]]
        more = len(timeline.milestones) - MILESTONES_NAMED
        caption = "★ Milestones in the coming year: " + "; ".join(named) + (f"; and {more} more" if more > 0 else "") + "."
    else:
        caption = f"{timeline.total} entries, {timeline.span()}."
    return Markup(f'<figure class="timeline">\n{"".join(out)}\n<figcaption>{caption}</figcaption>\n</figure>')
