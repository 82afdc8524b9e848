"""A JSON file: a list of objects with the front-matter fields plus `summary`.

    [{"title": "Jitsu", "date": "2015-05", "kind": "paper", "summary": "..."}]

Each object is decoded on its own (json.JSONDecoder.raw_decode) so a problem
can name the line its object starts on.
"""

from __future__ import annotations

import json

from almanac.entry import Entry
from almanac.sources.fields import entry_from_fields
from almanac.sources.problems import Problem, SourceError, read_text

_decoder = json.JSONDecoder()


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def read_json_list(path: str) -> list[Entry]:
    text = read_text(path)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError([Problem(path, exc.lineno, "json", exc.msg)]) from None
    i = _skip_space(text, 0)
    if text[i] != "[":
        raise SourceError([Problem(path, _line_of(text, i), "json", "expected a list of entry objects")])
    i = _skip_space(text, i + 1)
    problems: list[Problem] = []
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    while text[i] != "]":
        line = _line_of(text, i)
        value, i = _decoder.raw_decode(text, i)
        i = _skip_space(text, i)
        if text[i] == ",":
            i = _skip_space(text, i + 1)
        if not isinstance(value, dict):
            problems.append(Problem(path, line, "entry", "must be an object with title, date and summary"))
            continue
        key = json.dumps(value, sort_keys=True)
        if key in seen:
            problems.append(Problem(path, line, "entry", f"repeats the entry at line {seen[key]} word for word; delete one"))
            continue
        seen[key] = line
        entry, found = entry_from_fields(value, path, line)
        problems.extend(found)
        if entry is not None:
            if not entry.summary:
                problems.append(Problem(path, line, "summary", "missing"))
            else:
                entries.append(entry)
    if not entries and not problems:
        raise SourceError([Problem(path, 1, "json", "the list is empty")])
    if problems:
        raise SourceError(problems)
    return entries
