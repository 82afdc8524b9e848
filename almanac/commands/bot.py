"""`almanac bot`: run the Discord bot (and the posting jobs) in one process.

This is the bot's composition root: it builds the store, the searcher, the
Discord client, the webhook and channel publishers and the scheduler, and
wires them together. `bot/` and `feeds/` never import each other; only this
module knows both.

The command tree is published to Discord only with `--sync` (to one guild
with `--guild ID`, which is instant; globally otherwise, which can take up to
an hour), never on every connect: syncing is rate limited and only needed
when the commands change.

discord.py and aiohttp are imported where they are used: every command's
parser is built at start, and `almanac ask` should not pay ~0.3 s and
~30 MB for a Discord client it never starts.

Pointing the bot at another Discord API (a proxy, or the fake Discord the
tests run) is done with two environment variables, read only here:
ALMANAC_DISCORD_API_BASE (e.g. http://127.0.0.1:8000/api/v10) and
ALMANAC_DISCORD_GATEWAY (e.g. ws://127.0.0.1:8000/gateway).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from almanac.commands import (API_BASE_ENV, GATEWAY_ENV, SNOWFLAKES, UsageError, discord_endpoints, stop_on_signals,
                              whole_number)
from almanac.config import range_text

log = logging.getLogger("almanac.bot")

TOKEN_HELP = (
    "DISCORD_TOKEN is not set. Create an application at https://discord.com/developers/applications, "
    "open its Bot page, press Reset Token, then run: DISCORD_TOKEN=<token> almanac bot --sync --guild <server id>"
)


def register(sub) -> None:
    p = sub.add_parser(
        "bot",
        help="run the Discord bot",
        description="Connect to Discord and answer slash commands (/ask, /search, /onthisday, /latest, /random, "
        "/entry, /feeds, /about, /subscribe, /unsubscribe). Unless --no-schedule, the daily anniversary "
        "posts and new-entry announcements run in the same process and go to subscribed channels and to "
        "the webhooks in $ALMANAC_WEBHOOK_URLS, and every [schedule] refresh_minutes the sources are re-ingested "
        "and the site rebuilt (as `almanac schedule` does; run one of the two, not both). The token comes from $DISCORD_TOKEN and is never logged. "
        "SIGTERM or Ctrl-C stops it cleanly.",
        epilog="examples:\n"
        "  DISCORD_TOKEN=... almanac bot --sync --guild 123456789012345678   # first run: commands appear at once\n"
        "  DISCORD_TOKEN=... almanac bot --sync                              # publish globally (up to an hour)\n"
        "  DISCORD_TOKEN=... almanac bot                                     # every later start\n"
        "  DISCORD_TOKEN=... almanac bot --shard-count 4 --shard-ids 0,1     # sharded: this process posts\n"
        "  DISCORD_TOKEN=... almanac bot --shard-count 4 --shard-ids 2,3 --no-schedule   # ...this one does not\n\n"
        f"environment: DISCORD_TOKEN (required), ALMANAC_WEBHOOK_URLS, {API_BASE_ENV} and {GATEWAY_ENV}\n"
        "(another Discord API endpoint, e.g. a test server)",
    )
    p.add_argument("--sync", action="store_true",
                   help="publish the slash commands before connecting (once after installing or upgrading)")
    p.add_argument("--guild", type=whole_number(*SNOWFLAKES), metavar="ID",
                   help="with --sync: publish to this server only, instantly (else globally)")
    p.add_argument("--no-schedule", action="store_true",
                   help="answer commands only; post nothing and leave re-ingesting to another process "
                   "(every bot process but one, when several run)")
    p.add_argument("--no-refresh", action="store_true",
                   help="post, but leave re-ingesting and rebuilding the site to another process")
    p.add_argument("--shard-count", type=whole_number(*SHARDS), metavar="N",
                   help=f"run sharded (discord.AutoShardedClient): the total number of shards over all bot "
                   f"processes, {range_text(*SHARDS)} (Discord requires sharding past 2,500 servers)")
    p.add_argument("--shard-ids", type=shard_id_list, metavar="ID,ID",
                   help="with --shard-count: the shards this process runs, e.g. 0,1 (default: all)")
    p.set_defaults(handler=cmd_bot)


#: `--shard-count`.
SHARDS = (1, 10_000)


def shard_id_list(text: str) -> list[int]:
    """`--shard-ids 0,1,2`: distinct whole numbers, in the order given."""
    parse = whole_number(0, SHARDS[1] - 1)
    ids = [parse(part.strip()) for part in text.split(",")]
    if len(set(ids)) != len(ids):
        raise argparse.ArgumentTypeError(f"'{text}' names a shard twice")
    return ids


def sharding(args) -> dict:
    """The client's shard options from --shard-count/--shard-ids (empty: not sharded)."""
    if args.shard_ids is not None and args.shard_count is None:
        raise UsageError("--shard-ids needs --shard-count (the total over all bot processes)")
    if args.shard_count is None:
        return {}
    beyond = [i for i in args.shard_ids or [] if i >= args.shard_count]
    if beyond:
        raise UsageError(f"--shard-ids: shard {beyond[0]} does not exist with --shard-count {args.shard_count} "
                         f"(ids run from 0 to {args.shard_count - 1})")
    return {"shard_count": args.shard_count, "shard_ids": args.shard_ids}


