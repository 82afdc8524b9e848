"""A JSON file: a list of objects with the front-matter fields plus `summary`.

    [{"title": "Jitsu", "date": "2015-05", "kind": "paper", "summary": "..."}]

The whole document is checked first (json.loads), so a file cut short or
broken anywhere is a problem and nothing of it is stored. Then each object
is decoded on its own (json.JSONDecoder.raw_decode) so a problem can name the
line its object starts on; line numbers are counted forward from the previous
object, so reading stays linear in the size of the file.
"""

from __future__ import annotations

import json

from almanac.entry import Entry
from almanac.sources.fields import entry_from_fields
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, read_text, value_error_message

_decoder = json.JSONDecoder()


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


class _Lines:
    """Line numbers of increasing offsets into `text`, counted in one forward pass."""

    def __init__(self, text: str):
        self.text, self.offset, self.line = text, 0, 1

    def at(self, index: int) -> int:
        self.line += self.text.count("\n", self.offset, index)
        self.offset = index
        return self.line


def _decode_problem(path: str, line: int, exc: Exception) -> Problem:
    """JSON the decoder refused: a syntax error (with its own line), too deep, or a too-long number."""
    if isinstance(exc, json.JSONDecodeError):
        return Problem(path, exc.lineno, "json", exc.msg)
    if isinstance(exc, RecursionError):
        return Problem(path, line, "json", "nested too deeply")
    return Problem(path, line, "json", value_error_message(exc))


def _check_document(path: str, text: str) -> None:
    """Refuse a document that is not valid JSON as a whole (truncated, broken)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError([_decode_problem(path, exc.lineno, exc)]) from None
    except (RecursionError, ValueError):
        pass  # found again, with the line of its object, by the reading below


def read_json_list(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """Read a JSON list of entry objects (at most `limits.max_bytes`); raise SourceError listing every problem."""
    text = read_text(path, limits)
    _check_document(path, text)
    lines = _Lines(text)
    i = _skip_space(text, 0)
    if text[i] != "[":
        raise SourceError([Problem(path, lines.at(i), "json", "expected a list of entry objects")])
    i = _skip_space(text, i + 1)
    problems: list[Problem] = []
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    while i < len(text) and text[i] != "]":
        line = lines.at(i)
        try:
            value, i = _decoder.raw_decode(text, i)
            key = json.dumps(value, sort_keys=True) if isinstance(value, dict) else None
        except (RecursionError, ValueError) as exc:
            raise SourceError([_decode_problem(path, line, exc)]) from None
        i = _skip_space(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_space(text, i + 1)
        if key is None:
            problems.append(Problem(path, line, "entry", "must be an object with title, date and summary"))
            continue
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
