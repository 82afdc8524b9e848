"""Answers as Discord embeds: pure functions, tested without Discord.

Everything a command shows is built here from plain data (entries, hits,
anniversaries) so the commands stay thin and the limits Discord enforces are
handled in one place. Discord rejects a whole message when one embed breaks
a limit (title 256, description 4096, 25 fields, field name 256 / value
1024, footer 2048, 6000 characters in total), so `fit()` cuts text cleanly
with "…" instead, and every reply goes out with `NO_MENTIONS`: an archive
summary or a member's question containing "@everyone" must ping nobody.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Iterable, Sequence

import discord

from almanac.entry import KINDS, Entry
from almanac.links import entry_count, entry_url, plural
from almanac.text import escape_markdown

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
TOTAL_LIMIT = 6000
#: Message content limit (for plain-text replies).
CONTENT_LIMIT = 2000
#: Discord's smallest upload limit (servers without boosts); a timeline PNG is ~40 KB.
ATTACHMENT_LIMIT = 8 * 1024 * 1024
TIMELINE_FILE = "timeline.png"
ELLIPSIS = "…"

#: Nobody is ever pinged by the bot: not @everyone, not roles, not users.
NO_MENTIONS = discord.AllowedMentions.none()
#: How an /ask answer's footer and a page of results' title begin: the question follows (`question_shown`).
ASKED = "Asked: "
RESULTS_FOR = "Results for “"

COLOURS = {
    "talk": 0x5865F2, "paper": 0x2ECC71, "article": 0x95A5A6, "podcast": 0x9B59B6,
    "interview": 0xE67E22, "video": 0xE74C3C, "news": 0x3498DB,
}
NEUTRAL = 0x7F8C8D


def clip(text: str | None, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when one is near, ending in "…"."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def embed_length(data: dict) -> int:
    """What Discord counts toward the 6000-character total."""
    total = len(data.get("title") or "") + len(data.get("description") or "")
    total += len((data.get("footer") or {}).get("text") or "") + len((data.get("author") or {}).get("name") or "")
    for f in data.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def fit(data: dict) -> dict:
    """A copy of embed `data` within every Discord limit (text cut with "…", extra fields dropped)."""
    out = dict(data)
    if "title" in out:
        out["title"] = clip(out["title"], TITLE_LIMIT)
    if "description" in out:
        out["description"] = clip(out["description"], DESCRIPTION_LIMIT)
    if out.get("footer"):
        out["footer"] = {**out["footer"], "text": clip(out["footer"].get("text"), FOOTER_LIMIT)}
    if out.get("author"):
        out["author"] = {**out["author"], "name": clip(out["author"].get("name"), AUTHOR_LIMIT)}
    fields = [
        {**f, "name": clip(f.get("name"), FIELD_NAME_LIMIT) or "\u200b", "value": clip(f.get("value"), FIELD_VALUE_LIMIT) or "\u200b"}
        for f in (out.get("fields") or [])[:FIELDS_LIMIT]
    ]
    if fields or "fields" in out:
        out["fields"] = fields
    # Over the total: shorten the description first, then drop fields from the end.
    excess = embed_length(out) - TOTAL_LIMIT
    if excess > 0 and out.get("description"):
        keep = max(len(out["description"]) - excess, 0)
        out["description"] = clip(out["description"], keep) if keep else ""
    while embed_length(out) > TOTAL_LIMIT and out.get("fields"):
        out["fields"] = out["fields"][:-1]
    if embed_length(out) > TOTAL_LIMIT and out.get("footer"):
        out["footer"] = {**out["footer"], "text": clip(out["footer"]["text"], max(1, TOTAL_LIMIT - embed_length({**out, "footer": None})))}
    return out


def to_embed(data: dict) -> discord.Embed:
    return discord.Embed.from_dict(fit(data))


def plain(text: str) -> str:
    """Message content cut to Discord's 2000 characters."""
    return clip(text, CONTENT_LIMIT)


