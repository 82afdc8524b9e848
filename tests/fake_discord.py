"""A fake Discord: just enough REST API v10 and gateway for the unmodified discord.py client.

The bot under test is the real `discord.Client`; only the far end is fake.
`FakeDiscord` is an aiohttp server on 127.0.0.1 (port 0). `patch()` points
discord.py at it through the two class attributes the library reads
(`discord.http.Route.BASE`, `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`).

What it speaks (facts learned from discord.py 2.7's source):
- login: `GET /users/@me`, `GET /oauth2/applications/@me` (with
  `interactions_endpoint_url: null`, or the library warns it gets no interactions);
- JSON answers carry `Content-Type: application/json` exactly;
- gateway: HELLO, heartbeat ACKs, IDENTIFY -> READY (guilds unavailable) ->
  GUILD_CREATE, op 8 -> an empty member chunk; a sharded IDENTIFY (`shard:
  [id, count]`) gets the guild and its events only if the guild is on that
  shard (`(guild_id >> 22) % count == id`), as Discord routes them;
- command sync: `PUT /applications/{app}/commands` and `.../guilds/{g}/commands`;
  the fake keeps what was synced and builds interactions from it, so a test
  invoking an option the bot never declared fails here, as on Discord;
- interaction callbacks, followups, `@original` edits (no Authorization header);
- channel messages (created, edited with PATCH, deleted) and `GET /channels/{id}`;
- a channel deleted (`delete_channel`: CHANNEL_DELETE, then 404 code 10003) and
  the bot removed from the guild (`remove_guild`: GUILD_DELETE);
- uploads: multipart bodies (`payload_json` plus files) are read like JSON ones,
  the files kept under "_files" (bytes included) and shown as the message's
  `attachments`;
- injected failures (`fail_next`), e.g. a 429 with a `Via` header and
  `retry_after`, the shape the library needs to retry rather than give up.

Every request is captured (`requests`) so tests can assert on payloads such as
`allowed_mentions`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Callable

import discord
import yarl
from aiohttp import WSMsgType, web

APP_ID = 900000000000000001
BOT_ID = 900000000000000002
GUILD_ID = 900000000000000003
CHANNEL_ID = 900000000000000004
OTHER_CHANNEL_ID = 900000000000000005
OWNER_ID = 900000000000000006
MEMBER_ID = 900000000000000007

#: Permission bits used in member payloads.
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 31)  # view, send, embed links, use app commands
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD


#: Where the capture middleware leaves the parsed JSON body for the handlers.
JSON_BODY = web.RequestKey("json_body", object)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def parse_multipart(raw: bytes, content_type: str) -> dict:
    """An upload (multipart/form-data): its `payload_json` as the body, the files under "_files"."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    body: dict = {}
    files = []
    for part in message.iter_parts():
        data = part.get_payload(decode=True)
        if part.get_param("name", header="content-disposition") == "payload_json":
            body = json.loads(data)
        else:
            files.append({"filename": part.get_filename(), "content_type": part.get_content_type(), "data": data})
    body["_files"] = files
    return body


