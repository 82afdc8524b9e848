"""Did the receiver answer 2xx? Known even when the code that reads the answer fails.

discord.py turns Discord's answer into a Message after a 2xx; if that fails
(a body it cannot parse), it raises, and the exception looks like any other
error. But Discord has the post by then, and sending it again would show it
twice. So the sessions posts go through carry `status_trace()`: it notes the
status of every response, as soon as its headers arrive, in the list that
`answers()` opened in the current task. A publisher then asks `answered_2xx`.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Iterator

import aiohttp

_statuses: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("almanac_http_statuses", default=None)


def status_trace() -> aiohttp.TraceConfig:
    """An aiohttp trace for a ClientSession (or discord.py's `http_trace=`) that notes response
    statuses: None when a request starts, its status when the answer's headers arrive."""
    trace = aiohttp.TraceConfig()

    async def on_request_start(session, context, params) -> None:
        statuses = _statuses.get()
        if statuses is not None:
            statuses.append(None)

    async def on_request_end(session, context, params) -> None:
        statuses = _statuses.get()
        if statuses is not None:
            if None in statuses:
                statuses[statuses.index(None)] = params.response.status
            else:
                statuses.append(params.response.status)

    trace.on_request_start.append(on_request_start)
    trace.on_request_end.append(on_request_end)
    return trace


@contextlib.contextmanager
def answers() -> Iterator[list[int | None]]:
    """The statuses of the requests made in this block (in this task), in order: None for one
    that has no answer yet."""
    statuses: list[int | None] = []
    token = _statuses.set(statuses)
    try:
        yield statuses
    finally:
        _statuses.reset(token)


def answered_2xx(statuses: list[int | None]) -> int | None:
    """The 2xx status among `statuses`, if the receiver accepted the request."""
    return next((s for s in statuses if s is not None and 200 <= s < 300), None)


def refused_every_try(statuses: list[int | None]) -> int | None:
    """The last status, when every request was answered and none accepted (a 429 or a 5xx that
    discord.py was waiting to retry when we stopped it): then nothing was posted. None when a
    request had no answer yet, or none was made."""
    if not statuses or None in statuses or answered_2xx(statuses):
        return None
    return statuses[-1]


async def post_once(request, outcome, where: str = ""):
    """Await a post (a message sent to a webhook or a channel) and return its answer, raising what
    the outcome means for the ledger: `Delivered` after a 2xx whatever failed next, `RetryLater`
    when cut short (our send timeout, a stop) while discord.py waited to retry a 429 or a 5xx
    (every try refused, so nothing was posted: taken as an unknown outcome, a target rate-limited
    for minutes had its post failed for good after two timeouts), else `outcome(exc)`. With a
    request in flight when cut short the outcome is unknown: the cancellation goes on."""
    import asyncio

    from almanac.posting import Delivered, PermanentFailure, RetryLater

    with answers() as statuses:
        try:
            return await request
        except asyncio.CancelledError:
            if status := refused_every_try(statuses):
                raise RetryLater(f"Discord answered {status}{where} to every try until the send timeout") from None
            raise
        except Exception as exc:
            if status := answered_2xx(statuses):
                raise Delivered(f"Discord answered {status}{where}, then reading the answer failed "
                                f"({type(exc).__name__})") from None
            mapped = outcome(exc)
            if mapped is exc and (status := refused_every_try(statuses)):
                # a refusal discord.py could not read (a body that says JSON and is not): its status says it
                reason = f"Discord answered {status}{where} ({type(exc).__name__} reading the answer)"
                mapped = RetryLater(reason) if status == 429 or status >= 500 else PermanentFailure(reason)
            if mapped is exc:
                raise
            raise mapped from None


async def apply_change(request, outcome, gone: str) -> None:
    """Await a message edit or delete (webhook or channel): a 2xx is success whatever follows,
    a 404 raises `MessageGone(gone + Discord's text)`, anything else what `outcome(exc, "the
    edit")` maps it to for the ledger."""
    import discord

    from almanac.posting import MessageGone

    with answers() as statuses:
        try:
            await request
        except Exception as exc:
            if answered_2xx(statuses):
                return
            if isinstance(exc, discord.NotFound):
                raise MessageGone(f"{gone} ({exc.text or 'not found'})") from None
            mapped = outcome(exc, "the edit")
            if mapped is exc:
                raise
            raise mapped from None
