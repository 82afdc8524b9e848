"""The slash commands: thin adapters from an interaction to the core and back.

Each command parses its options, calls the store or the searcher in a
thread (`asyncio.to_thread`: embedding a question and ranking must never
stall the event loop, or every other member's command waits), and renders
with `bot.render`. Work that may take a while defers the interaction first,
so Discord's 3-second window is never missed.

Errors meant for the member (a bad date, an unknown id, a cooldown) are
raised as `Friendly` and shown privately; anything else is logged with the
command's name and becomes a private "something went wrong".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import random
import time
from typing import Any, Awaitable, Callable, Optional

import discord
from discord import app_commands

from almanac import anniversaries
from almanac.entry import KINDS
from almanac.links import feed_urls, site_root
from almanac.timeline import TimelineError, build_timeline, draw
from bot import buttons, channels, render
from bot.errors import Friendly
from bot.render import NO_MENTIONS

log = logging.getLogger("almanac.bot")

#: Questions longer than this are cut before searching (and showing).
QUESTION_LIMIT = 500
#: How many hits /ask shows (the best one and 3 "also relevant").
ASK_SHOWN = 4
#: Autocomplete choices Discord accepts at most.
MAX_CHOICES = 25

KIND_CHOICES = [app_commands.Choice(name=k, value=k) for k in KINDS]
POSTS_CHOICES = [
    app_commands.Choice(name="Anniversaries", value="anniversaries"),
    app_commands.Choice(name="New entries", value="new"),
    app_commands.Choice(name="Both", value="both"),
]


def none_yet(kind: str | None) -> Friendly:
    """What /latest, /random and /timeline say when there is nothing to show."""
    return Friendly(f"There are no {kind} entries in the archive yet." if kind else "The archive is empty for now.")


class Cooldowns:
    """Per-member cooldown for the commands that search (cheap to abuse, costly to serve)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self._last: dict[int, float] = {}

    def check(self, user_id: int) -> None:
        """Record a use by `user_id`, or raise Friendly saying how long to wait."""
        if self.seconds <= 0:
            return
        now = self.clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            wait = self.seconds - (now - last)
            raise Friendly(f"Easy there! You can search again in {wait:.1f} s.")
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget old members rather than grow forever
            cutoff = now - self.seconds
            self._last = {u: t for u, t in self._last.items() if t >= cutoff}


class EntryIndex:
    """Titles held in memory for /entry autocomplete (answered in milliseconds, no search)."""

    def __init__(self, store):
        self.store = store
        self.generation = -1
        self.items: list[tuple[str, str, str]] = []  # (id, title lower, label)

    async def refresh(self) -> None:
        generation = await asyncio.to_thread(self.store.generation)
        if generation != self.generation:
            entries = await asyncio.to_thread(self.store.entries)
            self.items = [(e.id, e.title.lower(), f"{e.title} ({e.kind}, {e.date.label()})") for e in entries]
            self.generation = generation

    def choices(self, current: str) -> list[app_commands.Choice[str]]:
        words = current.lower().split()
        out = []
        for entry_id, title, label in self.items:
            if len(entry_id) > 100:
                continue
            if all(w in title or w in entry_id for w in words):
                out.append(app_commands.Choice(name=render.clip(label, 100), value=entry_id))
                if len(out) == MAX_CHOICES:
                    break
        return out


