"""A BibTeX file (`*.bib`): a researcher's publication list as it is usually kept.

Google Scholar, DBLP, ORCID, Zotero, JabRef and every journal's "cite this"
export BibTeX, so a researcher's archive often exists only as a `.bib` file.
It is parsed by bibtexparser (with its LaTeX decoding: `M\\"{u}ller` is
Müller, `{C}loud` is Cloud) and each entry turned into almanac's fields, then
read like any other source's (`almanac.sources.fields`):

- the date is biblatex's `date` ("2015-05-04"), else `year` with `month`
  ("mar", "3") when there is one, to the precision given;
- the kind comes from the entry type where it says one (`@article`,
  `@inproceedings`, `@techreport`, `@phdthesis`: a paper; biblatex's `@video`,
  `@audio`), or from a biblatex `type` naming one ("talk"); else the wording;
- the abstract is the summary; the journal or proceedings (`journal`,
  `booktitle`), `eventtitle`, `venue`, `publisher` and the authors end it as
  context sentences, and stand for it when there is no abstract;
- `url` is the link, else the `doi`'s address; `keywords` are tags; the
  citation key is the entry's id when it is one (lowercased: "Smith2015").

A block the parser cannot read, and a key used twice, are problems naming
their line, and nothing of the file is stored, as for any source.
"""

from __future__ import annotations

import logging

from almanac.entry import Entry, valid_id
from almanac.sources.fields import entry_with_summary
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, clip, read_text

#: BibTeX and biblatex entry types that say an almanac kind; the others leave it to the wording.
BIB_KINDS = {
    "article": "paper", "inproceedings": "paper", "conference": "paper", "techreport": "paper", "report": "paper",
    "phdthesis": "paper", "mastersthesis": "paper", "thesis": "paper", "incollection": "paper", "inbook": "paper",
    "unpublished": "paper", "video": "video", "audio": "podcast",
}

#: Fields kept as the summary's context sentences, under almanac's context field they become.
_CONTEXT = {"journal": "journal", "journaltitle": "journal", "booktitle": "publication", "eventtitle": "event",
            "venue": "venue", "publisher": "publisher", "organization": "publisher", "institution": "publisher",
            "school": "publisher"}


def read_bibtex(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """The entries of a BibTeX file (at most `limits.max_bytes`); SourceError listing every problem."""
    import bibtexparser  # imported here: its import costs only those who read BibTeX
    from bibtexparser import middlewares

    # Its parser logs each block it cannot read as a warning over several lines; the problems below
    # say the same in one line each, naming the file.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

    text = read_text(path, limits)
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(), middlewares.MonthIntMiddleware(True),
        middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    problems = [Problem(path, block.start_line + 1, "bibtex", _failure(block)) for block in library.failed_blocks]
    entries: list[Entry] = []
    for item in library.entries:
        line = item.start_line + 1
        fields = bib_fields(item.entry_type, item.key, {f.key.lower(): f.value for f in item.fields})
        key_lines = {f.key.lower(): f.start_line + 1 for f in item.fields}
        entry, found = entry_with_summary(fields, path, line, key_lines=key_lines)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise SourceError(sorted(problems, key=lambda p: p.line or 0))
    if not entries:
        raise SourceError([Problem(path, 1, "bibtex", "no entries (@article{...}, @inproceedings{...}, ...)")])
    return entries


def _failure(block) -> str:
    """What was wrong with a block the parser could not take."""
    if type(block).__name__ == "DuplicateBlockKeyBlock":
        return f"the key '{clip(block.key)}' is used twice; keep one"
    return "could not be read: a brace or quote not closed, or a field without its comma"


def _name(parts) -> str | None:
    """"Anil Madhavapeddy" from a name split into its parts (or a name as written)."""
    if isinstance(parts, str):
        return parts.strip() or None
    words = [*getattr(parts, "first", []), *getattr(parts, "von", []), *getattr(parts, "last", []),
             *getattr(parts, "jr", [])]
    return " ".join(w for w in words if isinstance(w, str) and w) or None


def bib_fields(entry_type: str, key: str, raw: dict) -> dict:
    """A BibTeX entry as entry fields (see the module's docstring)."""
    fields = {name: raw[name] for name in ("title", "abstract", "keywords", "url", "doi") if raw.get(name)}
    if raw.get("date"):
        fields["date"] = raw["date"]
    elif raw.get("year"):
        month = raw.get("month")
        fields["year"] = f"{raw['year']}-{month:02d}" if isinstance(month, int) and 1 <= month <= 12 else raw["year"]
    kind = BIB_KINDS.get(entry_type.lower())
    if kind:
        fields["kind"] = kind
    elif isinstance(raw.get("type"), str):
        fields["type"] = raw["type"]  # biblatex's own word for it: a kind where it names one ("Talk")
    for name, context in _CONTEXT.items():
        if isinstance(raw.get(name), str) and raw[name].strip() and context not in fields:
            fields[context] = raw[name]
    authors = raw.get("author")
    names = [n for n in map(_name, authors if isinstance(authors, list) else [authors]) if n] if authors else []
    if names:
        fields["authors"] = names
    if valid_id(key.lower()):
        fields["slug"] = key.lower()
    return fields
