"""Making untrusted entry text safe to put in XML, HTML and JSON.

Summaries come from files and remote feeds we do not control. Escaping is
left to the serialisers (lxml for the feeds, Jinja2 autoescape for pages,
`json` for JSON Feed); what they cannot do is drop characters that XML 1.0
forbids (lxml refuses them outright) or stop a feed-to-Discord relay from
pinging a whole server, so that happens here, once, for every format.
"""

from __future__ import annotations

import html
import re

# XML 1.0 allows \t \n \r, U+0020-U+D7FF, U+E000-U+FFFD and U+10000-U+10FFFF. Unicode's
# noncharacters (U+FDD0-U+FDEF, and the last two of each plane) it only discourages, but HTML
# forbids them ("noncharacter-in-input-stream": a page holding one fails validation): they
# never stand for text, so they go too.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF)
                                           for plane in range(1, 17))
_XML_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff{_NONCHARACTERS}]")
# The same characters in ASCII text, for a check that costs a tenth of the pattern's search.
_XML_FORBIDDEN_ASCII = bytes(c for c in range(128) if _XML_FORBIDDEN.match(chr(c)))
# @everyone / @here (and role/user mentions) become inert with a zero-width space.
_MENTION = re.compile(r"@(?=everyone\b|here\b|[&!]?\d{15,21}\b)")
_ZWSP = "\u200b"
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def clean(text: str | None) -> str:
    """`text` with XML-forbidden characters removed and mass mentions defused.

    Idempotent, so builders may apply it freely.
    """
    if not text:
        return ""
    if not text.isascii() or _has_forbidden_ascii(text):
        text = _XML_FORBIDDEN.sub("", text)
    return _MENTION.sub("@" + _ZWSP, text) if "@" in text else text


def _has_forbidden_ascii(text: str) -> bool:
    """Whether ASCII `text` holds a control character XML forbids (bytes.translate: no regex walk)."""
    raw = text.encode("ascii")
    return len(raw.translate(None, _XML_FORBIDDEN_ASCII)) != len(raw)


def clean_line(text: str | None) -> str:
    """`clean()` for one-line fields (titles): whitespace runs become one space."""
    return " ".join(clean(text).split())


def paragraphs(text: str | None) -> list[str]:
    """A summary split on blank lines, each paragraph cleaned."""
    text = clean(text)
    parts = _PARAGRAPH_BREAK.split(text) if "\n" in text else (text,)
    return [p.strip() for p in parts if p.strip()]


def summary_html(text: str | None) -> str:
    """A plain-text summary as HTML paragraphs, every character escaped.

    RSS descriptions (and Atom type="html") are HTML: a reader renders them,
    so `<script>` in a summary must arrive as `&lt;script&gt;` text, not markup.
    """
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs(text))
