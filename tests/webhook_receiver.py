"""A small stand-in for Discord's webhook endpoint, on 127.0.0.1 (port 0).

It records every POST to /api/v10/webhooks/{id}/{token} and answers as
Discord does with `?wait=true` (the created message, with an id). Tests
script failures: `script` is a list of responses for the next requests
("429via": a rate limit with the `Via` header discord.py retries inline,
"429": one without it (discord.py raises), "500", "404", "hold": never
answer (until `release()`), "garbled": deliver, then answer 200 with a body
that is not JSON, "stall": take the request in but never process it (not
delivered; no answer until `release()`, then a 500), "400echo": a 400 whose
message quotes the request path (token and all), "400garbled": a 400 whose
body says JSON and is not, "ok"); after the script it answers "ok".
`delay` slows every answer down, to give a test time to kill a poster mid-run.

Edits and deletes of the messages it created (PATCH and DELETE on
/webhooks/{id}/{token}/messages/{message_id}) follow `edit_script` the same
way ("hold": applied, answered only after `release()`; "stall": not applied,
a 500 after `release()`; "429", "500", "404"). `messages` holds what each
message shows now, and `versions` every distinct content a message has had,
so a test can tell an edit that changed a message from one that repeated it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from dataclasses import dataclass

from aiohttp import web

WEBHOOK_ID = "123456789012345678"
TOKEN = "t" * 68


def webhook_url(webhook_id: str = WEBHOOK_ID, token: str = TOKEN) -> str:
    return f"https://discord.com/api/webhooks/{webhook_id}/{token}"


@dataclass
class Received:
    webhook_id: str
    query: dict
    body: dict
    answered: str
    method: str = "POST"
    message_id: str | None = None

    @property
    def embed(self) -> dict:
        return self.body["embeds"][0]


class WebhookReceiver:
    def __init__(self, script: list[str] | None = None, delay: float = 0.0, retry_after: float = 0.05):
        self.script = list(script or [])
        self.delay = delay
        self.retry_after = retry_after
        self.requests: list[Received] = []  # every request, failures included
        self.delivered: list[Received] = []  # those answered with a message
        self.edit_script: list[str] = []
        self.edits: list[Received] = []  # every PATCH and DELETE of a message, failures included
        self.messages: dict[str, dict] = {}  # message id -> the message as it is now (deleted ones removed)
        self.versions: dict[str, list[list]] = {}  # message id -> each distinct list of embeds it showed
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    async def __aenter__(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/api/v10/webhooks/{id}/{token}", self._execute)
        app.router.add_patch("/api/v10/webhooks/{id}/{token}/messages/{message}", self._change)
        app.router.add_delete("/api/v10/webhooks/{id}/{token}/messages/{message}", self._change)
        self._runner = web.AppRunner(app, access_log=None)  # Discord's logs, not ours: they show the token
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self._release.set()
        await self._runner.cleanup()

    def release(self) -> None:
        self._release.set()

    async def wait_for(self, predicate, timeout: float = 20.0) -> None:
        async def poll():
            while not predicate():
                await asyncio.sleep(0.02)
        await asyncio.wait_for(poll(), timeout)

    def titles(self) -> list[str]:
        return [r.embed["title"] for r in self.delivered]

    async def _execute(self, request: web.Request) -> web.StreamResponse:
        body = json.loads(await request.read())
        action = self.script.pop(0) if self.script else "ok"
        record = Received(request.match_info["id"], dict(request.query), body, action)
        self.requests.append(record)
        if self.delay:
            await asyncio.sleep(self.delay)
        if action == "drop":
            # The post arrived, but the connection is cut before any answer: the
            # sender cannot tell whether it was delivered.
            self.delivered.append(record)
            request.transport.close()
            return web.Response(status=200)
        if action == "hold":
            await self._release.wait()
            action = "ok"
        if action == "stall":  # lost on the way in: Discord never sees it
            await self._release.wait()
            return _json({"message": "500: Internal Server Error", "code": 0}, 500)
        if action == "garbled":  # the message is created; its JSON is cut short
            self.delivered.append(record)
            return web.Response(body=json.dumps(self._message(record)).encode()[:40], status=200,
                                headers={"Content-Type": "application/json"})
        if action.startswith("429"):
            headers = {"Retry-After": str(self.retry_after), "X-RateLimit-Scope": "user"}
            if action == "429via":
                headers["Via"] = "1.1 google"
            return _json({"message": "You are being rate limited.", "retry_after": self.retry_after,
                          "global": False}, 429, headers)
        if action == "500":
            return _json({"message": "500: Internal Server Error", "code": 0}, 500)
        if action == "400echo":  # a proxy's error page quoting the request path, token and all
            return _json({"message": f"bad request at {request.path_qs}", "code": 0}, 400)
        if action == "400garbled":  # a refusal whose body says JSON and is not
            return web.Response(body=b'{"message": "bad', status=400, headers={"Content-Type": "application/json"})
        if action == "404":
            return _json({"message": "Unknown Webhook", "code": 10015}, 404)
        self.delivered.append(record)
        return _json(self._message(record), 200)

    async def _change(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else {}
        action = self.edit_script.pop(0) if self.edit_script else "ok"
        message_id = request.match_info["message"]
        record = Received(request.match_info["id"], dict(request.query), body, action, request.method, message_id)
        self.edits.append(record)
        if self.delay:
            await asyncio.sleep(self.delay)
        if action == "stall":
            await self._release.wait()
            return _json({"message": "500: Internal Server Error", "code": 0}, 500)
        if action.startswith("429"):
            headers = {"Retry-After": str(self.retry_after), "X-RateLimit-Scope": "user"}
            return _json({"message": "You are being rate limited.", "retry_after": self.retry_after,
                          "global": False}, 429, headers)
        if action == "500":
            return _json({"message": "500: Internal Server Error", "code": 0}, 500)
        message = self.messages.get(message_id)
        if action == "404" or message is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        if request.method == "DELETE":
            del self.messages[message_id]
            self.versions[message_id].append(["deleted"])
            answer = web.Response(status=204)
        else:
            if "embeds" in body and body["embeds"] != message["embeds"]:
                message["embeds"] = body["embeds"]
                self.versions[message_id].append(body["embeds"])
            message["edited_timestamp"] = dt.datetime.now(dt.timezone.utc).isoformat()
            answer = _json(message, 200)
        if action == "hold":  # applied; the answer waits
            await self._release.wait()
        return answer

    def _message(self, record: Received) -> dict:
        message = self._new_message(record)
        self.messages[message["id"]] = message
        self.versions[message["id"]] = [message["embeds"]]
        return message

    def _new_message(self, record: Received) -> dict:
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        return {
            "id": str(next(self._ids)), "channel_id": "223456789012345678", "type": 0, "content": "",
            "author": {"id": record.webhook_id, "username": record.body.get("username", "hook"),
                       "discriminator": "0000", "avatar": None, "bot": True},
            "embeds": record.body.get("embeds", []), "attachments": [], "mentions": [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": now,
            "edited_timestamp": None, "flags": 0, "webhook_id": record.webhook_id, "components": [],
        }


def _json(data, status: int, headers: dict | None = None) -> web.Response:
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response
