"""What an entry's link says it is: a podcast platform, a video site, a paper's address.

A reader who sees that an entry links to Apple Podcasts, YouTube or doi.org
knows what it is before reading a word of it, and a person's archive links
to such places more often than not. The wording can still outvote the link
(`almanac.kinds.infer_kind` adds this as one cue): a keynote recorded on
YouTube is a talk, a lecture series a podcast platform carries stays a talk
when its summary says so clearly.

Only places whose every page is one kind are named: a newspaper's site
carries news, interviews and essays alike, so a host such as theguardian.com
says nothing. A podcast directory is named by its host or by what its
addresses say ("/podcast/…", "/episode/…": a page in a podcast's or an
episode's folder).

The host lists are general knowledge of such sites; three of the podcast
hosts (snipd, podscripts, podgist: clip and transcript sites) were added on
seeing them in the evaluation archives' links. Over the seventeen evaluation
archives (whose links are mostly where the material was found, not the
canonical place) this took inferred kinds from 518 to 525 of 635 right
(nine podcasts found, one interview and one Nature comment read as a
podcast and a paper), and from 107 to 110 of 146 on the four archives kept
unseen.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Hosts whose pages are podcast episodes (platforms, hosts, directories, transcript sites).
PODCAST_HOSTS = frozenset({
    "podcasts.apple.com", "podcasts.google.com", "overcast.fm", "pca.st", "pocketcasts.com",
    "castbox.fm", "player.fm", "podbay.fm", "podchaser.com", "listennotes.com", "podcastaddict.com",
    "podbean.com", "libsyn.com", "anchor.fm", "buzzsprout.com", "simplecast.com", "transistor.fm",
    "megaphone.fm", "spreaker.com", "captivate.fm", "acast.com", "art19.com", "stitcher.com",
    "snipd.com", "podscripts.co", "podgist.com",
})
#: Hosts whose pages are videos.
VIDEO_HOSTS = frozenset({"youtube.com", "youtu.be", "vimeo.com", "dailymotion.com", "twitch.tv"})
#: Hosts whose pages are papers (a DOI names a publication; preprint servers, indexes, libraries).
PAPER_HOSTS = frozenset({
    "doi.org", "dx.doi.org", "arxiv.org", "biorxiv.org", "medrxiv.org", "ssrn.com", "papers.ssrn.com",
    "pubmed.ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "jstor.org", "sciencedirect.com",
    "link.springer.com", "onlinelibrary.wiley.com", "dl.acm.org", "ieeexplore.ieee.org",
    "semanticscholar.org", "academic.oup.com", "usenix.org",
})
#: Folders of an address that hold podcasts or their episodes, on any host.
PODCAST_FOLDERS = frozenset({"podcast", "podcasts", "episode", "episodes"})


def _on(host: str, hosts: frozenset[str]) -> bool:
    """Whether `host` is one of `hosts` or a subdomain of one ("probablyscience.libsyn.com")."""
    parts = host.split(".")
    return any(".".join(parts[i:]) in hosts for i in range(len(parts) - 1))


def link_kind(url: str | None) -> str | None:
    """The kind an entry's link says it is, or None when the link says nothing (or there is none)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # a malformed address says nothing
        return None
    host = host.removeprefix("www.")
    if not host:
        return None
    if _on(host, VIDEO_HOSTS):
        return "video"
    if _on(host, PAPER_HOSTS):
        return "paper"
    folders = [f for f in parts.path.lower().split("/") if f][:-1]  # the last part names the page itself
    if host == "ted.com" and "talks" in folders:
        return "talk"
    if _on(host, PODCAST_HOSTS) or "podcast" in host or not PODCAST_FOLDERS.isdisjoint(folders):
        return "podcast"
    return None


#: Pieces of an address that are no words: schemes, file types, the commonest hosts' pieces.
_NOT_WORDS = frozenset("www com org net html htm php aspx shtml co uk edu https http index amp".split())
_LETTERS = re.compile(r"[a-z]+")


def link_words(url: str | None) -> list[str]:
    """The words of a link's path, of three letters or more ("/world/video/2023/jan/18/truth-wins"
    -> world, video, jan, truth, wins): what a site files a page under ("/video/", "/news/",
    "/opinion/", "/interviews/", "/watch") says what kind of page it is on most sites, where the
    host alone seldom does (`almanac.kind_model` weighs them as it weighs words)."""
    if not url:
        return []
    try:
        path = urlsplit(url.lower()).path
    except ValueError:
        return []
    return [w for w in _LETTERS.findall(path) if len(w) > 2 and w not in _NOT_WORDS]


def media_kind(media_type: str) -> str | None:
    """"podcast" for an audio file's media type ("audio/mpeg"), "video" for a video file's, else
    None: what a feed item's enclosure or a JSON Feed item's attachment makes it."""
    media = media_type.lower()
    return "podcast" if media.startswith("audio/") else "video" if media.startswith("video/") else None
