"""A reference manager's bibliography as CSL JSON (Zotero, Mendeley, pandoc, ORCID exports).

A researcher's papers and talks are most often kept in a reference manager,
and CSL JSON is what every one of them exports ("Export Library… → CSL
JSON"). Its items name their fields their own way, so each is turned into
almanac's fields here and then read like any JSON object
(`almanac.sources.fields`):

- `issued` is the date, to the precision given (`{"date-parts": [[2015, 5]]}`
  is May 2015; `{"raw": "2015-05-04"}` or `{"literal": …}` is read as written);
- `type` gives the kind where CSL's types say one (`paper-conference` a paper,
  `speech` a talk, `post-weblog` an article, …); the others (`book`,
  `broadcast`, `webpage`) leave it to the wording;
- `container-title` (the journal or proceedings), `collection-title` (a
  conference's short name, "ASPLOS '13"), `event-title`, `event-place`,
  `publisher` and the authors' names end the summary as context sentences, so
  a question naming a journal, a conference or a co-author finds the item;
- `URL` is the link, else the `DOI` as a doi.org address; `abstract` is the
  summary, and an item without one is described by its title and context;
- the item's `id` (Zotero's item URL, "ITEM-1") is the library's, not an
  entry id; a `citation-key` that is a valid id is kept as the entry's slug.

Every other CSL field (volume, page, ISSN, accessed, …) says nothing almanac
keeps and is left out.
"""

from __future__ import annotations

from almanac.entry import valid_id
from almanac.sources.html_text import html_to_text
from almanac.sources.text import as_sentence

#: CSL item types that say an almanac kind; a type not listed leaves the kind to the wording.
CSL_KINDS = {
    "article-journal": "paper", "paper-conference": "paper", "article": "paper", "report": "paper",
    "thesis": "paper", "chapter": "paper", "manuscript": "paper", "review": "paper",
    "speech": "talk", "presentation": "talk", "interview": "interview", "motion_picture": "video",
    "post-weblog": "article", "post": "article", "article-magazine": "article", "article-newspaper": "article",
}

#: CSL fields kept as the summary's context sentences, under almanac's context field they become.
_CONTEXT = {"container-title": "publication", "collection-title": "venue", "event-title": "event",
            "event": "event", "event-place": "place", "publisher": "publisher"}


#: Every item type of CSL 1.0.2 (an object whose `type` is one of these and that has an `id` is a
#: CSL item even without a date or authors: a web page saved to the library).
CSL_TYPES = frozenset(
    "article article-journal article-magazine article-newspaper bill book broadcast chapter classic collection "
    "dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing interview legal_case "
    "legislation manuscript map motion_picture musical_score pamphlet paper-conference patent performance "
    "periodical personal_communication post post-weblog regulation report review review-book software song "
    "speech standard thesis treaty webpage".split())


def is_csl_item(item: dict) -> bool:
    """Whether a JSON object is a CSL item: its date is CSL's (`issued` as an object), its authors
    are CSL names (`{"family": …, "given": …}`), or it has an `id` and a CSL type, which no other
    source writes so."""
    kind = item.get("type")
    if isinstance(item.get("issued"), dict) or ("id" in item and isinstance(kind, str) and kind in CSL_TYPES):
        return True
    authors = item.get("author")
    return isinstance(authors, list) and any(isinstance(a, dict) and ("family" in a or "literal" in a)
                                             for a in authors)


def csl_date(issued: dict) -> object:
    """A CSL date as the text almanac reads ("2015-05"), or as written when it is not a CSL date
    (so the problem names what is wrong with it)."""
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0][:3]
        if all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p < 10**6
               or isinstance(p, str) and p.strip().isdigit() and len(p.strip()) <= 6 for p in first):
            year, *rest = (int(p) for p in first)
            return "-".join([str(year).zfill(4)] + [f"{p:02d}" for p in rest])
        return parts[0]
    for key in ("raw", "literal"):
        if isinstance(issued.get(key), str):
            return issued[key]
    return issued


def _name(person: object) -> str | None:
    """"Anil Madhavapeddy" from a CSL name ({"given", "family"} or {"literal"})."""
    if not isinstance(person, dict):
        return person if isinstance(person, str) else None
    if isinstance(person.get("literal"), str):
        return person["literal"]
    words = [person.get(k) for k in ("given", "non-dropping-particle", "family")]
    return " ".join(w for w in words if isinstance(w, str) and w.strip()) or None


def csl_fields(item: dict) -> dict:
    """A CSL item as entry fields (see the module's docstring)."""
    item = {key.lower() if isinstance(key, str) else key: value for key, value in item.items()}
    fields = {key: item[key] for key in ("title", "abstract", "keyword", "kind") if key in item}
    for key in ("title", "container-title"):  # CSL's rich text: "<i>Nature</i>", "H<sub>2</sub>O"
        if isinstance(item.get(key), str) and "<" in item[key]:
            item[key] = html_to_text(item[key])
            fields.update({key: item[key]} if key in fields else {})
    # `issued` is an alias of the date, so a problem with it names the field as written; a talk's
    # `event-date` or a reprint's `original-date` stands in where it is missing.
    name = next((n for n in ("issued", "event-date", "original-date") if n in item), "issued")
    date = item.get(name)
    fields[name] = csl_date(date) if isinstance(date, dict) else date
    if "kind" not in fields:
        kind = CSL_KINDS.get(item.get("type")) if isinstance(item.get("type"), str) else None
        genre = item.get("genre")  # "Keynote", "Podcast episode": a kind where it names one
        fields.update({"kind": kind} if kind else {"type": genre} if isinstance(genre, str) else {})
    fields.update({key: item[key] for key in ("url", "doi") if item.get(key)})  # a DOI is the link without a URL
    for name, context in _CONTEXT.items():
        if item.get(name) and context not in fields:
            fields[context] = item[name]
    names = [n for n in map(_name, item.get("author") or []) if n] if isinstance(item.get("author"), list) else []
    if names:
        fields["authors"] = names
    key = item.get("citation-key")
    if isinstance(key, str) and valid_id(key.lower()):
        fields["slug"] = key.lower()
    if not (isinstance(fields.get("abstract"), str) and fields["abstract"].strip()) and isinstance(item.get("title"), str):
        fields["abstract"] = as_sentence(item["title"].strip())  # described by its title and context, as a citation is
    return fields
