"""Posting to subscribed channels through the bot: the `Publisher` of `almanac.posting`.

The ledger decides what is due and records what was sent; this only
delivers one post and says how it went. Posts look like the webhook's
(`render_post`), carry the ledger row's nonce (discord.py then sets
`enforce_nonce`, so a resend after a crash within Discord's nonce window
does not appear twice), and ping nobody.

Errors map onto the protocol: a rate limit, a server error or a network
problem is `RetryLater` (the ledger backs off); a 4xx (the channel was
deleted, the bot lost Send Messages) is `PermanentFailure`.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from almanac.posting import OutcomeUnknown, PermanentFailure, Post, RetryLater, render_post
from bot.render import NO_MENTIONS, fit

log = logging.getLogger("almanac.bot")


def channel_key(channel_id: int) -> str:
    return f"channel:{channel_id}"


class ChannelPublisher:
    """One subscribed channel, posted to by `client` (which must be logged in)."""

    def __init__(self, client: discord.Client, channel_id: int, wants: frozenset[str], label: str | None = None):
        self.client = client
        self.channel_id = int(channel_id)
        self.key = channel_key(self.channel_id)
        self.wants = frozenset(wants)
        self.label = label or f"Discord channel {self.channel_id}"

    @classmethod
    def for_subscription(cls, client: discord.Client, subscription) -> ChannelPublisher:
        guild = f" in guild {subscription.guild_id}" if subscription.guild_id else ""
        return cls(client, subscription.channel_id, subscription.wants, f"Discord channel {subscription.channel_id}{guild}")

    async def send(self, post: Post) -> str | None:
        # A partial channel needs no cache or gateway: only the REST API.
        channel = self.client.get_partial_messageable(self.channel_id)
        embed = discord.Embed.from_dict(fit(render_post(post)))
        try:
            message = await channel.send(embed=embed, nonce=post.nonce, allowed_mentions=NO_MENTIONS)
        except discord.RateLimited as exc:
            raise RetryLater(f"rate limited on {self.key}", exc.retry_after) from None
        except discord.DiscordServerError as exc:
            raise RetryLater(f"Discord server error {exc.status} on {self.key}") from None
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise RetryLater(f"rate limited on {self.key}") from None
            raise PermanentFailure(f"Discord refused the post to {self.key}: {exc.status} {exc.text or ''}".strip()) from None
        except aiohttp.ClientConnectorError as exc:  # never connected: nothing was sent
            raise RetryLater(f"network error posting to {self.key}: {type(exc).__name__}") from None
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            # It may have arrived; the nonce lets Discord drop the one resend this allows.
            raise OutcomeUnknown(f"no answer posting to {self.key}: {type(exc).__name__}") from None
        return str(message.id)


def channel_publishers(client: discord.Client, subscriptions) -> list[ChannelPublisher]:
    """Publishers for the current subscriptions (asked for again at every scheduler run)."""
    return [ChannelPublisher.for_subscription(client, s) for s in subscriptions]


class SubscribedChannels:
    """The current subscriptions as publishers, held in memory for the scheduler.

    The scheduler asks for its publishers synchronously at every run, on the
    event loop; reading the store there could wait behind an ingest holding
    the database, stalling the gateway. So the list is loaded in a thread at
    start and reloaded whenever /subscribe or /unsubscribe changes it.
    """

    def __init__(self, client: discord.Client, store):
        self.client = client
        self.store = store
        self._publishers: list[ChannelPublisher] = []

    async def reload(self) -> None:
        subscriptions = await asyncio.to_thread(self.store.subscriptions)
        self._publishers = channel_publishers(self.client, subscriptions)

    def publishers(self) -> list[ChannelPublisher]:
        return list(self._publishers)
