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


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[schedule]\ntimezone = 'Mars/Olympus'\n", "[schedule] timezone: unknown timezone 'Mars/Olympus' (use an IANA name like 'Europe/London')"),
        ("[schedule]\nrefresh_minutes = 'often'\n", "[schedule] refresh_minutes: expected a whole number, got str 'often'"),
        ("[site]\nfeed_limit = true\n", "[site] feed_limit: expected a whole number, got bool True"),
        ("[archive]\nsources = 'data/entries.txt'\n", "[archive] sources: expected a list of strings, got str 'data/entries.txt'"),
        ("[site]\ncolour = 'blue'\n", "[site] colour: unknown key (known: author, base_url, description, feed_limit, out_dir, title)"),
        ("[sight]\ntitle = 'x'\n", "[sight]: unknown section (known: archive, search, site, server, schedule, anniversaries, webhooks, bot)"),
        ("[schedule]\nanniversary_time = '9am'\n", "[schedule] anniversary_time: '9am' is not HH:MM"),
        ("[site]\nbase_url = 'example.org'\n", "[site] base_url: must start with http:// or https://"),
        ("title = 'x'\n", "title: unknown top-level key (options live in sections: archive, search, site, server, schedule, anniversaries, webhooks, bot)"),
    ],
)
def test_bad_config_is_one_line_naming_the_key_and_exits_2(tmp_path, capsys, toml, message):
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(info.value) in (f"{path}: {message}",)
    assert main(["--config", str(path), "list"]) == 2
    err = capsys.readouterr().err
    assert err == f"almanac: {path}: {message}\n"


def test_invalid_toml(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[site\n")
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(info.value).startswith(f"{path}: not valid TOML (")


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
