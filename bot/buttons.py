"""Buttons that keep working after the bot restarts.

A normal `discord.ui.View` lives in the process's memory: restart the bot
and yesterday's buttons answer "This interaction failed". A `DynamicItem`
instead carries everything it needs in its `custom_id` (the entry id, or
the query with its filters and offset) and is rebuilt from it by a regex
when clicked, so any old message's buttons still work.

Discord caps a custom_id at 100 characters: long ids get no button, and a
long query is shortened to fit. The buttons then read the whole question back
from the message they are on (`whole_query`): searching the shortened one
gave other results, and "More results" showed again entries the answer above
it had shown.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot import render
from bot.errors import report_error

CUSTOM_ID_LIMIT = 100
LIKE_PREFIX = "alm:like:"
_LIKE = r"alm:like:(?P<id>[^\s]+)"
_PAGE = r"alm:(?P<mode>more|next|prev):(?P<offset>\d{1,6}):(?P<kind>[a-z]*):(?P<year>\d{0,4}):(?P<query>.*)"

LABELS = {"more": "More results", "next": "Next page ›", "prev": "‹ Previous page"}


class MoreLikeThis(discord.ui.DynamicItem[discord.ui.Button], template=_LIKE):
    """"More like this": entries similar to the one shown."""

    def __init__(self, entry_id: str):
        super().__init__(discord.ui.Button(
            label="More like this", style=discord.ButtonStyle.secondary, custom_id=LIKE_PREFIX + entry_id,
        ))
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            await interaction.client.handlers.similar(interaction, self.entry_id)
        except Exception as exc:
            await report_error(interaction, exc)


class ResultsPage(discord.ui.DynamicItem[discord.ui.Button], template=_PAGE):
    """"More results" (after /ask) and the previous/next buttons of /search.

    `mode` "more" answers with a new private message; "next"/"prev" turn the
    page of the message the button is on. `query` may be the question cut to
    fit the custom_id: the handler reads the whole one from the message.
    """

    def __init__(self, mode: str, query: str, offset: int, kind: str | None = None, year: int | None = None):
        self.mode, self.offset, self.kind, self.year = mode, offset, kind or None, year or None
        head = f"alm:{mode}:{offset}:{kind or ''}:{year or ''}:"
        self.query = shorten_query(query, CUSTOM_ID_LIMIT - len(head))
        super().__init__(discord.ui.Button(
            label=LABELS[mode], style=discord.ButtonStyle.primary if mode == "more" else discord.ButtonStyle.secondary,
            custom_id=head + self.query,
        ))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):
        year = int(match["year"]) if match["year"] else None
        return cls(match["mode"], match["query"], int(match["offset"]), match["kind"] or None, year)

    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            await interaction.client.handlers.results_page(
                interaction, self.query, self.offset, self.kind, self.year, mode=self.mode
            )
        except Exception as exc:
            await report_error(interaction, exc)


def shorten_query(query: str, limit: int) -> str:
    """The query in at most `limit` characters, cut at a word boundary when possible."""
    query = " ".join(query.split())
    if len(query) <= limit:
        return query
    cut = query[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def whole_query(cut: str, message: discord.Message | None) -> str | None:
    """The question a results button was made for, whole, from the message it is on; None when
    the message shows it clipped (past 180-193 characters) or not at all.

    `cut` is what the custom_id carries (`shorten_query`). The rest is read back from the
    message rather than kept in the store under a short key: the message is in every click
    (`interaction.message`), so this holds after a restart and in every shard, for as long as
    the message exists, with no table that grows with each question asked. It holds the
    question up to 180 characters (a page's title) or 193 (an answer's footer), against the
    87 or so a custom_id leaves; a longer one is shown clipped with "…" and is not whole.
    """
    shown = render.question_shown(message.embeds[0]) if message is not None and message.embeds else None
    if shown is None:
        return None
    if shown == cut:
        return cut
    if shown.startswith(cut) and not shown.endswith(render.ELLIPSIS):
        return shown
    return None


def answer_view(entry_id: str, query: str, more_offset: int | None) -> discord.ui.View:
    """The buttons under an /ask answer."""
    view = discord.ui.View(timeout=None)
    if len(LIKE_PREFIX + entry_id) <= CUSTOM_ID_LIMIT:
        view.add_item(MoreLikeThis(entry_id))
    if more_offset is not None:
        view.add_item(ResultsPage("more", query, more_offset))
    return view


def pager_view(query: str, offset: int, page_size: int, has_more: bool, kind: str | None, year: int | None,
               *, shown: int | None = None) -> discord.ui.View | None:
    """Previous/next buttons for a /search page (None when there is one page only).

    `shown`: how many results the page held, when fewer than `page_size` fitted; the next page
    starts after them, so none is skipped."""
    view = discord.ui.View(timeout=None)
    if offset > 0:
        view.add_item(ResultsPage("prev", query, max(offset - page_size, 0), kind, year))
    if has_more:
        view.add_item(ResultsPage("next", query, offset + (page_size if shown is None else shown), kind, year))
    return view if view.children else None
