"""Stage 1, understand: the parsed question, with its words made to fit this archive.

`almanac.query.parse_query` reads filters, ordering and content words from
the text alone. Two things need the archive: words it writes as one
("Xen Summit" -> "XenSummit") and typos or chat spellings of its own words
("Madhavapedy", "unikernal"). A word the archive never uses that is not
everyday English either, and is close enough to one the archive does use,
is read as that word; everyday words are never "corrected" (a question
about "bread" must stay about bread), and a rare English word only when
one slip of the keyboard away (`correct_typos`: a "treehouse" must not
become the archive's "greenhouse", "pavillion" is its "pavilion"). A
number is read as the archive writes it ("fifteen" where it writes "15":
`numbers_written`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from almanac.person import given_names, is_person_word, misspelt_names, name_words, shortened_names
from almanac.query import KIND_RESTATING_WORDS, KIND_WORDS, ParsedQuery, parse_query
from almanac.words import (CHAT_ASIDES, PLACE_NICKNAMES, by_undoubled, chat_read, described_content, glue_slip,
                           is_english, name_runs, person_pronoun, possessor, read_words, undouble, zipf)
from almanac.words import tokens as word_tokens  # `tokens` names join_compounds' argument below

#: Chat that carries no meaning to embed: laughter, and asides ("tbh", "ngl": `almanac.words.CHAT_ASIDES`).
UNMEANT = frozenset("lol lmao haha hahaha rofl lolz".split()) | CHAT_ASIDES

#: A word at or above this Zipf frequency (wordfreq's small list) is everyday English, never a typo.
TYPO_MAX_ZIPF = 3.0
#: Letters a word wordfreq lists needs before it is read as a slip (`correct_typos`).
SLIP_MIN_LETTERS = 6
#: Similarity (rapidfuzz ratio, 0-100) a correction needs, for short and longer words.
TYPO_MIN_RATIO_SHORT, TYPO_MIN_RATIO = 88.0, 80.0
#: Longest word read as one slip from an archive word that begins with the same letter (`one_slip`).
SHORT_SLIP_MAX_LETTERS = 5
#: An English word the archive never uses, below this Zipf frequency and of at least this many
#: letters, is read as a variant of a word one slip away that at least NAME_VARIANT_SHARE of the
#: archive's entries hold (`name_variants`).
NAME_VARIANT_MAX_ZIPF, NAME_VARIANT_MIN_LETTERS, NAME_VARIANT_SHARE = 4.0, 5, 0.2


@dataclass(frozen=True)
class Question:
    parsed: ParsedQuery
    #: Content words after joining compounds and correcting typos.
    terms: tuple[str, ...]
    #: In how many entries each term occurs (after stemming).
    doc_counts: dict[str, int] = field(default_factory=dict)
    #: original word -> the archive's word it was read as.
    corrected: dict[str, str] = field(default_factory=dict)
    #: The question refers to whom it asks about as "he" and the archive's person is "she", or
    #: the other way round (`almanac.words.person_pronoun`, `Snapshot.pronoun`): someone else.
    other_person: bool = False
    #: The words naming the archive's person ("Rapinoe Melbourne" -> ("rapinoe",)): the question
    #: speaks of them as "she" would, and these are not among `terms` (`almanac.person`).
    person_named: tuple[str, ...] = ()

    @property
    def names_person(self) -> bool:
        return bool(self.person_named)

    @property
    def meaning(self) -> str:
        """The text whose meaning is compared with the entries': the question as written, with
        chat spellings and typos read as the words they stand for ("wat did he tlk abt" ->
        "what did he talk about"). The embedding model never saw "tlk"; it did see "talk". The
        archive's person's name is left out when the question asks about something more."""
        words = [self.corrected.get(w, w) for w in chat_read(self.parsed.text) if w not in UNMEANT]
        if self.person_named:
            # "zadie smith brexit diary": every entry is the archive's person's, so their name tells
            # no entry from another, but it brings closer in meaning those that write it (a third-
            # person interview over "Fences: A Brexit Diary"), and makes a question about something
            # the archive lacks ("when did José Andrés open his restaurant in Dubai?") as close to
            # each entry naming him as to one about a restaurant. Left out where words remain.
            kept = [w for w in words if possessor(w) not in self.person_named]
            if any(possessor(w) in self.terms for w in kept):
                words = kept
        return " ".join(words) or self.parsed.text

    @property
    def content(self) -> str | None:
        """What the question says about the item it describes, without the frame ("the talk where
        she…"); None unless it describes one item (`almanac.words.described_content`)."""
        return described_content(self.meaning)

    @cached_property
    def name_runs(self) -> list[tuple[str, ...]]:
        """Its names of several words (`almanac.words.name_runs`): read once, though retrieval and
        the decision about each candidate both ask."""
        return name_runs(self.parsed.text, self.parsed.names)

    @property
    def to_encode(self) -> list[str]:
        """The texts embedded for this question, in one call: its meaning, then a description's content."""
        content = self.content
        return [self.meaning] + ([content] if content else [])


def understand(text: str, store, snapshot, kind: str | None, year: int | None, today: dt.date,
               corrected: dict[str, str] | None = None, people: tuple[str, ...] = ()) -> Question:
    """The question `text` read for this archive. `corrected`: the typos already read as the
    archive's words in `text` (`read_words`), so none are corrected again. `people`: the names
    of the archive's person the configuration gives (`Snapshot.person_names` adds the sources')."""
    parsed = parse_query(text, kind=kind, year=year, today=today)
    terms = list(parsed.terms)
    if not terms:
        return Question(parsed, (), {}, corrected or {})
    # The words and each adjacent pair joined, counted together (one call to the store).
    counts = snapshot.doc_counts(store, terms + [a + b for a, b in zip(terms, terms[1:])])
    pairs = [a + b for a, b in zip(terms, terms[1:]) if counts.get(a + b)]
    terms = join_compounds(terms, counts, store.fulltext_tokens(pairs + terms) if pairs else None)
    # "stuff frm 2019", "shw me his interviews": glue typed short, when the archive has no such word
    terms = [t for t in terms if counts.get(t) or t in parsed.names or not glue_slip(t)]
    # "interviews he gave on radio or TV" where no entry writes "TV", "podcasts she's been a guest
    # on" where none writes "guest": such a word says the kind (the parser's), it is not one the
    # entries must hold, and a word none holds counts against answering.
    terms = [t for t in terms if counts.get(t) or t not in KIND_RESTATING_WORDS]
    counts = {t: counts[t] for t in terms}
    unknown = [t for t in terms if not counts.get(t) and sum(c.isalpha() for c in t) >= 4
               and zipf(t) < TYPO_MAX_ZIPF]  # "breakng2" (Breaking2) is a word; "2019" and "v2" are not
    variants = [t for t in terms if not counts.get(t) and t.isalpha() and len(t) >= NAME_VARIANT_MIN_LETTERS
                and TYPO_MAX_ZIPF <= zipf(t) < NAME_VARIANT_MAX_ZIPF]
    nicknames = [t for t in terms if not counts.get(t) and t in PLACE_NICKNAMES]
    numbered = [t for t in terms if not counts.get(t) and _NUMBERED.fullmatch(t)]
    spelled = [t for t in terms if not counts.get(t) and t in NUMBER_READINGS and not named_number(text, t)]
    whose = snapshot.person_names(store, people)
    person = name_words(whose)
    words = word_tokens(text)
    # "esther perell", "sapolski": the person's name misspelt is read as the name, whatever else it is near
    misspelt = misspelt_names(words, person) if corrected is None else {}
    if (unknown or variants or nicknames or numbered or spelled or misspelt) and corrected is None:
        fixes = correct_typos(unknown, snapshot.vocabulary(store), snapshot.undoubled(store), parsed.names,
                              snapshot.ordered_vocabulary(store)) if unknown else {}
        if nicknames:
            fixes |= places_named(text, nicknames, snapshot.vocabulary(store))
        if numbered:
            fixes |= numbers_apart(numbered, snapshot.vocabulary(store))
        if spelled:
            fixes |= numbers_written(spelled, snapshot.vocabulary(store))
        if variants:
            frequent = snapshot.frequent_words(store, max(3, math.ceil(NAME_VARIANT_SHARE * len(snapshot))))
            fixes |= name_variants(variants, frequent, snapshot.vocabulary(store))
        fixes |= misspelt
        if fixes:
            # Read again as if typed right: in "karico nobel prize anouncement" the last word is
            # then what "announcement" is to the parser (the kind asked for), not a word to rank by.
            return understand(read_words(text, fixes), store, snapshot, kind, year, today, corrected=fixes,
                              people=people)
    said = person_pronoun(text)
    other_person = said is not None and snapshot.pronoun(store) not in (None, said)
    # "Rapinoe Melbourne": whose work, then what. "papers by Harari", "Rapinoe's latest": whose,
    # then a filter or an order, and nothing else to find. A question that is only the name keeps it.
    short = shortened_names(words, person)  # "Sid Mukherjee": Siddhartha's name shortened
    short |= given_names(words, person, whose)  # "Michael Mann", "Hank Green": anyone's alone
    named = tuple(t for t in terms if is_person_word(t, person) or t in short)
    if named and (len(named) < len(terms) or parsed.has_filters or parsed.order):
        terms = [t for t in terms if t not in named]
        counts = {t: counts[t] for t in terms}
    else:
        named = ()
    return Question(replace(parsed, terms=tuple(terms)), tuple(terms), counts, corrected or {}, other_person,
                    named)


#: A name and a number typed as one word ("alphafold3", "python3", "covid19").
_NUMBERED = re.compile(r"([^\W\d_]{3,})(\d{1,4})")


def numbers_apart(words: list[str], vocabulary: dict[str, int]) -> dict[str, str]:
    """word -> its name and number written apart, for the words of `words` (none in the archive)
    whose letters are an archive word: "alphafold3 paper" where the entry writes "AlphaFold 3". Read
    as a typo would be, the word was the archive's "alphafold", and every AlphaFold entry matched
    it as well as the third's."""
    return {word: f"{m.group(1)} {m.group(2)}" for word in words
            if (m := _NUMBERED.fullmatch(word)) and vocabulary.get(m.group(1))}


def _number_readings() -> dict[str, tuple[str, ...]]:
    """A number's word -> how an archive may write it instead ("fourteen": "14"; "tenth": "10th",
    "10"), and a number's digits -> its words ("3": "three", "third"). One, first and second are
    left out: they are mostly not numbers ("the one where", "a second term")."""
    cardinals = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " \
                "sixteen seventeen eighteen nineteen twenty".split()
    ordinals = "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth " \
               "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    tens = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90, "hundred": 100}
    out: dict[str, tuple[str, ...]] = {}
    for n, word in enumerate(cardinals, start=2):
        out[word] = (str(n),)
        out[str(n)] = (word,)
    for n, word in enumerate(ordinals, start=3):
        out[word] = (f"{n}{'rd' if n == 3 else 'th'}", str(n))
        out[str(n)] += (word,)
    for word, n in tens.items():
        nth = word[:-1] + "ieth" if word.endswith("y") else word + "th"
        out[word] = (str(n),)
        out[nth] = (f"{n}th", str(n))
        out[str(n)] = (word, nth)
    return out


#: How a number may be written otherwise (`numbers_written`).
NUMBER_READINGS = _number_readings()


def named_number(text: str, word: str) -> bool:
    """Whether `text` writes the digits `word` as part of a name: after a capitalised word ("the
    Time 100 profile", "his Python 3 talk"), where no other way of writing it is the same. A
    capital that only begins the question ("About 100 of them") names nothing."""
    if not word.isdigit():
        return False
    return any(m.start() and not text[:m.start()].rstrip().endswith((".", "!", "?"))
               for m in re.finditer(rf"\b[A-Z][\w'’]*[ -]{word}\b", text))


def numbers_written(words: list[str], vocabulary: dict[str, int]) -> dict[str, str]:
    """word -> the archive's way of writing the same number, for the numbers of `words` (none in
    the archive) that the archive writes otherwise: "speaking in fifteen cities" where the summary
    says "15 cities", "that 3 hour chat" where it says "three-hour". Unread, the word
    matched nothing and counted against answering as a word the archive lacks."""
    out = {}
    for word in words:
        written = next((w for w in NUMBER_READINGS.get(word, ()) if vocabulary.get(w)), None)
        if written:
            out[word] = written
    return out


def places_named(text: str, nicknames: list[str], vocabulary: dict[str, int]) -> dict[str, str]:
    """nickname -> the place's name, for the places the question calls by a nickname the archive
    never writes while it writes every word of the name ("saw him live in Philly" where a summary
    says Philadelphia; `almanac.words.PLACE_NICKNAMES`). A nickname of two letters counts only
    written in capitals ("a lecture in DC"; "la" is French before it is Los Angeles)."""
    written = set(re.findall(r"\b[A-Z]{2}\b", text))
    return {word: PLACE_NICKNAMES[word] for word in nicknames
            if (len(word) > 2 or word.upper() in written)
            and all(vocabulary.get(part) for part in PLACE_NICKNAMES[word].lower().split())}


def join_compounds(terms: list[str], counts: dict[str, int],
                   tokens: dict[str, tuple[str, ...] | None] | None = None) -> list[str]:
    """Adjacent words whose concatenation the archive uses are searched as that word.

    "Xen Summit" in a question then finds "XenSummit" in a summary (and "git
    hub" finds "GitHub"); a pair whose joined form the archive never uses is
    left as two words, and so is one the archive writes apart more often than
    joined: "Nobel prize" stays two words in an archive where a web address
    ("nobelprize.org") joins them twice and a dozen summaries do not.
    `counts` holds the count of each word and of each joined pair.

    A joined pair the full-text index reads as one of its words is no compound: "ebert ted"
    joined is "ebertted", which the stemmer reads as "ebert" (a past tense's "-ed" and the
    doubled letter go), so it counted every entry naming Ebert and swallowed "TED". `tokens`:
    each pair joined and each word as the index reads it (`Store.fulltext_tokens`).
    """
    if len(terms) < 2:
        return terms
    tokens = tokens or {}

    out, i = [], 0
    while i < len(terms):
        pair = terms[i] + terms[i + 1] if i + 1 < len(terms) else ""
        joined = counts.get(pair, 0) if pair else 0
        read = tokens.get(pair)
        if joined and read is not None and read in (tokens.get(terms[i]), tokens.get(terms[i + 1])):
            joined = 0  # the index reads the pair as one of its words ("ebertted" -> "ebert")
        if joined > 0 and joined >= min(counts.get(terms[i], 0), counts.get(terms[i + 1], 0)):
            out.append(pair)
            i += 2
        else:
            out.append(terms[i])
            i += 1
    return out


def correct_typos(words: list[str], vocabulary: dict[str, int],
                  undoubled: dict[str, str] | None = None, names: frozenset[str] = frozenset(),
                  ordered: list[str] | None = None) -> dict[str, str]:
    """word -> the archive's closest word, for words close enough to one.

    A word wordfreq lists (`is_english`: a rare English word, or a misspelling
    common enough to be listed) of SLIP_MIN_LETTERS or more is read as an
    archive word only one slip away (a letter dropped, added, changed or two
    swapped: "pavillion", "ingles" for "Ingels"): "treehouse" is two from the
    archive's "greenhouse", "gushed" two from "used", and they stay what they
    are. A short one is never read as a word one slip away: "grout", "omens", "blip" and
    "jumpy" are each one letter from words the evaluation archives use
    ("group", "opens", "slip", "jumps"). Any word, listed or not, long or
    short, is read as the archive word it equals once doubled letters are
    written once ("feris" for "Ferriss", "anouncement", and the listed
    misspelling "tommorow", two slips from "tomorrow"), the commonest such
    word; failing that, a word not listed is read as the closest archive word
    by rapidfuzz's ratio ("madhavapedy", "breakng2"), and a short one not
    written as a name (`names`) as an archive word one slip away (`one_slip`: "wrold", "hymm").
    A doubled letter dropped or added costs a short word too much of that
    ratio ("feris" is 83 from "ferriss", under the 88 short words need), and
    it is the commonest slip there is. `undoubled`: the archive's words by
    that form (`Snapshot.undoubled`), built here when not given. A word none
    of these reads may be a long name clipped (`clipped`: "zuck"); `ordered`:
    the archive's words sorted (`Snapshot.ordered_vocabulary`), built here
    when not given. A clip is read before a short word's one slip: "madh"
    beginning Madhavapeddy, the archive's only such word, is not "made".
    """
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import DamerauLevenshtein

    choices = [w for w in vocabulary if len(w) >= 3 and not w.isdigit()]
    # "tallks about jitsu": the kind asked for, though the archive writes "talk" and never "talks"
    # (read as "talk", the question only preferred talks instead of asking for them); "ted tlak"
    # where no entry writes "talk" (the TED talk's entry may say "TED" and "lecture").
    choices += sorted(KIND_WORDS.difference(vocabulary))
    if undoubled is None:
        undoubled = by_undoubled(vocabulary)
    if ordered is None:
        ordered = sorted(vocabulary)
    fixes = {}
    for word in words:
        if is_english(word):
            match = (process.extractOne(word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=1)
                     if len(word) >= SLIP_MIN_LETTERS else None) or _undoubled(word, undoubled) \
                or clipped(word, ordered)
        elif same := _undoubled(word, undoubled):
            match = same
        else:
            cutoff = TYPO_MIN_RATIO_SHORT if len(word) <= 5 else TYPO_MIN_RATIO
            match = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff) or clipped(word, ordered)
            if match is None and len(word) <= SHORT_SLIP_MAX_LETTERS and word not in names:
                match = one_slip(word, choices, vocabulary)
        if match and match[0] != word:
            fixes[word] = match[0]
    return fixes