class Handlers:
    """What the commands and buttons do, with everything they need passed in."""

    def __init__(self, *, store, searcher, config, clock: Callable[[], dt.datetime] | None = None,
                 rng: random.Random | None = None, cooldown_clock: Callable[[], float] = time.monotonic,
                 on_subscriptions_changed: Callable[[], Awaitable[None]] | None = None):
        self.store = store
        self.searcher = searcher
        self.config = config
        self.base_url = config.site.base_url
        self.page_size = config.bot.page_size
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.rng = rng or random.Random()
        self.cooldowns = Cooldowns(config.bot.cooldown_seconds, cooldown_clock)
        self.index = EntryIndex(store)
        self.on_subscriptions_changed = on_subscriptions_changed
        #: One picture drawn at a time: matplotlib is CPU-bound and a burst of /timeline must not pile up threads.
        self._drawing = asyncio.Lock()

    # -- searching ---------------------------------------------------------------

    async def _search(self, query: str, limit: int, kind: str | None = None, year: int | None = None):
        if self.searcher is None:
            raise Friendly("Search is not available on this bot right now; try `/latest` or `/entry`.")
        return await asyncio.to_thread(self.searcher.search, query, limit=limit, kind=kind, year=year)

    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        question = " ".join(question.split())[:QUESTION_LIMIT]
        self.cooldowns.check(interaction.user.id)
        await interaction.response.defer(thinking=True)
        result = await self._search(question, limit=ASK_SHOWN + 1)
        if not result.answered or not result.hits:
            await interaction.followup.send(render.no_answer_text(question, result.note), allowed_mentions=NO_MENTIONS)
            return
        hits = result.hits[:ASK_SHOWN]
        shown = 1 + len(render.also_lines(hits, self.base_url))  # long titles: fewer "also relevant" fit
        more = shown if len(result.hits) > shown else None
        await interaction.followup.send(
            embed=render.answer_embed(question, hits, self.base_url),
            view=buttons.answer_view(hits[0].entry.id, question, more),
            allowed_mentions=NO_MENTIONS,
        )

    async def search(self, interaction: discord.Interaction, query: str, kind: str | None, year: int | None) -> None:
        query = " ".join(query.split())[:QUESTION_LIMIT]
        self.cooldowns.check(interaction.user.id)
        await interaction.response.defer(thinking=True)
        await self._send_page(interaction, query, 0, kind, year, edit=False, ephemeral=False)

    async def results_page(self, interaction: discord.Interaction, query: str, offset: int,
                           kind: str | None, year: int | None, *, mode: str) -> None:
        """A button: "More results" (`mode` "more": a new private message) or previous/next ("prev",
        "next": turn the page in place).

        `query` comes from the custom_id, maybe cut to fit it: the whole question is read from the
        clicked message (`buttons.whole_query`). When even the message shows it clipped, the cut one
        is searched, and going on ("more", "next") leaves out the entries the clicked message
        shows: that search ranks differently, and would show some of them again.
        """
        self.cooldowns.check(interaction.user.id)
        edit = mode != "more"
        if edit:
            await interaction.response.defer()  # acknowledge as an update of this message
        else:
            await interaction.response.defer(thinking=True, ephemeral=True)
        whole = buttons.whole_query(query, interaction.message)
        seen: list[str] = []
        if whole is None and mode != "prev" and interaction.message is not None and interaction.message.embeds:
            seen = render.entry_ids_shown(interaction.message.embeds[0], self.base_url)
        await self._send_page(interaction, whole or query, offset, kind, year, edit=edit, ephemeral=not edit,
                              seen=frozenset(seen))

    async def _send_page(self, interaction, query, offset, kind, year, *, edit: bool, ephemeral: bool,
                         seen: frozenset[str] = frozenset()) -> None:
        """The page of results from `offset` on.

        `seen`: the entries the clicked message showed, the ones just before `offset`, to leave
        out; the page then starts `len(seen)` earlier in what remains, still numbered from
        `offset + 1`, and the next one after what it shows, as usual."""
        result = await self._search(query, limit=offset + self.page_size + 1, kind=kind, year=year)
        hits = [h for h in result.hits if h.entry.id not in seen]
        start = max(offset - len(seen), 0)
        if len(hits) <= start:
            if offset == 0:
                await interaction.followup.send(render.no_results_text(query, kind, year, result.note),
                                                allowed_mentions=NO_MENTIONS,
                                                ephemeral=ephemeral)
            else:
                await interaction.followup.send("No more results.", ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        shown = len(render.result_lines(hits, start, self.page_size, self.base_url))  # what fits one embed
        has_more = len(hits) > start + shown
        embed = render.results_embed(query, hits, start, self.page_size, has_more, self.base_url, kind=kind, year=year,
                                     first=offset + 1)
        view = buttons.pager_view(query, offset, self.page_size, has_more, kind, year, shown=shown)
        if edit:
            await interaction.edit_original_response(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        else:
            kwargs: dict[str, Any] = {"view": view} if view else {}
            await interaction.followup.send(embed=embed, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **kwargs)

    async def similar(self, interaction: discord.Interaction, entry_id: str) -> None:
        """"More like this" under an answer: a private list of close entries."""
        self.cooldowns.check(interaction.user.id)
        if self.searcher is None:
            raise Friendly("Search is not available on this bot right now.")
        await interaction.response.defer(thinking=True, ephemeral=True)
        entry = await asyncio.to_thread(self.store.get, entry_id)
        if entry is None:
            raise Friendly("That entry is no longer in the archive.")
        hits = await asyncio.to_thread(self.searcher.similar, entry_id, 5)
        await interaction.followup.send(embed=render.similar_embed(entry, hits, self.base_url), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    # -- browsing ----------------------------------------------------------------

    async def onthisday(self, interaction: discord.Interaction, date: str | None) -> None:
        if date:
            try:
                day = dt.date.fromisoformat(date.strip())
                if len(date.strip()) != 10:
                    raise ValueError
            except ValueError:
                raise Friendly(f"“{render.clip(date, 40)}” is not a date. Use YYYY-MM-DD, for example 2026-05-04, "
                               "or leave it out for today.") from None
        else:
            day = anniversaries.today(self.clock(), self.config.schedule.tz)
        await interaction.response.defer(thinking=True)  # reading every entry takes a second at 100,000
        found = await asyncio.to_thread(lambda: anniversaries.on(self.store.entries(), day))
        await interaction.followup.send(embed=render.onthisday_embed(day, found, self.base_url),
                                        allowed_mentions=NO_MENTIONS)

    async def latest(self, interaction: discord.Interaction, kind: str | None, count: int) -> None:
        entries = await asyncio.to_thread(self.store.entries, kind, None, count)
        if not entries:
            raise none_yet(kind)
        await interaction.response.send_message(embed=render.latest_embed(entries, kind, self.base_url),
                                                allowed_mentions=NO_MENTIONS)

    async def random_entry(self, interaction: discord.Interaction, kind: str | None) -> None:
        await self._require_entries(kind)
        await interaction.response.defer(thinking=True)
        entries = await asyncio.to_thread(self.store.entries, kind)
        if not entries:  # emptied in the meantime
            raise none_yet(kind)
        entry = self.rng.choice(entries)
        await interaction.followup.send(embed=render.entry_embed(entry, self.base_url),
                                        view=buttons.answer_view(entry.id, "", None), allowed_mentions=NO_MENTIONS)

    async def entry(self, interaction: discord.Interaction, entry_id: str) -> None:
        entry = await asyncio.to_thread(self.store.get, entry_id.strip())
        if entry is None:
            raise Friendly(f"No entry has the id “{render.clip(entry_id, 100)}”. Start typing a title and pick one "
                           "from the list, or use `/search`.")
        await interaction.response.send_message(embed=render.entry_embed(entry, self.base_url),
                                                view=buttons.answer_view(entry.id, "", None),
                                                allowed_mentions=NO_MENTIONS)

    async def timeline(self, interaction: discord.Interaction, kind: str | None) -> None:
        """The archive over time as a PNG attachment, counted and drawn in a thread (matplotlib takes
        a moment, and so does counting 100,000 entries)."""
        self.cooldowns.check(interaction.user.id)
        await self._require_entries(kind)
        await interaction.response.defer(thinking=True)
        day = anniversaries.today(self.clock(), self.config.schedule.tz)
        try:
            picture = await asyncio.to_thread(lambda: build_timeline(self.store.entries(), day, kind=kind))
        except TimelineError:
            raise none_yet(kind) from None
        async with self._drawing:
            png = await asyncio.to_thread(draw, picture, "png")
        if len(png) > render.ATTACHMENT_LIMIT:
            raise Friendly("The picture came out too large to send here; see the site's index for it.")
        await interaction.followup.send(
            embed=render.timeline_embed(picture, kind, site_root(self.base_url)),
            file=discord.File(io.BytesIO(png), filename=render.TIMELINE_FILE, description=render.clip(picture.summary(), 1000)),
            allowed_mentions=NO_MENTIONS,
        )

    async def entry_choices(self, current: str) -> list[app_commands.Choice[str]]:
        await self.index.refresh()
        return self.index.choices(current)

    async def feeds(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)  # the kinds held: every entry is read
        held = await asyncio.to_thread(lambda: {e.kind for e in self.store.entries()})
        urls = feed_urls(self.base_url, [k for k in KINDS if k in held])
        await interaction.followup.send(embed=render.feeds_embed(urls, site_root(self.base_url)),
                                        allowed_mentions=NO_MENTIONS)

    async def about(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)  # counts by kind: every entry is read
        stats = await asyncio.to_thread(lambda: render.archive_stats(self.store.entries()))
        embed = render.about_embed(stats, self.config.site.title, site_root(self.base_url))
        await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)

    async def _require_entries(self, kind: str | None) -> None:
        """Raise `none_yet` for an empty archive (or kind) from a one-row read, cheap enough to
        answer privately before deferring; reading them all is what needs the deferral."""
        if not await asyncio.to_thread(self.store.entries, kind, None, 1):
            raise none_yet(kind)

    # -- subscriptions -----------------------------------------------------------

    async def subscribe(self, interaction: discord.Interaction, channel: discord.abc.GuildChannel, posts: str) -> None:
        me = channel.guild.me if channel.guild else None
        if me is not None:
            perms = channel.permissions_for(me)
            if not (perms.send_messages and perms.embed_links):
                raise Friendly(f"I can't post in {channel.mention}: give me Send Messages and Embed Links there, "
                               "then subscribe again.")
        await asyncio.to_thread(channels.subscribe, self.store, channel.id, interaction.guild_id, posts)
        if self.on_subscriptions_changed:
            await self.on_subscriptions_changed()
        what = {"anniversaries": "anniversary posts", "new": "new-entry posts", "both": "anniversary and new-entry posts"}[posts]
        await interaction.response.send_message(f"{channel.mention} will now get {what}.", allowed_mentions=NO_MENTIONS)

    async def unsubscribe(self, interaction: discord.Interaction, channel: discord.abc.GuildChannel) -> None:
        removed = await asyncio.to_thread(self.store.unsubscribe, channel.id)
        if removed and self.on_subscriptions_changed:
            await self.on_subscriptions_changed()
        if not removed:
            raise Friendly(f"{channel.mention} was not subscribed.")
        await interaction.response.send_message(f"{channel.mention} will get no more posts.", allowed_mentions=NO_MENTIONS)


def build_commands(handlers: Handlers) -> list[app_commands.Command]:
    """The slash commands, each a closure over `handlers` (no globals)."""

    @app_commands.command(name="ask", description="Ask a question about the archive and get the best matching entry")
    @app_commands.describe(question="What you want to know, in your own words")
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await handlers.ask(interaction, question)

    @app_commands.command(name="search", description="Search the archive by keywords, a page of results at a time")
    @app_commands.describe(query="Words to look for", kind="Only this kind of entry", year="Only entries from this year")
    @app_commands.choices(kind=KIND_CHOICES)
    async def search(interaction: discord.Interaction, query: str, kind: Optional[str] = None,
                     year: Optional[app_commands.Range[int, 1900, 2100]] = None) -> None:
        await handlers.search(interaction, query, kind, year)

    @app_commands.command(name="onthisday", description="What happened on this day in earlier years")
    @app_commands.describe(date="A day as YYYY-MM-DD (leave out for today)")
    async def onthisday(interaction: discord.Interaction, date: Optional[str] = None) -> None:
        await handlers.onthisday(interaction, date)

    @app_commands.command(name="latest", description="The newest entries in the archive")
    @app_commands.describe(kind="Only this kind of entry", count="How many to show (1-10)")
    @app_commands.choices(kind=KIND_CHOICES)
    async def latest(interaction: discord.Interaction, kind: Optional[str] = None,
                     count: app_commands.Range[int, 1, 10] = 5) -> None:
        await handlers.latest(interaction, kind, count)

    @app_commands.command(name="random", description="A random entry from the archive")
    @app_commands.describe(kind="Only this kind of entry")
    @app_commands.choices(kind=KIND_CHOICES)
    async def random_(interaction: discord.Interaction, kind: Optional[str] = None) -> None:
        await handlers.random_entry(interaction, kind)

    @app_commands.command(name="entry", description="Show one entry in full")
    @app_commands.describe(id="Start typing a title and pick the entry")
    async def entry(interaction: discord.Interaction, id: str) -> None:
        await handlers.entry(interaction, id)

    @entry.autocomplete("id")
    async def entry_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await handlers.entry_choices(current)

    @app_commands.command(name="timeline", description="A picture of the archive over time: entries per year by kind")
    @app_commands.describe(kind="Only this kind of entry")
    @app_commands.choices(kind=KIND_CHOICES)
    async def timeline(interaction: discord.Interaction, kind: Optional[str] = None) -> None:
        await handlers.timeline(interaction, kind)

    @app_commands.command(name="feeds", description="Feed addresses to follow the archive in a feed reader")
    async def feeds(interaction: discord.Interaction) -> None:
        await handlers.feeds(interaction)

    @app_commands.command(name="about", description="What the archive holds: counts by kind and the years it spans")
    async def about(interaction: discord.Interaction) -> None:
        await handlers.about(interaction)

    @app_commands.command(name="subscribe", description="Post anniversaries and/or new entries in a channel")
    @app_commands.describe(channel="The channel to post in", posts="What to post there")
    @app_commands.choices(posts=POSTS_CHOICES)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def subscribe(interaction: discord.Interaction, channel: discord.TextChannel, posts: str = "both") -> None:
        await handlers.subscribe(interaction, channel, posts)

    @app_commands.command(name="unsubscribe", description="Stop posting in a channel")
    @app_commands.describe(channel="The channel to stop posting in")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def unsubscribe(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        await handlers.unsubscribe(interaction, channel)

    return [ask, search, onthisday, latest, random_, entry, timeline, feeds, about, subscribe, unsubscribe]
