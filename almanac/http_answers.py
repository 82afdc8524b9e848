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
    """An aiohttp trace for a ClientSession (or discord.py's `http_trace=`) that notes response statuses."""
    trace = aiohttp.TraceConfig()

    async def on_request_end(session, context, params) -> None:
        statuses = _statuses.get()
        if statuses is not None:
            statuses.append(params.response.status)

    trace.on_request_end.append(on_request_end)
    return trace


@contextlib.contextmanager
def answers() -> Iterator[list[int]]:
    """The statuses of the responses received in this block (in this task), in order."""
    statuses: list[int] = []
    token = _statuses.set(statuses)
    try:
        yield statuses
    finally:
        _statuses.reset(token)


def answered_2xx(statuses: list[int]) -> int | None:
    """The 2xx status among `statuses`, if the receiver accepted the request."""
    return next((s for s in statuses if 200 <= s < 300), None)


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
