"""Posting to subscribed channels through the bot: the `Publisher` of `almanac.posting`.

The ledger decides what is due and records what was sent; this only
delivers one post and says how it went. Posts look like the webhook's
(`render_post`), carry the ledger row's nonce (discord.py then sets
`enforce_nonce`, so a resend after a crash within Discord's nonce window
does not appear twice), and ping nobody.

Errors map onto the protocol: a rate limit, a server error or a network
problem is `RetryLater` (the ledger backs off); a 4xx (the channel was
deleted, the bot lost Send Messages) is `PermanentFailure`; a 2xx is
delivery, whatever fails after it (`Delivered`: the bot's HTTP client
carries `status_trace()`, see `bot.client`).

A channel Discord no longer knows (404, code 10003 "Unknown Channel": it was
deleted, maybe while the bot was offline) loses its subscription at the first
post that finds out (`ChannelGone`): /unsubscribe cannot pick a deleted
channel, and every post to it would fail, one failed ledger row each, forever.
The gateway says so too, when the bot is online (`SubscribedChannels`,
called from `bot.client`).

It also edits and deletes the messages it posted (the ledger's edit jobs,
`almanac.editing`); a 404 there is `MessageGone`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Iterable

import aiohttp
import discord

from almanac.http_answers import apply_change, post_once
from almanac.posting import OutcomeUnknown, PermanentFailure, Post, RetryLater, render_post
from almanac.store import utc_now
from bot.render import NO_MENTIONS, fit

log = logging.getLogger("almanac.bot")

#: Discord's JSON error code for a channel that does not exist (deleted).
UNKNOWN_CHANNEL = 10003


class ChannelGone(PermanentFailure):
    """Discord answered 404 "Unknown Channel": the channel was deleted, no post will ever reach it."""


def channel_key(channel_id: int) -> str:
    return f"channel:{channel_id}"


def channel_label(channel_id: int, guild_id: int | None) -> str:
    return f"Discord channel {channel_id}" + (f" in guild {guild_id}" if guild_id else "")


def subscribe(store, channel_id: int, guild_id: int | None, posts: str) -> None:
    """Store what a channel receives (in a thread: it writes).

    A channel that starts asking for new-entry posts (subscribed for the first time, again after
    /unsubscribe, or until now for anniversaries only) gets the entries added from now on: its
    ledger target kept the baseline of its first subscription, and every entry added since,
    while it did not ask, would have gone out as "Just added". The baseline moves before the
    subscription changes, so a posting run in between cannot catch the old one.
    """
    before = store.subscription(channel_id)
    if posts in ("new", "both") and (before is None or "new" not in before.wants):
        key = channel_key(channel_id)
        store.ensure_target(key, "channel", channel_label(channel_id, guild_id))
        store.move_baseline(key, utc_now())
    store.subscribe(channel_id, guild_id, posts)


class ChannelPublisher:
    """One subscribed channel, posted to by `client` (which must be logged in).

    `on_gone(channel_id)` is awaited once when Discord says the channel no longer exists; the
    posts still due to it in the same run then fail without asking Discord again.
    """

    def __init__(self, client: discord.Client, channel_id: int, wants: frozenset[str], label: str | None = None,
                 on_gone: Callable[[int], Awaitable[None]] | None = None):
        self.client = client
        self.channel_id = int(channel_id)
        self.key = channel_key(self.channel_id)
        self.wants = frozenset(wants)
        self.label = label or f"Discord channel {self.channel_id}"
        self.on_gone = on_gone
        self.gone = False

    @classmethod
    def for_subscription(cls, client: discord.Client, subscription,
                         on_gone: Callable[[int], Awaitable[None]] | None = None) -> ChannelPublisher:
        return cls(client, subscription.channel_id, subscription.wants,
                   channel_label(subscription.channel_id, subscription.guild_id), on_gone)

    async def send(self, post: Post) -> str | None:
        if self.gone:
            raise ChannelGone(f"{self.key} was deleted in Discord: not sent")
        # A partial channel needs no cache or gateway: only the REST API.
        channel = self.client.get_partial_messageable(self.channel_id)
        embed = discord.Embed.from_dict(fit(render_post(post)))
        try:
            message = await post_once(channel.send(embed=embed, nonce=post.nonce, allowed_mentions=NO_MENTIONS),
                                      self._outcome, f" for {self.key}")
        except ChannelGone:
            self.gone = True
            await self._forget()
            raise
        return str(message.id)

    async def _forget(self) -> None:
        """Tell `on_gone`; its failure (a busy database) must not change what the post's outcome was:
        the next post to the channel finds out again."""
        if self.on_gone is None:
            return
        try:
            await self.on_gone(self.channel_id)
        except Exception as exc:
            log.warning("could not remove the subscription of deleted %s: %s", self.key, type(exc).__name__)

    async def edit_message(self, message_id: str, embed: dict) -> None:
        """PATCH /channels/{id}/messages/{message_id} (`PartialMessage.edit`): the message shows `embed`."""
        message = self.client.get_partial_messageable(self.channel_id).get_partial_message(int(message_id))
        await self._change(message.edit(embed=discord.Embed.from_dict(fit(embed)), allowed_mentions=NO_MENTIONS))

    async def delete_message(self, message_id: str) -> None:
        """DELETE /channels/{id}/messages/{message_id} (`PartialMessage.delete`)."""
        await self._change(self.client.get_partial_messageable(self.channel_id).get_partial_message(
            int(message_id)).delete())

    async def _change(self, request) -> None:
        """An edit or delete; a 404 means the message, or its channel, was deleted."""
        await apply_change(request, self._outcome, f"Discord answered 404 for {self.key}")

    def _outcome(self, exc: Exception, what: str = "the post") -> Exception:
        """What a failed channel post (or edit) means for the ledger (the exception to raise instead)."""
        if isinstance(exc, discord.RateLimited):
            return RetryLater(f"rate limited on {self.key}", exc.retry_after)
        if isinstance(exc, discord.DiscordServerError):
            return RetryLater(f"Discord server error {exc.status} on {self.key}")
        if isinstance(exc, discord.NotFound) and exc.code == UNKNOWN_CHANNEL:
            return ChannelGone(f"Discord refused {what} to {self.key}: {exc.status} {exc.text or ''}".strip())
        if isinstance(exc, discord.HTTPException):
            if exc.status == 429:
                return RetryLater(f"rate limited on {self.key}")
            return PermanentFailure(f"Discord refused {what} to {self.key}: {exc.status} {exc.text or ''}".strip())
        if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
            return RetryLater(f"network error posting to {self.key}: {type(exc).__name__}")
        if isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
            # It may have arrived; the nonce lets Discord drop the one resend this allows.
            return OutcomeUnknown(f"no answer posting to {self.key}: {type(exc).__name__}")
        return exc


def channel_publishers(client: discord.Client, subscriptions,
                       on_gone: Callable[[int], Awaitable[None]] | None = None) -> list[ChannelPublisher]:
    """Publishers for the current subscriptions (asked for again at every scheduler run)."""
    return [ChannelPublisher.for_subscription(client, s, on_gone) for s in subscriptions]


class SubscribedChannels:
    """The current subscriptions as publishers, for the scheduler.

    Read from the store at every scheduler run (`current`), in a thread: the
    bot may run as several processes (shards), and /subscribe in one of them
    must reach the one that posts, which shares nothing with it but the
    database. Reads are one at a time, so a slow read never overwrites a
    newer one (two /subscribe commands in a row keep both).
    """

    def __init__(self, client: discord.Client, store):
        self.client = client
        self.store = store
        self._publishers: list[ChannelPublisher] = []
        self._lock = asyncio.Lock()

    async def reload(self) -> None:
        async with self._lock:
            subscriptions = await asyncio.to_thread(self.store.subscriptions)
            self._publishers = channel_publishers(self.client, subscriptions, self.channel_deleted)

    async def current(self) -> list[ChannelPublisher]:
        """The subscriptions as the store holds them now (what a scheduler run posts to)."""
        await self.reload()
        return self.publishers()

    def publishers(self) -> list[ChannelPublisher]:
        """The subscriptions as last read (at start, after /subscribe here, or at the last run)."""
        return list(self._publishers)

    async def channel_deleted(self, channel_id: int) -> None:
        """Remove the subscription of a channel that no longer exists (a post was answered "Unknown
        Channel", or the gateway said it was deleted); logged once, by whoever removes it."""
        if await asyncio.to_thread(self.store.unsubscribe, channel_id):
            log.warning("Discord channel %s was deleted: its subscription is removed", channel_id)
            await self.reload()

    async def guild_left(self, guild_id: int, channel_ids: Iterable[int] = ()) -> None:
        """Remove the subscriptions of a guild the bot is no longer in (removed from it, or the
        guild deleted): its channels are out of reach for good. `channel_ids`: the guild's
        channels the client knew, for a subscription stored without its guild."""
        removed = await asyncio.to_thread(_unsubscribe_guild, self.store, guild_id, set(channel_ids))
        if removed:
            log.warning("the bot left guild %s: the subscriptions of %d channel(s) are removed", guild_id, len(removed))
            await self.reload()


def _unsubscribe_guild(store, guild_id: int, channel_ids: set[int]) -> list[int]:
    """Unsubscribe every channel of a guild (in a thread: it reads and writes); the ones removed."""
    ours = [s.channel_id for s in store.subscriptions() if s.guild_id == guild_id or s.channel_id in channel_ids]
    return [channel_id for channel_id in ours if store.unsubscribe(channel_id)]
