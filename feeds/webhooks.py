"""Posting to Discord webhooks: a `Publisher` over `discord.Webhook`.

A webhook URL is a secret (whoever has it can post to the channel), so the
URLs come only from the environment ($ALMANAC_WEBHOOK_URLS, via
`Secrets.webhook_urls`), and nothing here logs or raises with one: the
ledger knows a webhook by `webhook:<first 12 hex of sha256(id/token)>`
(`webhook_key`), logs by that key, and error messages carry only status
codes and exception types.

discord.py handles a 429 that carries Discord's `Via` header itself (it sleeps
`retry_after` and retries inline) and retries 5xx a few times; what still
fails comes out of `send` as `RetryLater` (the ledger backs off; also when our
send timeout cuts such a wait short, `post_once`) or `PermanentFailure` (4xx:
deleted webhook, bad token: fixing needs a person).
A 2xx is delivery, whatever fails after it (`Delivered`): the session comes
from `webhook_session()`, whose trace notes each response's status.

The publisher also edits and deletes the messages it posted (the ledger's
edit jobs, `almanac.editing`): a 404 there is `MessageGone`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import parse_qs, urlsplit

import aiohttp
import discord

from almanac.config import ConfigError
from almanac.http_answers import apply_change, post_once, status_trace
from almanac.posting import (
    ANNIVERSARY, NEW, OutcomeUnknown, PermanentFailure, Post, RetryLater, render_post,
)

log = logging.getLogger(__name__)

DISCORD_API_BASE = "https://discord.com/api/v10"


class WebhookURLError(ConfigError, ValueError):
    """A value in $ALMANAC_WEBHOOK_URLS is not a Discord webhook URL (the message hides it).

    A ConfigError, so every command that posts (schedule, bot, run) reports it
    as one line and exit status 2.
    """


def webhook_key(webhook_id: int, token: str, thread_id: int | None = None) -> str:
    """The ledger's name for a webhook: stable, and useless to anyone who reads it.

    Made from what the URL names (the webhook's id and token, and the thread it posts into),
    not from how it is written: the same webhook copied as discordapp.com, with a trailing slash
    or with `?wait=true` is one target, posted to once (as several keys it got every post once
    per spelling, and again after the URL was pasted anew). One webhook into two threads is two.
    """
    return _hashed(f"{webhook_id}/{token}" + (f"/{thread_id}" if thread_id is not None else ""))


def thread_of(url: str) -> int | None:
    """The thread a webhook URL posts into (`?thread_id=123`, as Discord documents for a forum's
    or a channel's thread), or None. discord.py's `Webhook.from_url` ignores the query, so posts
    meant for a thread went to its channel, and into a forum channel every one was refused."""
    values = parse_qs(urlsplit(url).query).get("thread_id", [])
    return int(values[0]) if values and values[0].isdigit() else None


def url_key(url: str) -> str:
    """A webhook's ledger name before December 2026 (the URL as written): its ledger moves to
    `webhook_key` at start (`adopt_former_keys`)."""
    return _hashed(url)


def _hashed(text: str) -> str:
    return "webhook:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def adopt_former_keys(store, publishers) -> None:
    """Move each webhook's ledger from its former name (`url_key`) to its name now, so upgrading
    sends nothing again. Idempotent, and a no-op once moved or for a webhook new to the store."""
    for publisher in publishers:
        if isinstance(publisher, WebhookPublisher) and store.rename_target(publisher.former_key, publisher.key):
            log.info("ledger of %s moved to its new key %s", publisher.former_key, publisher.key)


def set_api_base(base: str) -> None:
    """Send discord.py's REST calls to `base` instead of Discord (e.g. a REST proxy).

    discord.py reads the base from one class attribute, `discord.http.Route.BASE`,
    so this is process-wide; the composition root calls it once at start when
    $ALMANAC_DISCORD_API_BASE is set (for webhooks and the bot alike).
    """
    discord.http.Route.BASE = base.rstrip("/") if base else DISCORD_API_BASE


#: discord.py loggers whose DEBUG lines hold a secret: a webhook's URL (its token), an interaction's
#: token (in every INTERACTION_CREATE event the gateway logs, and in the callback and follow-up URLs
#: the HTTP client and the webhook adapter log); a token lets anyone post as the bot for 15 minutes.
_SECRET_DEBUG_LOGGERS = ("discord.webhook.async_", "discord.webhook.sync", "discord.gateway", "discord.http")


def keep_discord_secrets_out_of_logs() -> None:
    """Keep the loggers that would write webhook URLs or interaction tokens at INFO and above.

    Called by the composition roots (`almanac bot`, with or without its schedule, and `almanac
    schedule`), so `almanac -v` output stays safe to paste. Their warnings and errors still show.
    """
    for name in _SECRET_DEBUG_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


class WebhookPublisher:
    """One Discord webhook. Build inside the running loop (it keeps an aiohttp session)."""

    wants = frozenset({ANNIVERSARY, NEW})

    def __init__(self, url: str, session: aiohttp.ClientSession, username: str = "Almanac", avatar_url: str = "",
                 position: int = 1):
        try:
            self._webhook = discord.Webhook.from_url(url, session=session)
            thread_id = thread_of(url)  # urlsplit raises on "https://[discord.com/..." that from_url took
        except ValueError:
            raise WebhookURLError(
                f"$ALMANAC_WEBHOOK_URLS: value {position} is not a Discord webhook URL "
                "(expected https://discord.com/api/webhooks/ID/TOKEN)") from None
        self._thread = {"thread": discord.Object(id=thread_id)} if thread_id is not None else {}
        self.key = webhook_key(self._webhook.id, self._webhook.token, thread_id)
        self.former_key = url_key(url)
        self.label = f"webhook {self._webhook.id}"  # the id is public; the token is not
        self.username = username or None
        self.avatar_url = avatar_url or None

    def __repr__(self) -> str:
        return f"WebhookPublisher({self.key})"

    async def send(self, post: Post) -> str | None:
        kwargs = {}
        if self.username:
            kwargs["username"] = self.username
        if self.avatar_url:
            kwargs["avatar_url"] = self.avatar_url
        message = await post_once(self._webhook.send(
            embed=discord.Embed.from_dict(render_post(post)),
            allowed_mentions=discord.AllowedMentions.none(),
            wait=True,  # Discord answers with the message, so the ledger gets its id
            **kwargs,
            **self._thread,
        ), _outcome)
        return str(message.id)

    async def edit_message(self, message_id: str, embed: dict) -> None:
        """PATCH /webhooks/{id}/{token}/messages/{message_id} (`Webhook.edit_message`): the message shows `embed`."""
        await self._change(self._webhook.edit_message(
            int(message_id), embed=discord.Embed.from_dict(embed), allowed_mentions=discord.AllowedMentions.none(),
            **self._thread))

    async def delete_message(self, message_id: str) -> None:
        """DELETE /webhooks/{id}/{token}/messages/{message_id} (`Webhook.delete_message`)."""
        await self._change(self._webhook.delete_message(int(message_id), **self._thread))

    async def _change(self, request) -> None:
        """An edit or delete; a 404 is "Unknown Message" (deleted in Discord) or "Unknown Webhook"
        (the webhook was): never there again."""
        await apply_change(request, _outcome, "Discord answered 404")


def _outcome(exc: Exception, what: str = "the post") -> Exception:
    """What a failed webhook request means for the ledger (the exception to raise instead)."""
    if isinstance(exc, discord.DiscordServerError):
        return RetryLater(f"Discord server error {exc.status}")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return RetryLater("rate limited (429)", _retry_after(exc))
        if exc.status >= 500:
            return RetryLater(f"Discord server error {exc.status}")
        return PermanentFailure(f"Discord refused {what}: HTTP {exc.status} {without_tokens(exc.text)}".strip())
    if isinstance(exc, aiohttp.ClientConnectorError):
        # Never connected, so nothing was sent. str(exc) of aiohttp errors may carry
        # the URL (and so the token): the type only.
        return RetryLater(f"network error ({type(exc).__name__})")
    if isinstance(exc, (aiohttp.ClientError, OSError, TimeoutError)):
        return OutcomeUnknown(f"no answer from Discord ({type(exc).__name__})")
    return exc


#: A webhook's path in any text: its token follows the id.
_WEBHOOK_PATH = re.compile(r"(webhooks/\d+/)[^/?#\s\"'<>]+")


def without_tokens(text: str | None, limit: int = 300) -> str:
    """What a server said, fit to log and to keep in the ledger: a webhook path's token taken out
    (a proxy's or gateway's error page may quote the request path: it was logged and stored
    whole), cut to `limit`."""
    return " ".join(_WEBHOOK_PATH.sub(r"\1<token>", text or "").split())[:limit]


def webhook_session(**options) -> aiohttp.ClientSession:
    """The session webhooks post through: it notes response statuses (a 2xx is delivery)."""
    return aiohttp.ClientSession(trace_configs=[status_trace()], **options)


def _retry_after(exc: discord.HTTPException) -> float | None:
    """Seconds Discord asked us to wait, from the Retry-After header (None if absent)."""
    try:
        value = exc.response.headers.get("Retry-After")
        return max(0.0, float(value)) if value is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


def webhook_publishers(urls, session: aiohttp.ClientSession, username: str = "Almanac",
                       avatar_url: str = "") -> list[WebhookPublisher]:
    """One publisher per URL (duplicates collapse: they would be the same target)."""
    out: dict[str, WebhookPublisher] = {}
    for position, url in enumerate(urls, start=1):
        publisher = WebhookPublisher(url, session, username, avatar_url, position)
        out.setdefault(publisher.key, publisher)
    return list(out.values())
