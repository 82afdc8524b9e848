"""Public URLs of the site: one place decides where entry pages and feeds live.

The feeds, the site, the bot and the posts all link to entry pages; they
must agree, so they all ask here.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from almanac.entry import KINDS

#: Feed files at the site root, in the order they are offered to readers.
MAIN_FEEDS = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
ONTHISDAY_FEED = "onthisday.xml"
#: The coming year's anniversaries as an iCalendar file, and the crawlers' map of every page.
CALENDAR = "anniversaries.ics"
SITEMAP = "sitemap.xml"


def web_address(url: str | None) -> str | None:
    """`url` when it is an http(s) address with a host (with any character a URL cannot hold
    percent-encoded), else None.

    What an entry may link to: not javascript: or data:, and not an address the URL parser cannot
    read, such as a template's "https://[your-domain]/talks" (brackets hold an IPv6 address) or
    "http://[::1/x": one such link stopped every build of the site and feeds with a ValueError."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    # As a link it must be a valid URL: "slides/my talk.pdf" has a space (an invalid href, an
    # invalid JSON-LD sameAs, and a link feed readers cut short). Characters a URL cannot hold are
    # percent-encoded after the host; what is encoded already, and the host, stay as written.
    return urlunsplit(parts._replace(path=quote(parts.path, safe=_PATH_SAFE), query=quote(parts.query, safe=_QUERY_SAFE),
                                     fragment=quote(parts.fragment, safe=_QUERY_SAFE)))


#: What stays as written in a link's path, and in its query and fragment (RFC 3986's reserved
#: and unreserved characters, and "%" of what is encoded already).
_PATH_SAFE = "/:@!$&'()*+,;=%~"
_QUERY_SAFE = _PATH_SAFE + "?"


def site_root(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"


def entry_path(entry_id: str) -> str:
    """Path of an entry's page relative to the site root."""
    return f"entries/{entry_id}.html"


def entry_url(base_url: str, entry_id: str) -> str:
    return site_root(base_url) + entry_path(entry_id)


def kind_feed_path(kind: str) -> str:
    """`talks.xml`, `papers.xml`, `news.xml`: one Atom feed per kind."""
    assert kind in KINDS, kind
    return f"{plural(kind)}.xml"


def kind_page_path(kind: str) -> str:
    return f"{plural(kind)}.html"


def plural(kind: str) -> str:
    return kind if kind == "news" else f"{kind}s"


def entry_count(n: int) -> str:
    """"1 entry", "25 entries"."""
    return counted(n, "entry", "entries")


def counted(n: int, noun: str, nouns: str | None = None) -> str:
    """"1 milestone", "3 milestones", "1 anniversary" ("anniversaries" given as `nouns`)."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def feed_urls(base_url: str, kinds: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """Absolute URLs of the main feeds, the on-this-day feed, the anniversary calendar and the given kinds' feeds."""
    root = site_root(base_url)
    urls = {name: root + path for name, path in MAIN_FEEDS.items()}
    urls["onthisday"] = root + ONTHISDAY_FEED
    urls["calendar"] = root + CALENDAR
    for kind in kinds:
        urls[plural(kind)] = root + kind_feed_path(kind)
    return urls


def base_url_elsewhere(base_url: str, port: int) -> str | None:
    """A warning when `[site] base_url` names this machine at another port than the one served:
    every link of the site, feed and post then leads where nothing listens (the default,
    http://127.0.0.1:8080/, with `[server] port = 8765`). None when it names another host (a
    proxy in front, a public address) or this port."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(base_url)
    try:
        named = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if parts.hostname not in ("127.0.0.1", "localhost", "::1") or named == port:
        return None
    return (f"[site] base_url is {base_url}, but the server listens on port {port}: the site's links, "
            f"feeds and posts point at port {named}; set [site] base_url")