def echoed(text: str, limit: int) -> str:
    """A member's own words repeated in a public reply ("I couldn't find ... “...”"), or archive
    text in a message's content, shown as typed: no markdown (a disguised link "[free
    Nitro](https://...)", spoilers) and no mention, not even one that would not ping
    (`<@&role>`, @everyone)."""
    return discord.utils.escape_mentions(escape_markdown(clip(text, limit)))


def entry_line(entry: Entry, base_url: str, *, prefix: str = "") -> str:
    """`[Title](entry page) · paper · May 2015`: one entry on one line."""
    title = escape_markdown(clip(entry.title, 150))  # inside a link: brackets and all
    return f"{prefix}[{title}]({entry_url(base_url, entry.id)}) · {entry.kind} · {entry.date.label()}"


def _fitting(lines: Iterable[str], limit: int) -> list[str]:
    """The first whole lines that fit in `limit` characters once joined (never a line cut mid-link):
    a caller says how many were shown, or numbers the next page from them."""
    out, used = [], 0
    for line in lines:
        extra = len(line) + (1 if out else 0)
        if used + extra > limit:
            break
        out.append(line)
        used += extra
    return out


def also_lines(hits: Sequence, base_url: str) -> list[str]:
    """/ask's "Also relevant": up to 3 hits after the best, as many as fit one field (long titles
    fit only two), so "More results" can start right after the last one shown."""
    lines = [entry_line(h.entry, base_url, prefix="• ") for h in hits[1:4]]
    return _fitting(lines, FIELD_VALUE_LIMIT)


def result_lines(hits: Sequence, offset: int, page_size: int, base_url: str, *, first: int | None = None) -> list[str]:
    """One page of results, `hits[offset:]`, numbered from `first` (`offset + 1` unless given: see
    `bot.commands.Handlers.results_page` for a page whose hits lost the entries shown before it):
    up to `page_size`, as many as fit one description. A page of long titles and highlights holds
    fewer, and the next page must start after the last one shown, not `page_size` on, or those
    in between are never seen."""
    lines = []
    for n, hit in enumerate(hits[offset : offset + page_size], start=offset + 1 if first is None else first):
        line = entry_line(hit.entry, base_url, prefix=f"**{n}.** ")
        if hit.highlight:
            line += f"\n> {escape_markdown(clip(hit.highlight, 300))}"
        lines.append(line)
    return _fitting(lines, DESCRIPTION_LIMIT)


def answer_embed(question: str, hits: Sequence, base_url: str) -> discord.Embed:
    """/ask: the best entry (title linking to its page, kind, date, the matched sentence), then up to 3 more."""
    best = hits[0]
    entry = best.entry
    sentence = (best.highlight or entry.summary).strip()
    data = {
        "title": entry.title,
        "url": entry_url(base_url, entry.id),
        "description": f"> {escape_markdown(clip(sentence, 900))}",  # archive text, shown as written
        "color": COLOURS.get(entry.kind, NEUTRAL),
        "fields": [
            {"name": "Kind", "value": entry.kind, "inline": True},
            {"name": "Date", "value": entry.date.label(), "inline": True},
        ],
        "footer": {"text": clip(ASKED + question, 200) + f" · id {entry.id}"},
    }
    if entry.url:
        data["fields"].append({"name": "Source", "value": clip(entry.url, 500), "inline": True})
    also = also_lines(hits, base_url)
    if also:
        data["fields"].append({"name": "Also relevant", "value": "\n".join(also), "inline": False})
    return to_embed(data)


def no_answer_text(question: str, note: str | None = None) -> str:
    """The reply when nothing answers; `note` is search's own word when its filters selected nothing
    ("No talks in 2025; the latest before was in February 2020: ...")."""
    if note:
        # The note names an entry by its title, archive text: shown as written, as `echoed` shows
        # a member's words (900: escaping may double it, and the hint after it must still fit).
        return plain(f"{echoed(note, 900)} Try `/search` with other words, or `/latest`.")
    return plain(
        f"I couldn't find anything in the archive that answers “{echoed(question, 200)}”. "
        "Try `/search` with a few keywords, or `/latest` to see what's new."
    )