def json_response(data: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    """JSON with `Content-Type: application/json` exactly (no charset suffix)."""
    body = b"" if data is None else json.dumps(data).encode()
    response = web.Response(body=body, status=status, headers=headers or {})
    response.headers["Content-Type"] = "application/json"
    return response


@dataclass
class Captured:
    method: str
    path: str
    query: dict
    headers: dict
    json: Any


@dataclass
class FakeInteraction:
    """One interaction sent to the bot and everything the bot answered to it."""

    id: int
    token: str
    type: int
    payload: dict
    #: (kind, data): ("callback", {...}), ("followup", message), ("edit", message)
    replies: list = field(default_factory=list)
    #: The message that stands for the original response, once there is one.
    original: dict | None = None
    #: perf_counter() when the interaction was dispatched, and at each reply (for benchmarks).
    sent_at: float = 0.0
    reply_times: list = field(default_factory=list)

    @property
    def callback(self) -> dict | None:
        return next((d for k, d in self.replies if k == "callback"), None)

    def messages(self) -> list[dict]:
        """Visible messages: the original response (latest version) then followups."""
        out = [self.original] if self.original and (self.original.get("embeds") or self.original.get("content")) else []
        return out + [d for k, d in self.replies if k == "followup"]


class FakeDiscord:
    """The fake server. Use `async with FakeDiscord() as fake:`; then `fake.patch()`."""

    def __init__(self, *, heartbeat_interval_ms: int = 45_000, token: str | None = None):
        self.heartbeat_interval_ms = heartbeat_interval_ms
        #: When set, only `Bot <token>` may log in (else any token is accepted).
        self.token = token
        self.requests: list[Captured] = []
        self.global_commands: list[dict] = []
        self.guild_commands: dict[int, list[dict]] = {}
        self.channel_messages: dict[int, list[dict]] = {CHANNEL_ID: [], OTHER_CHANNEL_ID: []}
        self.interactions: dict[str, FakeInteraction] = {}
        self.identified = asyncio.Event()
        #: The `shard` of every IDENTIFY, in order ([0, 1] when the client did not shard).
        self.identified_shards: list[list[int]] = []
        self._shard_of: dict[web.WebSocketResponse, list[int]] = {}
        self.closed_sockets = 0
        self.resumes = 0
        self._failures: list[tuple[str, re.Pattern, int, dict, dict]] = []
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self._seq = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.gateway_url = ""

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(middlewares=[self._capture])
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get("/api/v10/users/@me", self._me)
        r.add_get("/api/v10/oauth2/applications/@me", self._application)
        r.add_get("/api/v10/gateway", self._get_gateway)
        r.add_put(r"/api/v10/applications/{app}/commands", self._put_commands)
        r.add_put(r"/api/v10/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r.add_get(r"/api/v10/applications/{app}/commands", self._get_commands)
        r.add_post(r"/api/v10/interactions/{id}/{token}/callback", self._callback)
        r.add_post(r"/api/v10/webhooks/{app}/{token}", self._followup)
        r.add_patch(r"/api/v10/webhooks/{app}/{token}/messages/{message}", self._edit)
        r.add_get(r"/api/v10/webhooks/{app}/{token}/messages/{message}", self._get_webhook_message)
        r.add_delete(r"/api/v10/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message)
        r.add_get(r"/api/v10/channels/{channel}", self._get_channel)
        r.add_post(r"/api/v10/channels/{channel}/messages", self._channel_message)
        r.add_patch(r"/api/v10/channels/{channel}/messages/{message}", self._edit_channel_message)
        r.add_delete(r"/api/v10/channels/{channel}/messages/{message}", self._delete_channel_message)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/api/v10"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"

    async def stop(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        if self._runner:
            await self._runner.cleanup()

    def patch(self) -> Callable[[], None]:
        """Point discord.py at this server; returns a function that undoes it."""
        old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

        def undo() -> None:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

        return undo

    # ------------------------------------------------------------------ test controls

    def fail_next(self, method: str, path_regex: str, status: int = 429, body: dict | None = None,
                  headers: dict | None = None, times: int = 1) -> None:
        """Answer the next `times` matching requests with `status` (default: a proper 429)."""
        if body is None and status == 429:
            body = {"message": "You are being rate limited.", "retry_after": 0.05, "global": False}
        if headers is None and status == 429:
            headers = {"Via": "1.1 google", "X-RateLimit-Scope": "user"}
        for _ in range(times):
            self._failures.append((method, re.compile(path_regex), status, body or {}, headers or {}))

    def requests_to(self, method: str, path_regex: str) -> list[Captured]:
        pattern = re.compile(path_regex)
        return [c for c in self.requests if c.method == method and pattern.search(c.path)]

    def command(self, name: str) -> dict:
        """The synced definition of a command (guild commands first)."""
        for cmd in itertools.chain(*self.guild_commands.values(), self.global_commands):
            if cmd["name"] == name:
                return cmd
        raise AssertionError(f"command /{name} was never synced (synced: {self.command_names()})")

    def command_names(self) -> list[str]:
        return sorted({c["name"] for c in itertools.chain(*self.guild_commands.values(), self.global_commands)})

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy (re-checked whenever the bot sends something)."""
        async def waiter():
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
                return value
        return await asyncio.wait_for(waiter(), timeout)

    async def invoke(self, name: str, options: dict | None = None, *, user_id: int = MEMBER_ID,
                     permissions: int = MEMBER_PERMISSIONS, resolved: dict | None = None) -> FakeInteraction:
        """Send a slash command interaction built from the synced definition of /name."""
        cmd = self.command(name)
        declared = {o["name"]: o for o in cmd.get("options", [])}
        opts = []
        for key, value in (options or {}).items():
            if key not in declared:
                raise AssertionError(f"/{name} has no option {key!r} (declared: {sorted(declared)})")
            option = declared[key]
            if option.get("choices") and value not in [c["value"] for c in option["choices"]]:
                raise AssertionError(f"/{name} {key}: {value!r} is not one of the choices")
            opts.append({"name": key, "type": option["type"], "value": value})
        missing = [o["name"] for o in declared.values() if o.get("required") and o["name"] not in (options or {})]
        if missing:
            raise AssertionError(f"/{name}: required options missing: {missing}")
        data = {"id": cmd["id"], "name": name, "type": 1, "options": opts}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return await self._send_interaction(2, data, user_id=user_id, permissions=permissions)

    async def autocomplete(self, name: str, option: str, value: str, *, user_id: int = MEMBER_ID) -> list[dict]:
        """Send an autocomplete interaction; return the choices the bot offered."""
        cmd = self.command(name)
        declared = {o["name"]: o for o in cmd.get("options", [])}
        assert declared.get(option, {}).get("autocomplete"), f"/{name} {option} is not an autocomplete option"
        data = {
            "id": cmd["id"], "name": name, "type": 1,
            "options": [{"name": option, "type": declared[option]["type"], "value": value, "focused": True}],
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        ix = await self._send_interaction(4, data, user_id=user_id)
        await self.wait_until(lambda: ix.callback)
        assert ix.callback["type"] == 8, ix.callback
        return ix.callback["data"]["choices"]

    async def click(self, message: dict, custom_id: str, *, user_id: int = MEMBER_ID) -> FakeInteraction:
        """Click the button `custom_id` on `message` (which must carry it)."""
        ids = [c.get("custom_id") for row in message.get("components", []) for c in row.get("components", [])]
        assert custom_id in ids, f"no button {custom_id!r} on the message (has {ids})"
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._send_interaction(3, data, user_id=user_id, message=message)

    async def reply(self, ix: FakeInteraction, timeout: float = 10.0, count: int = 1) -> list[dict]:
        """Wait for the bot's visible answer(s) to `ix` and return them."""
        await self.wait_until(lambda: len(ix.messages()) >= count, timeout)
        return ix.messages()

    def custom_ids(self, message: dict) -> list[str]:
        return [c.get("custom_id") for row in message.get("components", []) for c in row.get("components", [])]

    async def disconnect_all(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=4000)

    async def delete_channel(self, channel_id: int) -> None:
        """A member deletes a channel: REST answers 404 Unknown Channel for it, the gateway says CHANNEL_DELETE."""
        self.channel_messages.pop(channel_id, None)
        await self.dispatch("CHANNEL_DELETE", self.channel(channel_id))

    async def remove_guild(self, *, unavailable: bool = False) -> None:
        """GUILD_DELETE: the bot was removed from the guild, or (`unavailable`) the guild is in an outage."""
        await self.dispatch("GUILD_DELETE", {"id": str(GUILD_ID), **({"unavailable": True} if unavailable else {})})

    # ------------------------------------------------------------------ payloads

    def user(self, user_id: int) -> dict:
        name = {BOT_ID: "almanac", OWNER_ID: "owner"}.get(user_id, f"member{user_id % 1000}")
        return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": None,
                "avatar": None, "bot": user_id == BOT_ID, "public_flags": 0, "flags": 0}

    def member(self, user_id: int, permissions: int) -> dict:
        return {"user": self.user(user_id), "roles": [], "joined_at": _now(), "deaf": False, "mute": False,
                "flags": 0, "permissions": str(permissions), "nick": None, "avatar": None}

    def channel(self, channel_id: int) -> dict:
        return {"id": str(channel_id), "type": 0, "guild_id": str(GUILD_ID), "name": f"channel-{channel_id % 100}",
                "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
                "last_message_id": None, "rate_limit_per_user": 0, "permissions": str(ADMIN_PERMISSIONS)}

    def guild(self) -> dict:
        return {
            "id": str(GUILD_ID), "name": "Fake Guild", "icon": None, "owner_id": str(OWNER_ID),
            "unavailable": False, "member_count": 3, "large": False, "features": [],
            "roles": [{"id": str(GUILD_ID), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS),
                       "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False,
                       "flags": 0}],
            "emojis": [], "stickers": [], "channels": [self.channel(CHANNEL_ID), self.channel(OTHER_CHANNEL_ID)],
            "threads": [], "members": [self.member(BOT_ID, ADMIN_PERMISSIONS)], "voice_states": [],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "mfa_level": 0, "premium_tier": 0, "system_channel_flags": 0, "preferred_locale": "en-US",
            "nsfw_level": 0, "joined_at": _now(),
        }

    def message(self, channel_id: int, body: dict, *, interaction: FakeInteraction | None = None,
                message_id: int | None = None, flags: int = 0) -> dict:
        msg = {
            "id": str(message_id or next(self._ids)), "channel_id": str(channel_id), "guild_id": str(GUILD_ID),
            "type": 20 if interaction and interaction.type == 2 else 0,
            "author": self.user(BOT_ID), "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "attachments": self.attachments(body), "mentions": [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": _now(), "edited_timestamp": None,
            "flags": body.get("flags", flags) or 0, "application_id": str(APP_ID), "webhook_id": str(APP_ID) if interaction else None,
            "nonce": body.get("nonce"),
        }
        return msg

    def attachments(self, body: dict) -> list[dict]:
        return [
            {"id": str(next(self._ids)), "filename": f["filename"], "size": len(f["data"]), "content_type": f["content_type"],
             "url": f"{self.base_url}/attachments/{f['filename']}", "proxy_url": f"{self.base_url}/attachments/{f['filename']}"}
            for f in body.get("_files", [])
        ]

    async def _send_interaction(self, type_: int, data: dict, *, user_id: int, permissions: int = MEMBER_PERMISSIONS,
                                message: dict | None = None) -> FakeInteraction:
        ix_id = next(self._ids)
        token = f"ixtoken{ix_id}"
        payload = {
            "id": str(ix_id), "application_id": str(APP_ID), "type": type_, "data": data, "token": token,
            "version": 1, "guild_id": str(GUILD_ID), "channel_id": str(CHANNEL_ID),
            "channel": {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "channel-4"},
            "member": self.member(user_id, permissions), "app_permissions": str(ADMIN_PERMISSIONS),
            "locale": "en-US", "guild_locale": "en-US", "entitlements": [], "attachment_size_limit": 8_388_608,
            "authorizing_integration_owners": {"0": str(GUILD_ID)}, "context": 0,
        }
        if message is not None:
            payload["message"] = message
        ix = FakeInteraction(ix_id, token, type_, payload, sent_at=time.perf_counter())
        self.interactions[token] = ix
        await self.dispatch("INTERACTION_CREATE", payload)
        return ix

    async def dispatch(self, event: str, data: dict) -> None:
        if not self._sockets:
            await asyncio.wait_for(self.identified.wait(), 10)
        for ws in list(self._sockets):
            if "guild_id" in data and not self._on_shard(ws, int(data["guild_id"])):
                continue
            await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    def _on_shard(self, ws, guild_id: int) -> bool:
        shard_id, count = self._shard_of.get(ws, [0, 1])
        return (guild_id >> 22) % count == shard_id

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ HTTP handlers

    @web.middleware
    async def _capture(self, request: web.Request, handler):
        body = None
        if request.can_read_body:
            raw = await request.read()
            if raw and request.content_type == "application/json":
                body = json.loads(raw)
            elif raw and request.content_type.startswith("multipart/"):
                body = parse_multipart(raw, request.headers["Content-Type"])
        self.requests.append(Captured(request.method, request.path, dict(request.query), dict(request.headers), body))
        request[JSON_BODY] = body
        for i, (method, pattern, status, fbody, fheaders) in enumerate(self._failures):
            if method == request.method and pattern.search(request.path):
                del self._failures[i]
                await self._notify()
                return json_response(fbody, status=status, headers=fheaders)
        response = await handler(request)
        await self._notify()
        return response

    async def _get_gateway(self, request):
        return json_response({"url": self.gateway_url})

    async def _get_commands(self, request):
        return json_response(self.global_commands)

    async def _me(self, request):
        if self.token is not None and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        return json_response(self.user(BOT_ID))

    async def _application(self, request):
        return json_response({
            "id": str(APP_ID), "name": "Almanac", "description": "", "icon": None, "bot_public": True,
            "bot_require_code_grant": False, "owner": self.user(OWNER_ID), "verify_key": "00" * 32,
            "interactions_endpoint_url": None, "flags": 0, "team": None, "summary": "",
            "rpc_origins": [], "tags": [], "redirect_uris": [],
        })

    async def _put_commands(self, request):
        guild = request.match_info.get("guild")
        commands = []
        for body in request[JSON_BODY] or []:
            cmd = dict(body)
            cmd.update({"id": str(next(self._ids)), "application_id": str(APP_ID), "version": "1",
                        "default_member_permissions": body.get("default_member_permissions"), "type": body.get("type", 1)})
            if guild:
                cmd["guild_id"] = guild
            commands.append(cmd)
        if guild:
            self.guild_commands[int(guild)] = commands
        else:
            self.global_commands = commands
        return json_response(commands)

    async def _callback(self, request):
        ix = self.interactions.get(request.match_info["token"])
        if ix is None or str(ix.id) != request.match_info["id"]:
            return json_response({"message": "Unknown interaction", "code": 10062}, status=404)
        if ix.callback is not None:
            return json_response({"message": "Interaction has already been acknowledged.", "code": 40060}, status=400)
        body = request[JSON_BODY] or {}
        ix.replies.append(("callback", body))
        ix.reply_times.append(time.perf_counter())
        kind = body.get("type")
        data = body.get("data") or {}
        response: dict = {"interaction": {"id": str(ix.id), "type": ix.type,
                                          "response_message_loading": kind == 5,
                                          "response_message_ephemeral": bool(data.get("flags", 0) & 64)}}
        if kind in (4, 5):
            ix.original = self.message(CHANNEL_ID, data, interaction=ix)
            response["interaction"]["response_message_id"] = ix.original["id"]
            response["resource"] = {"type": kind, "message": ix.original}
        elif kind == 6 and ix.payload.get("message"):
            ix.original = dict(ix.payload["message"])
        elif kind == 7 and ix.payload.get("message"):
            updated = dict(ix.payload["message"])
            updated.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
            ix.original = updated
            response["resource"] = {"type": kind, "message": updated}
        return json_response(response)

    async def _followup(self, request):
        ix = self.interactions.get(request.match_info["token"])
        if ix is None:
            return json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        body = request[JSON_BODY] or {}
        msg = self.message(CHANNEL_ID, body, interaction=ix)
        ix.replies.append(("followup", msg))
        ix.reply_times.append(time.perf_counter())
        return json_response(msg)

    async def _edit(self, request):
        ix = self.interactions.get(request.match_info["token"])
        if ix is None:
            return json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        body = request[JSON_BODY] or {}
        base = dict(ix.original or self.message(CHANNEL_ID, {}, interaction=ix))
        base.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        ix.original = base
        ix.replies.append(("edit", base))
        ix.reply_times.append(time.perf_counter())
        return json_response(base)

    async def _get_webhook_message(self, request):
        ix = self.interactions.get(request.match_info["token"])
        if ix is None or ix.original is None:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        return json_response(ix.original)

    async def _delete_webhook_message(self, request):
        ix = self.interactions.get(request.match_info["token"])
        if ix is None or ix.original is None:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        ix.replies.append(("delete", ix.original))
        ix.original = None
        return web.Response(status=204)

    async def _get_channel(self, request):
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.channel_messages:
            return json_response({"message": "Unknown Channel", "code": 10003}, status=404)
        return json_response(self.channel(channel_id))

    async def _channel_message(self, request):
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.channel_messages:
            return json_response({"message": "Unknown Channel", "code": 10003}, status=404)
        body = request[JSON_BODY] or {}
        if body.get("enforce_nonce") and body.get("nonce"):
            # Discord answers a repeated nonce (within minutes) with the message it already created.
            for old in self.channel_messages[channel_id]:
                if old.get("nonce") == body["nonce"]:
                    return json_response(old)
        msg = self.message(channel_id, body)
        self.channel_messages[channel_id].append(msg)
        return json_response(msg)

    def _find_channel_message(self, request) -> dict | None:
        messages = self.channel_messages.get(int(request.match_info["channel"]), [])
        return next((m for m in messages if m["id"] == request.match_info["message"]), None)

    async def _edit_channel_message(self, request):
        msg = self._find_channel_message(request)
        if msg is None:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        body = request[JSON_BODY] or {}
        msg.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        msg["edited_timestamp"] = _now()
        return json_response(msg)

    async def _delete_channel_message(self, request):
        msg = self._find_channel_message(request)
        if msg is None:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        self.channel_messages[int(request.match_info["channel"])].remove(msg)
        return web.Response(status=204)

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op = frame.get("op")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif op == 2:
                    await self._identify(ws, frame["d"].get("shard") or [0, 1])
                elif op == 6:  # RESUME after a dropped connection: nothing was missed here
                    self.resumes += 1
                    await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": next(self._seq), "d": {}}))
                    await self._notify()
                elif op == 8:
                    await ws.send_str(json.dumps({"op": 0, "t": "GUILD_MEMBERS_CHUNK", "s": next(self._seq), "d": {
                        "guild_id": str(GUILD_ID), "members": [], "chunk_index": 0, "chunk_count": 1,
                        "nonce": frame["d"].get("nonce")}}))
        finally:
            self._sockets.remove(ws)
            self._shard_of.pop(ws, None)
            self.closed_sockets += 1
        return ws

    async def _identify(self, ws, shard: list[int]) -> None:
        self._shard_of[ws] = shard
        self.identified_shards.append(shard)
        ours = self._on_shard(ws, GUILD_ID)
        ready = {
            "v": 10, "session_id": "fake-session", "resume_gateway_url": self.gateway_url,
            "user": self.user(BOT_ID), "guilds": [{"id": str(GUILD_ID), "unavailable": True}] if ours else [],
            "application": {"id": str(APP_ID), "flags": 0}, "shard": shard, "private_channels": [],
        }
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._seq), "d": ready}))
        if ours:
            await ws.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": self.guild()}))
        self.identified.set()
        await self._notify()


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, client: discord.Client, token: str = "fake-token", reconnect: bool = False):
    """Log `client` in against `fake`, connect it (no reconnects unless asked) and wait until it is ready."""
    undo = fake.patch()
    task = None
    try:
        await client.login(token)
        task = asyncio.create_task(client.connect(reconnect=reconnect))
        await asyncio.wait_for(client.wait_until_ready(), 10)
        yield client
    finally:
        await client.close()
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)
        undo()
