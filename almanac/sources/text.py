"""Control characters out of text that came from a source (fields, file names, messages).

A NUL or an ESC in a title, a file name or a server's reply would otherwise be
stored, served in feeds, or printed raw to a terminal (where ESC sequences
move the cursor, clear the screen or set the window title).
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates, and the bidirectional
# embeddings, overrides and isolates (U+202A-202E, U+2066-2069: an override shows a title's
# letters in another order than they are stored and searched; the marks LRM and RLM stay). Line
# and page breaks (CR, VT, FF) become spaces so words they separate stay apart.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("[\r\x0b\x0c]")


def clean_text(text: str) -> str:
    """`text` without control characters (but tab and newline) or lone surrogates.

    Applied to every text field at read time, whatever the format; a lone
    surrogate could not even be stored as UTF-8.
    """
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def as_sentence(text: str) -> str:
    """`text` ending as a sentence does: a period added after a last letter or digit ("## Why
    Rust" -> "Why Rust."; "Why Rust?" and "Notes:" stay as they are). How a Markdown block, an
    HTML heading and a Substack subtitle become sentences of a summary."""
    return text + "." if text and text[-1].isalnum() else text


def path_text(path: str) -> str:
    """A path as text the store can hold: a file name's bytes that are not UTF-8 (Python reads
    them as lone surrogates, "caf\udce9.md") written as \\xNN ("caf\\xe9.md"). Storing the
    surrogate failed with a UnicodeEncodeError that stopped the whole ingest."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def one_line(text: str) -> str:
    """`text` cleaned and on one line: what a problem report may print."""
    return clean_text(text).replace("\n", " ").replace("\t", " ")
