"""Whose archive it is: the person's name, and the words of it a question may use.

An archive holds one person's work, and people ask about it by name as much as by "she":
"Rapinoe Melbourne", "Harari and Gillian Tett", "swift letter to apple". Such a name
says whose work is asked about, not what the entry says: most entries call their
person "she", "Megan" or "I", so the name is no word the best entry must hold. Read as
one, it counts against answering whenever the entry that is the answer does not write it
(the nineteenth evaluation pass: "Rapinoe Melbourne" refused, "Melbourne" answered).

Where the name comes from, so that nothing is guessed from the entries' text (guessing
from capitalised words picks a co-author on a scientist's archive, "Weissman" on
Karikó's): the `[site] author` of the configuration, and what the sources declare, a
feed's author or the name its title opens with ("Megan Rapinoe: matches and news",
"Simon Willison's Weblog"), an item's or a front matter's `author` (`byline`, kept per
source by the store). What a source says is taken only when its entries write the name as a
name (`written_as_name`): a show's, a blog's or a channel's title ("Hidden Brain", "Coding
Horror", "Physics Girl") and a placeholder author ("admin", "Unknown") are words the entries
also write in lower case, or never write at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from almanac.words import is_english, possessor, tokens, zipf

#: A word this common in English is never taken for a person's name ("Will McGugan": "will").
EVERYDAY_ZIPF = 5.0

#: A feed title that opens with a name: "Megan Rapinoe: ...", "Simon Willison's Weblog",
#: "Julia Evans - blog", "Hannah Fry | talks", or a title that is only the name ("Julia Evans").
#: Two to four capitalised words (initials and "van", "de" between them); not "The ...".
#: Any letter opens a word here ("Ólafur", "Şafak"; `re` has no class of capitals), and
#: `name_in_title` keeps only names whose words are capitalised.
_WORD = r"[^\W\d_][\w.-]*(?:['’](?!s\b)[^\W\d_][\w.-]*)?"  # "O'Brien", not "Willison's"
_PARTICLES = frozenset("van von de da das del der den di do dos du la le".split())
#: A name already written with initials ("N. K. Jemisin", "J.R.R. Tolkien") is called by them and its
#: last name, not by initials of its own.
_INITIAL = re.compile(r"\b[^\W\d_]\.")
#: What follows a name without being part of whom it names ("Martin Luther King Jr.").
_SUFFIXES = frozenset("jr sr ii iii iv".split())
_NAME = rf"(?!(?:The|A|An|My|Our)\b){_WORD}(?:\s+(?:(?:{'|'.join(sorted(_PARTICLES))})\s+)?{_WORD}){{1,3}}"
#: ... then a separator, a possessive or the end, perhaps after a bracket ("Grant Sanderson (3Blue1Brown):").
_TITLE_NAME = re.compile(rf"^\s*({_NAME})(?:\s*\([^)]*\))?(?:\s*(?::|\||–|—|-\s)|['’]s\b|\s*$)")


def name_in_title(title: str) -> str | None:
    """The person's name a feed's title opens with, if it opens with one (see _TITLE_NAME)."""
    found = _TITLE_NAME.match(title or "")
    if not found:
        return None
    name = found.group(1).strip()
    if not all(w[0].isupper() or w in _PARTICLES for w in name.split()):
        return None  # "Talks and papers", "Simon willison"
    if found.end() == len(title.rstrip()) and any(zipf(w) >= EVERYDAY_ZIPF for w in tokens(name)):
        return None  # a title of everyday words alone names a thing: "Hacker News", "Daily Mail"
    return name


def author_name(value: object) -> str | None:
    """A name from an `author` as sources write it: "Jane Doe", {"name": "Jane Doe"}, RSS's
    "jane@example.com (Jane Doe)", or a list of such (its first)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str):
        return None
    value = _printable(value)
    if bracketed := re.fullmatch(r"\S+@\S+\s*\((.+)\)", value):
        value = bracketed.group(1).strip()
    if "@" in value or not any(c.isalpha() for c in value):
        return None
    return " ".join(value.split())[:200] or None


def declared(author: object, title: object) -> str:
    """Whose a feed or a JSON document says it is: its author, else the name its title opens
    with; "" when it says neither."""
    return author_name(author) or (name_in_title(_printable(title)) if isinstance(title, str) else None) or ""


