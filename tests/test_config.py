"""Configuration: the example file equals the defaults; every problem is one line naming the key."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from almanac.cli import main
from almanac.config import Config, ConfigError, Secrets, config_from_dict, load_config
from tests.conftest import REPO


def test_example_config_documents_exactly_the_defaults():
    with open(REPO / "config.example.toml", "rb") as fh:
        data = tomllib.load(fh)
    loaded = config_from_dict(data, str(REPO / "config.example.toml"))
    defaults = Config()
    for section in dataclasses.fields(Config):
        if section.name in ("base_dir", "origin"):
            continue
        assert getattr(loaded, section.name) == getattr(defaults, section.name), section.name
        documented = set(data.get(section.name, {}))
        known = {f.name for f in dataclasses.fields(getattr(defaults, section.name))}
        assert documented == known, f"[{section.name}] in config.example.toml differs from the defaults"
    text = (REPO / "config.example.toml").read_text()
    for line_number, line in enumerate(text.splitlines()):
        if "=" in line and not line.startswith("#"):
            # A comment sits above each option or above the group it belongs to.
            previous = text.splitlines()[line_number - 1]
            assert previous.startswith("#") or ("=" in previous), f"option without a comment: {line}"


def test_the_default_strictness_is_the_fitted_one():
    """`[search] strictness` defaults to what the decision was fitted with (bench/search.py --fit
    chooses it; tests/test_search_quality.py checks the fit): a refit that moves it must move this."""
    from almanac.search.searcher import DEFAULT_STRICTNESS

    assert Config().search.strictness == DEFAULT_STRICTNESS


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[schedule]\ntimezone = 'Mars/Olympus'\n", "[schedule] timezone: unknown timezone 'Mars/Olympus' (use an IANA name like 'Europe/London')"),
        ("[schedule]\nrefresh_minutes = 'often'\n", "[schedule] refresh_minutes: expected a whole number, got str 'often'"),
        ("[site]\nfeed_limit = true\n", "[site] feed_limit: expected a whole number, got bool True"),
        ("[archive]\nsources = 'data/entries.txt'\n", "[archive] sources: expected a list of strings, got str 'data/entries.txt'"),
        ("[site]\ncolour = 'blue'\n", "[site] colour: unknown key (known: author, base_url, description, feed_limit, out_dir, title)"),
        ("[sight]\ntitle = 'x'\n", "[sight]: unknown section (known: archive, search, site, server, schedule, anniversaries, posts, webhooks, bot)"),
        ("[schedule]\nanniversary_time = '9am'\n", "[schedule] anniversary_time: '9am' is not HH:MM"),
        ("[site]\nbase_url = 'example.org'\n", "[site] base_url: must start with http:// or https://"),
        ("title = 'x'\n", "title: unknown top-level key (options live in sections: archive, search, site, server, schedule, anniversaries, posts, webhooks, bot)"),
        # Numbers out of range: never an OverflowError later.
        ("[schedule]\nrefresh_minutes = 99999999999999\n", "[schedule] refresh_minutes: must be from 1 to 525600, got 99999999999999"),
        ("[anniversaries]\ncatch_up_days = 99999999999\n", "[anniversaries] catch_up_days: must be from 0 to 365, got 99999999999"),
        ("[server]\nport = 70000\n", "[server] port: must be from 0 to 65535, got 70000"),
        ("[posts]\nedit_days = -1\n", "[posts] edit_days: must be from 0 to 3650, got -1"),
        ("[posts]\non_removed = 'withdraw'\n", "[posts] on_removed: must be one of 'edit', 'delete', 'keep', got 'withdraw'"),
        ("[site]\nfeed_limit = 0\n", "[site] feed_limit: must be from 1 to 100000, got 0"),
        ("[search]\nlimit = 99999999999999999999\n", "[search] limit: must be from 1 to 10000, got 99999999999999999999"),
        ("[bot]\ncooldown_seconds = inf\n", "[bot] cooldown_seconds: must be from 0 to 86400, got inf"),
        ("[bot]\ncooldown_seconds = nan\n", "[bot] cooldown_seconds: must be from 0 to 86400, got nan"),
        ("[archive]\nmax_source_mb = 0\n", "[archive] max_source_mb: must be from 0.001 to 10240, got 0.0"),
        ("[archive]\nfetch_timeout_seconds = -1\n", "[archive] fetch_timeout_seconds: must be from 0.1 to 3600, got -1.0"),
        ("[schedule]\nrefresh_minutes = " + "9" * 60 + "\n", "[schedule] refresh_minutes: must be from 1 to 525600, got 9999999999999999999999999999999999999..."),
        # Addresses and times that would be accepted and then misbehave.
        ("[site]\nbase_url = 'http://'\n", "[site] base_url: 'http://' has no host (e.g. https://example.org/)"),
        ("[site]\nbase_url = 'https://:8080/'\n", "[site] base_url: 'https://:8080/' has no host (e.g. https://example.org/)"),
        ("[site]\nbase_url = 'https://exa mple.org/'\n", "[site] base_url: 'https://exa mple.org/' contains spaces or control characters"),
        ("[site]\nbase_url = 'https://example.org:99999/'\n", "[site] base_url: 'https://example.org:99999/' has a port that is not 1-65535"),
        # brackets the URL parser cannot read: a traceback before
        ("[site]\nbase_url = 'http://[::1'\n", "[site] base_url: 'http://[::1' is not a URL that can be read (check its brackets)"),
        ("[site]\nbase_url = 'https://[example.org]/'\n",
         "[site] base_url: 'https://[example.org]/' is not a URL that can be read (check its brackets)"),
        ("[site]\nbase_url = 'https://example.org/?page=1'\n", "[site] base_url: 'https://example.org/?page=1' must not have a query or fragment (links are added after it)"),
        ("[schedule]\nanniversary_time = '09:00+02:00'\n", "[schedule] anniversary_time: '09:00+02:00' has a UTC offset; give the local time as HH:MM (the zone is [schedule] timezone)"),
        ("[schedule]\nanniversary_time = '09:00Z'\n", "[schedule] anniversary_time: '09:00Z' has a UTC offset; give the local time as HH:MM (the zone is [schedule] timezone)"),
        ("[schedule]\nanniversary_time = '24:00'\n", "[schedule] anniversary_time: '24:00' is not HH:MM"),
        ("[schedule]\nanniversary_time = '09:00:30'\n", "[schedule] anniversary_time: '09:00:30' is not HH:MM"),
    ],
)
def test_bad_config_is_one_line_naming_the_file_line_and_key_and_exits_2(tmp_path, capsys, toml, message):
    path = tmp_path / "config.toml"
    # Each case sets its key on line 2, under its [section] header; a bad header or top-level key is line 1.
    line = 2 if toml.startswith("[") and not message.startswith("[sight]") else 1
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(info.value) == f"{path}:{line}: {message}"
    assert main(["--config", str(path), "list"]) == 2
    err = capsys.readouterr().err
    assert err == f"almanac: {path}:{line}: {message}\n"


def test_the_line_is_found_among_comments_blank_lines_and_other_sections(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('# mine\n[site]\ntitle = "x"\n\n[schedule]  # when\ntimezone = "UTC"\n"refresh_minutes" = 0\n')
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(info.value) == f"{path}:7: [schedule] refresh_minutes: must be from 1 to 525600, got 0"


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"[site]\ntitle = 'x'\n[bad\n", "3: not valid TOML: Expected ']' at the end of a table declaration (column 5)"),
        (b"[site]\ntitle = ", "2: not valid TOML: Invalid value (at the end of the file)"),
        (b"[site]\ntitle = 'caf\xe9'\n", "2: not UTF-8 (byte 0xe9); save the file as UTF-8"),
        (b"\xff\xfe[\x00s\x00", "1: not UTF-8 (byte 0xff); save the file as UTF-8"),
        (b"[site]\nfeed_limit = " + b"9" * 5000 + b"\n", " not valid TOML: a number with more than 4300 digits"),
        (b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", " not valid TOML: arrays or tables nested too deeply"),
    ],
    ids=["toml-line", "toml-end", "latin-1", "utf-16", "huge-number", "deep"],
)
def test_an_unreadable_config_is_one_line_naming_the_file_and_line(tmp_path, capsys, raw, message):
    path = tmp_path / "config.toml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(info.value) == f"{path}:{message}"
    assert main(["--config", str(path), "list"]) == 2
    assert capsys.readouterr().err == f"almanac: {path}:{message}\n"


def test_every_number_has_a_range_documented_in_the_example_and_the_readme():
    """A numeric option without bounds is how `refresh_minutes = 99999999999999` became an OverflowError."""
    example = (REPO / "config.example.toml").read_text().splitlines()
    readme = (REPO / "README.md").read_text()
    defaults = Config()
    for section in dataclasses.fields(Config):
        values = getattr(defaults, section.name)
        if not dataclasses.is_dataclass(values):
            continue
        for f in dataclasses.fields(values):
            if f.type not in ("int", "float", int, float):
                continue
            assert "range" in f.metadata, f"[{section.name}] {f.name} has no range"
            low, high = f.metadata["range"]
            said = f"{low} to {high}"
            line = next(i for i, text in enumerate(example) if text.startswith(f"{f.name} = "))
            comment = " ".join(text for text in example[max(0, line - 3):line] if text.startswith("#"))
            assert said in comment, f"config.example.toml does not give the range of {f.name}"
            row = next(text for text in readme.splitlines() if text.startswith(f"| `[{section.name}] ") and f.name in text)
            assert said in row, f"the README does not give the range of [{section.name}] {f.name}"


def test_reader_bounds_are_kept_on_the_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[archive]\nmax_source_mb = 0.5\nfetch_timeout_seconds = 2\n")
    config = load_config(str(path))
    assert (config.archive.max_source_mb, config.archive.fetch_timeout_seconds) == (0.5, 2.0)
    assert (Config().archive.max_source_mb, Config().archive.fetch_timeout_seconds) == (50.0, 60.0)


def test_config_toml_in_the_working_directory_is_found(tmp_path, capsys):
    (tmp_path / "config.toml").write_text("[schedule]\ntimezone = 'Nowhere/Land'\n")
    assert main(["list"]) == 2
    assert "Nowhere/Land" in capsys.readouterr().err


def test_secrets_come_from_the_environment_and_never_print():
    secrets = Secrets.from_env({"DISCORD_TOKEN": "tok.en.value", "ALMANAC_WEBHOOK_URLS": "https://a/x, https://b/y"})
    assert secrets.discord_token == "tok.en.value"
    assert secrets.webhook_urls == ("https://a/x", "https://b/y")
    assert "tok.en" not in repr(secrets) and "https://a" not in repr(secrets)
    assert Secrets.from_env({}).discord_token is None


def test_the_app_never_shows_secrets_in_its_repr(tmp_path):
    from almanac.app import App

    env = {"DISCORD_TOKEN": "tok.en.SECRET", "ALMANAC_WEBHOOK_URLS": "https://discord.com/api/webhooks/1/HOOKSECRET",
           "ALMANAC_DB": str(tmp_path / "a.db")}
    app = App.build(Config(), env)
    assert app.secrets.discord_token == "tok.en.SECRET"
    assert "SECRET" not in repr(app)


@pytest.mark.parametrize("env, said", [
    ({"ALMANAC_DISCORD_GATEWAY": "ws://[::1"}, "ALMANAC_DISCORD_GATEWAY: 'ws://[::1' is not a URL with a host"),
    ({"ALMANAC_DISCORD_API_BASE": "http://[x/api"}, "ALMANAC_DISCORD_API_BASE: 'http://[x/api' is not a URL with"),
    ({"ALMANAC_DISCORD_GATEWAY": "wss://"}, "ALMANAC_DISCORD_GATEWAY: 'wss://' is not a URL with a host"),
])
def test_a_discord_endpoint_that_cannot_be_read_is_a_usage_error(env, said):
    """A bracket the URL parser cannot read in $ALMANAC_DISCORD_GATEWAY was a traceback from yarl
    where the bot first used it; it is a one-line usage error, as a wrong scheme is."""
    from almanac.commands import UsageError, discord_endpoints

    with pytest.raises(UsageError) as info:
        discord_endpoints(env)
    assert str(info.value).startswith(said)
    assert discord_endpoints({"ALMANAC_DISCORD_GATEWAY": "ws://127.0.0.1:9/"}) == (None, "ws://127.0.0.1:9/")
