"""The README keeps its promises: two set-up commands first, every option and command documented."""

from __future__ import annotations

import re
import tomllib

from almanac.cli import build_parser
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_exactly_the_two_setup_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    assert README.index("```sh") < README.index("\n## ")


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_every_config_option_is_in_the_readme():
    with open(REPO / "config.example.toml", "rb") as fh:
        config = tomllib.load(fh)
    for section, options in config.items():
        for key in options:
            assert re.search(rf"`\[{section}\] [^`]*\b{key}\b|\[{section}\][^|\n]*`{key}`", README), f"[{section}] {key}"


def test_every_command_is_in_the_readme():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"almanac {name}" in README, name


def test_procfile_names_the_web_and_worker_processes():
    lines = (REPO / "Procfile").read_text().splitlines()
    assert "release: almanac migrate" in lines
    assert "web: almanac serve --host 0.0.0.0 --port $PORT" in lines
    assert "worker: almanac bot" in lines


def test_readme_links_point_at_files_that_exist():
    for target in re.findall(r"\]\(((?!http)[^)#]+)\)", README):
        assert (REPO / target).exists(), target
    for path in re.findall(r"`((?:tests|bench|docs)/[\w./]+\.\w+)`", README):
        assert (REPO / path).exists(), path
    for path in re.findall(r"(bench/\w+\.py|tests/\w+\.py)", README):
        assert (REPO / path).exists(), path