def byline(names: list[str]) -> str | None:
    """A source's person: the name more than half its entries are by, else None (a group blog, or
    two hosts taking turns: which one leads would change with every episode)."""
    said = Counter(n for n in names if n)
    if not said:
        return None
    name, count = said.most_common(1)[0]
    return name if count * 2 > len(names) else None


def written_as_name(name: str, texts: Iterable[str]) -> bool:
    """Whether `texts` (a source's titles and summaries) write `name` as a person's: some word of
    it capitalised, and none of its words ever in lower case. "Rapinoe" and "Megan" are written
    so; "coding" of "Coding Horror", "brain" of "Hidden Brain" and "physics" of "Physics Girl" are
    also written in lower case, and "admin" is not written at all.

    The name's words are looked for as one pattern, not word by word: a source of 100,000 entries
    that names its person in each is read in about a second (eleven, tokenised)."""
    words = name_words((name,))
    spellings = set()
    for written in map(possessor, tokens(name)):
        if _folded(written) in words:
            spellings |= {written, written.replace("'", "’"), _folded(written)}
    if not spellings:
        return False
    alternatives = "|".join(re.escape(w) for w in sorted(spellings, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)
    capitalised = False
    for text in texts:
        for found in pattern.finditer(text):
            if not found.group()[0].isupper():
                return False
            capitalised = True
    return capitalised


def _printable(text: str) -> str:
    """`text` on one line, without control characters or lone surrogates (which no store takes)."""
    return "".join(c for c in " ".join(text.split()) if c.isprintable())


def _folded(word: str) -> str:
    """`word` without accents or apostrophes, as people type a name they cannot spell ("kariko",
    "obrien"): the full-text index matches either way."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return plain.replace("'", "")


@lru_cache(maxsize=64)
def name_words(names: tuple[str, ...]) -> frozenset[str]:
    """The words of the person's names a question would use ("Megan Rapinoe" -> megan, rapinoe),
    lower case, without accents or apostrophes ("Karikó" -> kariko, "O'Brien" -> obrien:
    `is_person_word` compares a question's word so), without everyday English ("Will", "The")
    and initials. A name of three parts or more is also known by its initials ("Ruth Bader
    Ginsburg" -> rbg, "Alexandria Ocasio-Cortez" -> aoc, "David Heinemeier Hansson" -> dhh), as
    people and headlines call such a person; two letters ("Hans Rosling" -> hr) say too little."""
    words = set()
    for name in names:
        words.update(_folded(word) for word in _name_parts(name) if zipf(word) < EVERYDAY_ZIPF)
        if len(initials := _initials(name)) >= 3 and zipf(initials) < EVERYDAY_ZIPF and not _INITIAL.search(name):
            words.add(initials)
    return frozenset(words)


def _name_parts(name: str) -> list[str]:
    """A name's words as a question may write them: without a possessive, of two letters or more
    (an initial is no word of it). `name_words` keeps the rare ones, `everyday_name_words` the rest."""
    return [word for word in map(possessor, tokens(name)) if sum(c.isalpha() for c in word) >= 2]


def _initials(name: str) -> str:
    """The first letters of a name's parts, hyphenated ones each ("Ocasio-Cortez": o, c), without
    the particles between ("Ludwig van Beethoven" -> lb) or a suffix ("Martin Luther King Jr."
    -> mlk), lower case and without accents."""
    parts = [p for w in name.split() for p in w.split("-")
             if p and p.lower() not in _PARTICLES and p.lower().rstrip(".") not in _SUFFIXES]
    return _folded("".join(p[0] for p in parts if p[0].isalpha())).lower()


def is_person_word(word: str, words: frozenset[str]) -> bool:
    """Whether a question's word (as the parser writes it) is one of the person's `words`."""
    return _folded(word) in words


#: Letters a shortened first name keeps at least ("Sid" for Siddhartha, "Chris" for Christopher).
SHORT_NAME_MIN = 3


def shortened_names(words: list[str], person: frozenset[str]) -> set[str]:
    """The words of a question (lower case, in order) that shorten one of the person's names just
    before another of them: "Sid Mukherjee" where the person is Siddhartha Mukherjee, "Chris
    Hadfield" for Christopher. Only before the rest of the name, unless the shortening is no word
    of English (`clipped_name`): alone, the first letters of a name are any word's ("sid" is a
    Unix user's id, "chris" anyone's), but "Woz in Stockholm" can only mean Wozniak."""
    out = {word for word in words if clipped_name(word, person)}
    out.update(word for word, after in zip(words, words[1:])
               if is_person_word(after, person) and _shortens(_folded(word), person, besides=_folded(after)))
    return out


def given_names(words: list[str], person: frozenset[str], names: tuple[str, ...]) -> set[str]:
    """The words of a question (lower case, in order) that are an everyday word of one of the
    person's `names` next to another word of them: "michael" in "Michael Mann at the University
    of Michigan", "green" in "Hank Green in Boulder". `name_words` leaves such a word out, since
    alone it is anyone's ("Michael", "Green", "Will"); beside the rest of the name it is the
    person's, and read as a word to find it made a question naming the person in full ask for
    an entry writing "Michael" (the name of two words not held counted against the entry that
    writes only "Mann")."""
    everyday = everyday_name_words(names)
    return {word for i, word in enumerate(words)
            if _folded(word) in everyday
            and any(is_person_word(other, person) for other in words[max(i - 1, 0):i] + words[i + 1:i + 2])}


@lru_cache(maxsize=64)
def everyday_name_words(names: tuple[str, ...]) -> frozenset[str]:
    """The words of the person's names that `name_words` leaves out as everyday English
    ("Michael E. Mann" -> michael), lower case, without accents."""
    return frozenset(_folded(word) for name in names for word in _name_parts(name) if zipf(word) >= EVERYDAY_ZIPF)


def misspelt_names(words: list[str], person: frozenset[str]) -> dict[str, str]:
    """word -> the person's name it misspells, for the words of a question (lower case, in order)
    one slip from one of the person's names (a letter dropped, added, changed or two swapped, the
    first letter kept): "sapolski determind book", "esther perell ted talk".

    A word English lists ("kelley", "carlson", "salmon") is read so only next to another of the
    person's names, or to a word read as one: "kevin kelley mirror world article", "salmon rushdi
    knighthood", where alone it is someone else ("Tucker Carlson" on a chess player's archive is
    no Carlsen). A name of four letters or fewer is also read only so: "khan" is one slip from
    "kahn" and from "khat". Read as the name, such a word says whose work is asked about, as the
    name does (`shortened_names`), instead of being a word the entries must hold (the stemmer
    matched "sapolski" and "rushdi", so no typo reading caught them: "sapolski determind book"
    ranked another book first, "salmon rushdi knighthood" was refused)."""
    def slip_of(word: str) -> str | None:
        folded = _folded(word)
        if len(folded) < 3 or folded in person or not folded.isalpha():
            return None
        alike = [n for n in person if n[0] == folded[0] and abs(len(n) - len(folded)) <= 1]
        if not alike:  # most questions: rapidfuzz is not even imported
            return None
        from rapidfuzz.distance import DamerauLevenshtein

        near = [n for n in alike if DamerauLevenshtein.distance(folded, n, score_cutoff=1) == 1]
        return near[0] if len(near) == 1 else None

    slips = [slip_of(w) for w in words]
    named = [is_person_word(w, person) for w in words]
    out = {}
    for i, (word, name) in enumerate(zip(words, slips)):
        if name is None:
            continue
        beside = [j for j in (i - 1, i + 1) if 0 <= j < len(words)]
        if any(named[j] or (slips[j] not in (None, name)) for j in beside) or (len(name) > 4 and not is_english(word)):
            out[word] = name
    return out


def clipped_name(word: str, person: frozenset[str]) -> bool:
    """Whether `word` shortens one of the person's names and is rare enough in English to be nothing
    else (wordfreq's small list does not hold it: "woz" for Wozniak, "zuck" for Zuckerberg; not
    "sid", "chris" or "steph", which are everyday names)."""
    short = _folded(word)
    return _shortens(short, person) and zipf(short) == 0


def _shortens(short: str, person: frozenset[str], besides: str = "") -> bool:
    """Whether `short` (folded) begins one of the person's names other than `besides` and is not a
    name of theirs itself, in SHORT_NAME_MIN letters or more."""
    return (len(short) >= SHORT_NAME_MIN and short not in person
            and any(name != besides and name.startswith(short) for name in person))
