"""Turn the fields of a front-matter block or a JSON object into an Entry.

Markdown front matter and JSON objects carry the same fields (title, date,
kind, tags, url, id, and summary), so both readers share this validation and
report problems in the same words.
"""

from __future__ import annotations

import datetime as dt

from almanac.entry import DateError, Entry, PartialDate, KINDS, classify, normalise_kind, talk_tags, valid_id
from almanac.sources.problems import Problem
from almanac.sources.reading import clip, fold
from almanac.sources.text import clean_text

FIELDS = ("title", "date", "kind", "tags", "url", "id", "slug", "summary")


def parse_date_value(value: object) -> PartialDate:
    """Dates as YAML/JSON give them: a date, a datetime, an int year or a string."""
    if isinstance(value, dt.datetime):
        return PartialDate.from_date(value.date())
    if isinstance(value, dt.date):
        return PartialDate.from_date(value)
    if isinstance(value, bool):
        raise DateError(f"{value!r} is not a date")
    if isinstance(value, int):
        if value.bit_length() > 64:  # YAML's hex integers have no length limit; f"{value}" would fail
            raise DateError(f"{clip(value)} is not a year")
        return PartialDate(value)
    if isinstance(value, str):
        return PartialDate.parse(clean_text(value))
    raise DateError(f"{clip(value)} is not a date")


def entry_from_fields(
    fields: dict, path: str, line: int, summary: str | None = None
) -> tuple[Entry | None, list[Problem]]:
    """Validate `fields` and build an Entry (id derived later unless explicit).

    Returns the entry (or None) and every problem found. `summary`, when given,
    is the Markdown body and wins over a `summary` field.
    """
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(path, line, field, message))

    unknown = sorted((key for key in fields if key not in FIELDS), key=str)
    for key in unknown:
        bad(clip(key), f"unknown field (expected one of: {', '.join(FIELDS)})")

    title = fields.get("title")
    title = fold(title) if isinstance(title, str) else title
    if not isinstance(title, str) or not title:
        bad("title", "missing" if title is None else "must be non-empty text")
        title = None

    date = None
    if fields.get("date") is None:
        bad("date", "missing (use YYYY, YYYY-MM, YYYY-MM-DD or 'Mon YYYY')")
    else:
        try:
            date = parse_date_value(fields["date"])
        except DateError as exc:
            bad("date", str(exc))

    text = summary if summary is not None else fields.get("summary", "")
    if not isinstance(text, str):
        bad("summary", "must be text")
        text = ""
    text = fold(text)

    kind = None
    if fields.get("kind") is not None:
        kind = normalise_kind(clean_text(fields["kind"])) if isinstance(fields["kind"], str) else None
        if kind is None:
            bad("kind", f"'{clip(fields['kind'])}' is not a kind (one of: {', '.join(KINDS)})")

    raw_tags = fields.get("tags") or []
    if isinstance(raw_tags, str):
        raw_tags = [t for t in raw_tags.split(",")]
    if not isinstance(raw_tags, list) or not all(isinstance(t, (str, int)) for t in raw_tags):
        bad("tags", "must be a list of words or a comma-separated string")
        raw_tags = []
    tags = [fold(t if isinstance(t, str) else clip(t)).lower() for t in raw_tags]
    tags = [t for t in tags if t]

    url = fields.get("url")
    url = clean_text(url).strip() if isinstance(url, str) else url
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        bad("url", f"'{clip(url)}' is not an http(s) URL")
        url = None

    explicit = fields.get("id", fields.get("slug"))
    if explicit is not None and (not isinstance(explicit, str) or not valid_id(explicit)):
        bad("id", f"'{clip(explicit)}' is not a valid id (lowercase letters, digits, '-' and '_')")
        explicit = None

    if problems or title is None or date is None:
        return None, problems
    kind_read = kind is None
    if kind_read:  # read from the wording only when the source does not say
        kind, implied = classify(title, text, url)
    else:
        implied = talk_tags(title, text) if kind == "talk" else ()
    all_tags = tuple(dict.fromkeys(tags + list(implied)))
    return (
        Entry(
            id=explicit or "",
            title=title,
            date=date,
            kind=kind,
            summary=text,
            tags=all_tags,
            url=url,
            source=f"{path}:{line}",
            explicit_id=explicit is not None,
            kind_read=kind_read,
        ),
        [],
    )