def results_embed(query: str, hits: Sequence, offset: int, page_size: int, has_more: bool, base_url: str,
                  *, kind: str | None = None, year: int | None = None, first: int | None = None) -> discord.Embed:
    """/search and "More results": one page of hits (`result_lines`), numbered from `first`
    (`offset + 1` unless given); `has_more` says whether any follow the ones that fit."""
    filters = ", ".join(x for x in (plural(kind) if kind else "", str(year) if year else "") if x)
    title = RESULTS_FOR + clip(query, 180) + "”" + (f" ({filters})" if filters else "")
    lines = result_lines(hits, offset, page_size, base_url, first=first)
    first = offset + 1 if first is None else first
    # Numbered by the results shown, not by page: "More results" starts after the hits /ask showed.
    footer = (f"Results {first}–{first + len(lines) - 1}" if lines else "No more results") + (
        " · more below" if has_more else "")
    return to_embed({
        "title": title,
        "description": "\n".join(lines) or "No more results.",
        "color": NEUTRAL,
        "footer": {"text": footer},
    })


def question_shown(embed: discord.Embed) -> str | None:
    """The question as an /ask answer (its footer) or a page of results (its title) shows it, the
    way `answer_embed` and `results_embed` wrote it: whole, or clipped with "…" when long. None
    for any other embed. The buttons read it back (`bot.buttons.whole_query`)."""
    footer = embed.footer.text or ""
    if footer.startswith(ASKED):
        question, separator, _ = footer[len(ASKED):].rpartition(" · id ")
        return question if separator else None
    title = embed.title or ""
    if title.startswith(RESULTS_FOR):
        query, separator, _ = title[len(RESULTS_FOR):].rpartition("”")  # the filters after it hold none
        return query if separator else None
    return None


def entry_ids_shown(embed: discord.Embed, base_url: str) -> list[str]:
    """The ids of the entries an embed links to (its title and its lines of hits), in order."""
    before, after = entry_url(base_url, "{id}").split("{id}")
    pattern = re.compile(re.escape(before) + r"([a-z0-9][a-z0-9_-]*)" + re.escape(after))
    texts = [embed.url or "", embed.description or ""] + [field.value or "" for field in embed.fields]
    return list(dict.fromkeys(m.group(1) for text in texts for m in pattern.finditer(text)))


def no_results_text(query: str, kind: str | None = None, year: int | None = None, note: str | None = None) -> str:
    if note:
        return no_answer_text(query, note)
    filters = " ".join(x for x in (f"kind {kind}" if kind else "", f"year {year}" if year else "") if x)
    extra = f" with {filters}" if filters else ""
    return plain(f"Nothing in the archive matches “{echoed(query, 200)}”{extra}. Try other words, or `/latest`.")


def entry_embed(entry: Entry, base_url: str) -> discord.Embed:
    """/entry, /random: one entry in full."""
    fields = [
        {"name": "Kind", "value": entry.kind, "inline": True},
        {"name": "Date", "value": entry.date.label(), "inline": True},
    ]
    if entry.tags:
        fields.append({"name": "Tags", "value": escape_markdown(", ".join(entry.tags)), "inline": True})
    if entry.url:
        fields.append({"name": "Source", "value": entry.url, "inline": False})
    return to_embed({
        "title": entry.title,
        "url": entry_url(base_url, entry.id),
        "description": escape_markdown(entry.summary),
        "color": COLOURS.get(entry.kind, NEUTRAL),
        "fields": fields,
        "footer": {"text": f"id {entry.id}"},
    })


def _listed(data: dict, lines: list[str], noun: str) -> dict:
    """`data` with as many of `lines` as fit its description, and a footer saying how many of them
    when not all do: a day with hundreds of anniversaries, or long titles, showed the first ones
    as if they were all (the bot review)."""
    shown = _fitting(lines, DESCRIPTION_LIMIT)
    if shown:
        data["description"] = "\n".join(shown)
    if len(shown) < len(lines):
        data["footer"] = {"text": f"{len(shown)} of {len(lines)} {noun} shown: the site lists them all"}
    return data


