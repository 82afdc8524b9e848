"""What a page says about itself: link cards, structured data and citation tags.

A link pasted into Discord, Slack or a social network unfurls from the Open
Graph and Twitter tags; search engines read the schema.org JSON-LD; Google
Scholar reads the Highwire `citation_*` tags on papers. Every page carries
its own description (an entry's is the first sentence of its summary), so a
shared entry link shows that entry, not the site's blurb.

Built as strings, not through Jinja2: an entry page's card is rendered for
every one of 10,000 entries, and escaping a few values (markupsafe, in C)
is cheaper than a template call. Two escapings matter:

* attribute values go through `markupsafe.escape` (quotes included);
* JSON-LD sits inside `<script>`, where HTML escaping does not apply and a
  summary holding `</script>` would end the element early; `json_ld()`
  writes `<`, `>` and `&` as `\\u003c`, `\\u003e`, `\\u0026`, which JSON
  parsers read back as the same characters.

Each value is written once per vocabulary and no more, and the entry's
JSON-LD leaves the description to the <meta> tags: a 10,000-entry site
carries every byte of a card 10,000 times (and writing bytes is most of
a full build).

Dates keep the entry's precision ("2015", "2015-05", "2015-05-04"): ISO 8601
allows them, and claiming a day we do not know would be false.

Authors: no source format has an `authors` field today, so `citation_author`
is never written (Scholar indexes papers with at least one; add it when the
sources learn authors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring

from markupsafe import Markup, escape

from almanac.entry import Entry
from almanac.text import cut_at_word
from almanac.search import first_sentence
from feeds.safe_text import clean_line

#: schema.org types by kind. A talk is the presentation, not an Event: an
#: Event needs a place, which the archive does not record. An interview
#: may be a podcast, a video or an article, hence the general CreativeWork.
SCHEMA_TYPES = {
    "paper": "ScholarlyArticle",
    "talk": "PresentationDigitalDocument",
    "podcast": "PodcastEpisode",
    "video": "VideoObject",
    "news": "NewsArticle",
    "article": "Article",
    "interview": "CreativeWork",
}
#: Longest description in a card: about what search results and unfurlers show.
DESCRIPTION_LIMIT = 160
#: schema.org types whose title property is `headline` (the CreativeWork ones use `name`).
HEADLINE_TYPES = {"ScholarlyArticle", "NewsArticle", "Article"}


@dataclass(frozen=True)
class Site:
    """What every card names: the site's title and root URL."""

    name: str
    root: str
    #: `name` escaped for an attribute, once per build rather than once per page.
    name_html: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name_html", str(escape(self.name)))


def describe(entry: Entry) -> str:
    """The first sentence of the summary (cut at a word near 160 characters), or a kind-and-date line."""
    raw = entry.summary or ""
    # Only the start can matter (the sentence is cut to 160 characters): no need to clean the rest.
    head = clean_line(raw[: 2 * DESCRIPTION_LIMIT])
    sentence = first_sentence(head) if "." in head or "!" in head or "?" in head else head
    if not sentence:
        return f"{entry.kind.capitalize()}, {entry.date.label()}"
    unfinished = sentence == head and len(raw) > 2 * DESCRIPTION_LIMIT
    if len(sentence) <= DESCRIPTION_LIMIT and not unfinished:
        return sentence
    return cut_at_word(sentence, DESCRIPTION_LIMIT)


#: One encoder for the index's and kind pages' cards (`json.dumps` with options builds a new one per call).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _script_safe(text: str) -> str:
    """JSON text with `<`, `>` and `&` written as escapes: it cannot end or comment out a `<script>`."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_ld(data: dict) -> str:
    """`data` as JSON that cannot end or comment out the `<script>` element holding it."""
    return _script_safe(_JSON.encode(data))


def _string(text: str) -> str:
    """One JSON string as `json_ld` writes it (`encode_basestring` is what the encoder uses when not ASCII-only)."""
    return _script_safe(encode_basestring(text))


def _meta(attr: str, key: str, escaped: str) -> str:
    return f'<meta {attr}="{key}" content="{escaped}">\n'


def _head(title: str, description: str, url: str, og_type: str, site: Site, data_json: str, extra: str = "") -> Markup:
    """The card's tags; `data_json` is the JSON-LD document, already script-safe (`json_ld`)."""
    text = escape(description)
    return Markup(
        f'<meta name="description" content="{text}">\n'
        f'<meta property="og:type" content="{og_type}">\n'
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<meta property="og:description" content="{text}">\n'
        f'<meta property="og:url" content="{escape(url)}">\n'
        f'<meta property="og:site_name" content="{site.name_html}">\n'
        f"{extra}"
        '<meta name="twitter:card" content="summary">\n'
        f'<script type="application/ld+json">{data_json}</script>\n'
    )


def entry_card(entry: Entry, title: str, description: str, tags: tuple[str, ...], url: str, original: str | None,
               site: Site) -> Markup:
    """Head tags of an entry's page: description, Open Graph, Twitter, JSON-LD, and citation tags for papers.

    `title`, `description` (`describe(entry)`) and `tags` are the cleaned texts the page shows.
    The JSON-LD is written key by key, in the order and with the escaping `json_ld` would give the dict
    {@context, @type, headline|name, datePublished, url, [uploadDate], [keywords], [sameAs]}:
    one string encoding per value instead of an encoder walking a new dict for each of 10,000 pages.
    """
    published = entry.date.isoformat()  # digits and dashes: nothing to escape, in HTML or JSON
    schema = SCHEMA_TYPES.get(entry.kind, "CreativeWork")
    data = (
        f'{{"@context":"https://schema.org","@type":"{schema}",'
        f'"{"headline" if schema in HEADLINE_TYPES else "name"}":{_string(title)},'
        f'"datePublished":"{published}","url":{_string(url)}'
    )
    if schema == "VideoObject":
        data += f',"uploadDate":"{published}"'
    if tags:
        data += f',"keywords":{_string(", ".join(tags))}'
    if original:
        data += f',"sameAs":{_string(original)}'
    extra = _meta("property", "article:published_time", published)
    if entry.kind == "paper":
        extra += citation_tags(entry, title, original)
    return _head(title, description, url, "article", site, data + "}", extra)


def citation_tags(entry: Entry, title: str, original: str | None) -> str:
    """Highwire Press tags, which Google Scholar reads: title, date (YYYY/MM/DD at precision), PDF link."""
    published = entry.date.isoformat().replace("-", "/")  # "2015/05/04", "2015/05" or "2015"
    tags = _meta("name", "citation_title", escape(title)) + _meta("name", "citation_publication_date", published)
    if original and original.lower().split("?", 1)[0].endswith(".pdf"):
        tags += _meta("name", "citation_pdf_url", escape(original))
    return tags


def site_card(title: str, description: str, url: str, site: Site) -> Markup:
    """Head tags of the index: the site as a schema.org WebSite."""
    data = {"@context": "https://schema.org", "@type": "WebSite", "name": title, "url": url}
    if description:
        data["description"] = description
    return _head(title, description or title, url, "website", site, json_ld(data))


def collection_card(title: str, description: str, url: str, site: Site) -> Markup:
    """Head tags of a kind's page: a CollectionPage that is part of the site."""
    data = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": title,
        "description": description,
        "url": url,
        "isPartOf": {"@type": "WebSite", "name": site.name, "url": site.root},
    }
    return _head(title, description, url, "website", site, json_ld(data))