def _undoubled(word: str, undoubled: dict[str, str]) -> tuple[str] | None:
    """The archive's word that `word` is once doubled letters are written once, as a tuple (what
    rapidfuzz's extractOne gives), or None: "tommorow" for "tomorrow", a misspelling wordfreq lists
    and two slips from the word (an "m" doubled, an "r" not), the commonest slip twice."""
    same = undoubled.get(undouble(word))
    return (same,) if same else None


def name_variants(words: list[str], frequent: list[str], vocabulary: dict[str, int]) -> dict[str, str]:
    """word -> the archive word it is a variant of: one slip from a word many of the archive's
    entries hold. A name is spelt in more than one way, and each is an English word that
    `correct_typos` leaves alone ("Katherine" for the Katharine in a third of the archive); an
    archive's own name is in many of its entries. Neither word may be everyday English (Zipf 4
    and up): "price" is not the "prime" of a mathematician's archive, nor "poker" the "power" of
    a classicist's. `frequent`: the archive's words held by many entries
    (`Snapshot.frequent_words`).

    Over every question of the 43 evaluation archives (their own, off-topic and the shared
    unrelated), at a fifth of the entries it reads "katherine" and nothing else; at a tenth it
    also reads "carlson" as a chess player's Carlsen (4 of 35 entries) and "coral" as a
    composer's "choral", which it should not: the margin is a factor of two. A name few entries
    hold stays as written ("Tucker Carlson" in that chess archive is no Carlsen)."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    fixes = {}
    for word in words:
        found = process.extract(word, frequent, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None)
        near = [w for w, _, _ in found if w[0] == word[0] and zipf(w) < NAME_VARIANT_MAX_ZIPF]
        if near:
            fixes[word] = max(near, key=lambda w: vocabulary[w])
    return fixes


#: Letters a clipped word needs ("zuck"), and how many more the archive word it begins must have.
CLIP_MIN_LETTERS, CLIP_MIN_MORE = 4, 4


def clipped(word: str, ordered: list[str]) -> tuple[str] | None:
    """The archive's one word that `word` is the beginning of, when it is much longer: people clip
    long names in chat ("zuck" for Zuckerberg, "nepo" for Nepomniachtchi). None if no archive word,
    or more than one (its plural or possessive, "zuckerberg's", is the same word), begins with it.
    `ordered`: the archive's words, sorted.

    Over every question of the thirty-six evaluation archives (their off-topic and the shared
    unrelated ones too), it reads five words: four as the question meant ("zuck", "nepo", "Xavier
    init" for initialisation, "blip" for the "blippish" the entry writes) and "wonk" ("the wonk
    show") as Wonkblog, which it did not mean. No off-topic question has such a word."""
    if len(word) < CLIP_MIN_LETTERS or not word.isalpha():
        return None
    longer = []
    i = bisect.bisect_left(ordered, word)
    while i < len(ordered) and ordered[i].startswith(word):
        if len(ordered[i]) >= len(word) + CLIP_MIN_MORE:
            longer.append(ordered[i])
        i += 1
    if not longer:
        return None
    # One word and its forms: "unikernel", "unikernels", "unikernel's"
    stem = min(longer, key=len)
    return (stem,) if all(w.startswith(stem) and len(w) <= len(stem) + 2 for w in longer) else None


def one_slip(word: str, choices: list[str], vocabulary: dict[str, int]) -> tuple[str] | None:
    """The commonest archive word of four letters or more that `word` is one slip from (a letter
    changed, dropped, added, or two swapped), keeping its first letter: ("world",) for "wrold".

    A short word loses too much of rapidfuzz's ratio to one slip ("wrold" is 80 from "world",
    "hymm" 75 from "hymn", under the 88 short words need), though it is how short words are
    mistyped. Over the 3,000-odd questions of the evaluation archives (their off-topic and the
    shared unrelated ones included), it read eleven words, each as meant ("yaer", "poam",
    "klien", "medel", "monsa" for Monza), and no other. A word the question capitalises is a
    name, and is not read as another ("Wijk" is no "wink").
    """
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    first, shortest, longest = word[0], max(4, len(word) - 1), len(word) + 1
    same_start = [w for w in choices if w[0] == first and shortest <= len(w) <= longest]
    found = process.extract(word, same_start, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None)
    near = [w for w, _, _ in found]
    return (max(near, key=lambda w: vocabulary.get(w, 0)),) if near else None
