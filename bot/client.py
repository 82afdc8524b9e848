"""The Discord client: built from explicit objects, commands added in `setup_hook`.

`AlmanacBot` gets the store, the searcher and the configuration from the
composition root (`almanac.commands.bot`); it reads no config or
environment itself. It asks Discord for the `guilds` intent only: slash
commands need no message content and no member list.

The command tree is published to Discord only when asked (`sync=`), never on
every connect: a sync is rate limited and global ones take time to spread.
"""

from __future__ import annotations

import logging
import random
from typing import Callable

import discord
from discord import app_commands

from almanac.http_answers import status_trace
from bot.buttons import MoreLikeThis, ResultsPage
from bot.channels import SubscribedChannels
from bot.commands import Handlers, build_commands
from bot.errors import report_error
from bot.render import NO_MENTIONS

log = logging.getLogger("almanac.bot")

#: Sync nothing / the global command tree / one guild's tree.
NO_SYNC = None
GLOBAL = "global"


class AlmanacTree(app_commands.CommandTree):
    """A command tree whose errors become a private message and a log line."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)


class AlmanacBot(discord.Client):
    """The bot. `sync` is None (default), GLOBAL, or a guild id to publish the commands to."""

    def __init__(self, *, store, searcher, config, sync: int | str | None = NO_SYNC,
                 clock: Callable | None = None, rng: random.Random | None = None, **options):
        intents = discord.Intents.none()
        intents.guilds = True
        options.setdefault("allowed_mentions", NO_MENTIONS)
        options.setdefault("http_trace", status_trace())  # a 2xx is delivery (bot.channels)
        super().__init__(intents=intents, **options)
        self.store = store
        self.config = config
        self.sync_target = sync
        #: Subscribed channels as publishers, for the posting jobs (`channels.publishers`).
        self.channels = SubscribedChannels(self, store)
        self.handlers = Handlers(store=store, searcher=searcher, config=config, clock=clock, rng=rng,
                                 on_subscriptions_changed=self.channels.reload)
        self.tree = AlmanacTree(self)
        self.synced: list[app_commands.AppCommand] = []

    def use_searcher(self, searcher) -> None:
        """Attach the searcher after logging in (so a bad token fails before the slow model load)."""
        self.handlers.searcher = searcher

    async def setup_hook(self) -> None:
        await self.channels.reload()
        for command in build_commands(self.handlers):
            self.tree.add_command(command)
        self.add_dynamic_items(MoreLikeThis, ResultsPage)
        if self.sync_target == GLOBAL:
            self.synced = await self.tree.sync()
            log.info("published %d commands globally (they may take up to an hour to appear)", len(self.synced))
        elif self.sync_target is not None:
            guild = discord.Object(id=int(self.sync_target))
            self.tree.copy_global_to(guild=guild)
            self.synced = await self.tree.sync(guild=guild)
            log.info("published %d commands to guild %s", len(self.synced), self.sync_target)

    async def on_ready(self) -> None:
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A deleted channel can no longer be picked in /unsubscribe: its subscription goes now."""
        await self.channels.channel_deleted(channel.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a guild (or the guild deleted; not an outage, which is `on_guild_unavailable`):
        its channels are out of reach, and nobody there can /unsubscribe any more."""
        await self.channels.guild_left(guild.id, [channel.id for channel in guild.channels])


class ShardedAlmanacBot(AlmanacBot, discord.AutoShardedClient):
    """The same bot over several gateway shards (`shard_count=`, `shard_ids=`).

    Discord requires sharding past 2,500 guilds: each shard is one gateway
    connection carrying the guilds whose `(guild_id >> 22) % shard_count` is
    its id. One process may run all shards, or several processes some each
    (`almanac bot --shard-count 4 --shard-ids 0,1` here, `2,3` there); slash
    commands arrive on the shard of their guild, so every process answers its
    own guilds from the shared database.
    """

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %d of %d ready", shard_id, self.shard_count)


def make_bot(*, shard_count: int | None = None, shard_ids: list[int] | None = None, **kwargs) -> AlmanacBot:
    """An `AlmanacBot`, or a `ShardedAlmanacBot` when sharding is asked for."""
    if shard_count is None:
        return AlmanacBot(**kwargs)
    return ShardedAlmanacBot(shard_count=shard_count, shard_ids=shard_ids, **kwargs)