def cmd_bot(args, app) -> int:
    if args.guild and not args.sync:
        raise UsageError("--guild needs --sync (it says where to publish the commands)")
    shards = sharding(args)
    token = app.secrets.discord_token
    if not token:
        raise UsageError(TOKEN_HELP)
    point_at_api(app.env)
    sync = (args.guild if args.guild else "global") if args.sync else None
    app.store  # open (and migrate) first: a bad database fails here, plainly
    from feeds.webhooks import WebhookURLError, keep_discord_secrets_out_of_logs

    keep_discord_secrets_out_of_logs()  # `almanac -v bot`: no interaction token in the log, schedule or not

    try:
        return asyncio.run(run_bot(app, token, sync=sync, schedule=not args.no_schedule, refresh=not args.no_refresh,
                                   shards=shards))
    except WebhookURLError as exc:
        raise UsageError(str(exc)) from None


def point_at_api(env) -> None:
    """Use another Discord endpoint when the environment says so (a proxy; the tests' fake Discord).

    discord.py reads both from class attributes, so this is process-wide and
    done once, here, before any client exists.
    """
    import discord
    import yarl

    from feeds.webhooks import set_api_base

    base, gateway = discord_endpoints(env)
    if base:
        set_api_base(base)
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


async def run_bot(app, token: str, *, sync=None, schedule: bool = True, refresh: bool = True,
                  shards: dict | None = None) -> int:
    """Run until SIGTERM/SIGINT or until Discord closes the connection for good.

    A signal during start-up (logging in, loading the model) stops it too.
    """
    with stop_on_signals() as stop:
        serving = asyncio.create_task(serve_bot(app, token, sync=sync, schedule=schedule, refresh=refresh,
                                                shards=shards), name="almanac-bot")
        stopping = asyncio.create_task(stop.wait(), name="stop-signal")
        try:
            done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if serving in done:
                return serving.result()
            log.info("stopping")
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
            return 0
        finally:
            stopping.cancel()


async def serve_bot(app, token: str, *, sync, schedule: bool, refresh: bool, shards: dict | None = None) -> int:
    """Log in (a bad token fails before the slow model load), load the searcher, connect, post.

    `shards` ({"shard_count", "shard_ids"}) runs the client sharded.
    """
    import aiohttp
    import discord

    from bot.client import make_bot

    client = make_bot(store=app.store, searcher=None, config=app.config, sync=sync, **(shards or {}))
    jobs = None
    try:
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise UsageError("Discord refused DISCORD_TOKEN; reset the token on the application's Bot page "
                             "and set DISCORD_TOKEN again") from None
        # Load the model and the vectors before connecting, so the first /ask is fast.
        log.info("logged in; loading the search model")
        client.use_searcher(await asyncio.to_thread(_warm_searcher, app))
        connection = asyncio.create_task(client.connect(reconnect=True), name="discord-connection")
        if schedule:
            jobs = await start_jobs(app, client, refresh=refresh)
        await connection  # returns or raises only when Discord closes the connection for good
        log.error("the Discord connection ended")
        return 1
    except (discord.ConnectionClosed, discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, OSError) as exc:
        log.error("the Discord connection ended: %s", exc)
        return 1
    finally:
        if jobs is not None:
            await jobs.stop()
        await client.close()


def _warm_searcher(app):
    searcher = app.searcher
    searcher.search("warm up", limit=1)
    return searcher


async def start_jobs(app, client, *, refresh: bool = True):
    """The posting jobs of `almanac schedule`, run inside the bot's process.

    They post to the webhooks and the on-this-day feed as `almanac schedule`
    does, plus the channels subscribed with /subscribe (read from the store at
    every run, so a subscription made a minute ago, in this process or another
    shard's, gets the next post).
    """
    from almanac.commands.onthisday import start_posting

    return await start_posting(app, client.channels.current, refresh=refresh)