def similar_embed(entry: Entry, hits: Sequence, base_url: str) -> discord.Embed:
    """"More like this": entries close to `entry`."""
    lines = [entry_line(h.entry, base_url, prefix="• ") for h in hits]
    return to_embed(_listed({
        "title": f"More like “{entry.title}”",
        "url": entry_url(base_url, entry.id),
        "description": "Nothing else in the archive is close.",
        "color": COLOURS.get(entry.kind, NEUTRAL),
    }, lines, "entries"))


def latest_embed(entries: Sequence[Entry], kind: str | None, base_url: str) -> discord.Embed:
    title = f"Latest {plural(kind)}" if kind else "Latest in the archive"
    lines = [entry_line(e, base_url, prefix="• ") for e in entries]
    return to_embed(_listed({"title": title, "color": NEUTRAL}, lines, plural(kind) if kind else "entries"))


def onthisday_embed(day: dt.date, anniversaries: Sequence, base_url: str) -> discord.Embed:
    """/onthisday: the entries whose anniversary falls on `day`."""
    label = f"{day.day} {day:%B %Y}"
    if not anniversaries:
        return to_embed({"title": f"On this day: {label}", "color": NEUTRAL,
                         "description": "No anniversaries in the archive on this day. Try `/onthisday` with another date."})
    lines = []
    for a in anniversaries:
        star = "🎉 " if a.milestone else ""
        lines.append(f"{star}**{a.years_ago_text}** · " + entry_line(a.entry, base_url))
    return to_embed(_listed({"title": f"On this day: {label}", "color": NEUTRAL}, lines, "anniversaries"))


def timeline_embed(timeline, kind: str | None, site_url: str) -> discord.Embed:
    """/timeline: the attached picture, with its text alternative as the description."""
    title = f"{plural(kind).capitalize()} over time" if kind else "The archive over time"
    return to_embed({"title": title, "url": site_url, "color": NEUTRAL, "description": timeline.summary(),
                     "image": {"url": f"attachment://{TIMELINE_FILE}"}})


def feeds_embed(urls: dict[str, str], site_url: str) -> discord.Embed:
    """/feeds: where to follow the archive."""
    names = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed", "onthisday": "On this day",
             "calendar": "Anniversary calendar (iCalendar: subscribe in your calendar app)"}
    lines = [f"**{names.get(k, k.capitalize())}**: {v}" for k, v in urls.items()]
    return to_embed({"title": "Follow the archive", "url": site_url, "color": NEUTRAL,
                     "description": "Add one of these to your feed reader:\n" + "\n".join(lines)})


def archive_stats(entries: Sequence[Entry]) -> dict:
    """Counts by kind and the year span: what /about reports."""
    kinds = Counter(e.kind for e in entries)
    years = [e.date.year for e in entries]
    return {
        "total": len(entries),
        "kinds": {k: kinds[k] for k in KINDS if kinds[k]},
        "first_year": min(years) if years else None,
        "last_year": max(years) if years else None,
    }


def about_embed(stats: dict, site_title: str, site_url: str) -> discord.Embed:
    """/about: what the archive holds."""
    if not stats["total"]:
        description = "The archive is empty for now."
    else:
        span = (f"{stats['first_year']}" if stats["first_year"] == stats["last_year"]
                else f"{stats['first_year']}–{stats['last_year']}")
        description = f"{entry_count(stats['total'])} from {span}. Ask me with `/ask`, browse with `/search` or `/latest`."
    fields = [{"name": plural(k).capitalize(), "value": str(n), "inline": True} for k, n in stats["kinds"].items()]
    return to_embed({"title": f"About {site_title}", "url": site_url, "description": description,
                     "color": NEUTRAL, "fields": fields})
