"""What English words mean in a question, independent of any one archive.

Deciding "is this question about the archive?" by the archive's own word
statistics fails on every new archive: an everyday word the archive happens
not to use ("appeared", "came", "appearance") looks like the rarest, most
important word of the question. So a word's weight comes from how common it
is in English at large (the `wordfreq` lists, Zipf scale: 7 is "the", 3 is
a rare word, 0 is unknown), and the archive only says whether it holds it.

Three small lists complete it, all about English, none about an archive:
glue words (`STOPWORDS`), verbs people wrap around a filter ("what did she
put out in 2019?", `FILLERS`), and chat spellings (`CHAT`).
"""

from __future__ import annotations

import functools
import re

from almanac.text import CONTEXT_FIELDS

#: Chat's asides, which say nothing of what is asked ("tbh why'd he bail on the nyt", "ngl i just
#: want the one w the register", "btw", "did he ever talk abt AI or nah", "murray coaching nole
#: fr?"): no words to find, and nothing to compare in meaning
#: (`almanac.search.understand.Question.meaning`).
CHAT_ASIDES = frozenset("tbh imo imho btw idk ngl fwiw afaik iirc smh lowkey omg nah fr".split())

#: Words that carry no meaning for ranking (question words, pronouns, glue).
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any anything are as at be been before being
    between both but by can could did do does doing done during each else ever few find for from
    further get got had has have having he her here hers him his how i if in into is it its itself
    just know let like list look looking me more most my no nor not now of off on once only or
    other our out over own please said same say see shall she should show so some something such
    tell than that the their them then there these they this those through to too under until up
    us very want was we were what whatever when where which while who whom whose why will with
    would you your yours anything everything entries entry archive almanac ones thing things stuff
    may might must cannot happen happens happened happening going one also even really maybe
    whats what's s t ll d re ve m hey hi hello ok okay yes yeah lol lmao haha pls plz thanks thx
    ty remember recall mentioned mention guy person someone somebody anyone anybody yo hmm um uh
    somewhere anywhere somehow though although
    himself herself themselves myself yourself ourselves many
    involving involved regarding concerning
    """.split()
) | frozenset(
    # A pronoun's or an auxiliary's contraction says no more than its parts ("earliest interview
    # you've got", "something she'd said"): tokens keep contractions whole, so each is listed.
    f"{stem}'{ending}" for stem in "i you he she it we they that there who what where when why how here let".split()
    for ending in ("s", "ve", "ll", "d", "re", "m")
) | frozenset(
    f"{verb}n't" for verb in "is are was were do does did has have had could would should must need".split()
) | frozenset(("can't", "won't", "ain't", "shan't")) | CHAT_ASIDES

#: Words that list things asked for together: kinds, years or decades ("papers and talks", "2014 or 2016").
LIST_JOINERS = frozenset(("and", "or"))

#: Who does what an archive holds: the subject of a clause telling of it ("before he founded
#: DeepMind", "the paper that she wrote"). Not "you": that is the asker speaking to the bot.
SUBJECT_PRONOUNS = frozenset("he she they i we".split())
#: Whom an act is done to, after its verb: "interviews her", "talks to him" (a question's kind
#: word read as a verb, `almanac.query`), "profiled her" (an entry's verb, `almanac.kinds`).
OBJECT_PRONOUNS = frozenset("me him her them us".split())

#: Everyday verbs and nouns people put around what they ask ("what did he put out in July 2014?",
#: "his most recent podcast appearance", "anything mentioning Cordae", "September 2002 coverage"): about
#: producing or showing up, never the topic.
FILLERS = frozenset(
    """
    came come comes coming put puts putting out appeared appear appears appearing appearance
    appearances gave give gives giving given published publish publishes publishing recorded record
    records recording wrote write writes writing written made make makes making released releases
    releasing produced produce work works worked working stuff bit bits piece pieces item items talked spoke
    speak speaks speaking said says saying discussed discuss discusses discussing presented presents
    presenting fronted fronting covered cover covers coverage mentions mentioning featured feature features
    announced announce announces announcing featuring share shared shares go went goes gone been kind sort
    type types kinds sorts
    """.split()
)

#: Chat spellings -> the word meant (general English, no archive's names).
CHAT = {
    "wat": "what", "wut": "what", "wht": "what", "abt": "about", "bout": "about", "tlk": "talk",
    "tlks": "talks", "u": "you", "ur": "your", "r": "are", "n": "and", "w": "with", "w/": "with",
    "pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks", "gonna": "going",
    "wanna": "want", "dunno": "know", "prez": "presentation", "pres": "presentation",
    "vid": "video", "vids": "videos", "vidz": "videos", "doc": "documentary", "doco": "documentary",
    "docos": "documentaries", "docco": "documentary", "doccos": "documentaries", "pod": "podcast",
    "pods": "podcasts", "intvw": "interview", "ep": "episode", "eps": "episodes", "yt": "youtube",
    "mag": "magazine", "uni": "university", "rly": "really",
    "yr": "year", "yrs": "years", "mo": "month", "mos": "months", "b4": "before", "2day": "today",
    "abuot": "about", "teh": "the", "hte": "the", "somethin": "something", "anythin": "anything",
    "smth": "something", "sth": "something", "smthg": "something", "ppl": "people", "thru": "through",
    "tho": "though", "bc": "because", "cuz": "because", "prob": "probably", "govt": "government",
    "convo": "conversation", "fav": "favourite", "fave": "favourite", "info": "information",
    # contractions typed without the apostrophe
    "hes": "he's", "shes": "she's", "thats": "that's", "theres": "there's", "whos": "who's",
    "didnt": "did", "doesnt": "does", "dont": "do", "isnt": "is", "wasnt": "was", "hasnt": "has",
    "havent": "have", "im": "i'm", "ive": "i've", "theyre": "they", "youre": "you",
}

#: Places by the names people call them in chat -> the name an archive writes ("saw him live in
#: Philly", "a lecture in DC"): general English, read only where the archive never writes the
#: nickname and writes every word of the name (`almanac.search.understand`). Two letters are a
#: nickname only in capitals ("LA", not the "la" of "La Scala").
PLACE_NICKNAMES = {
    "philly": "Philadelphia", "nyc": "New York", "ny": "New York", "la": "Los Angeles", "sf": "San Francisco",
    "frisco": "San Francisco", "dc": "Washington", "vegas": "Las Vegas", "nola": "New Orleans",
    "atl": "Atlanta", "hk": "Hong Kong", "joburg": "Johannesburg", "brum": "Birmingham",
}

_TOKEN_RE = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*", re.UNICODE)
#: A word, or punctuation that separates names.
_TOKEN_OR_BREAK_RE = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*|[,;:()/|]", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lowercase words, keeping versions ("2.0") and contractions whole."""
    return [t.lower().replace("’", "'") for t in written_words(text)]


def written_words(text: str) -> list[str]:
    """The words of `text` as `tokens` reads them, with their case as written."""
    return _TOKEN_RE.findall(text)


def possessor(word: str) -> str:
    """The word a possessive is of ("hassan's" -> "hassan"); other words unchanged."""
    return word[:-2] if word.endswith("'s") else word


def read_words(text: str, readings: dict[str, str]) -> str:
    """`text` with each word that `readings` holds (lowercase) written as its reading, a capital kept:
    a question with its typos read as the archive's words ("Karico" -> "Kariko")."""
    def swap(match: re.Match) -> str:
        word, ending = match.group(), ""
        key = word.lower().replace("’", "'")
        if key not in readings and key.endswith("'s"):  # "Karico's"
            word, ending, key = word[:-2], word[-2:], key[:-2]
        reading = readings.get(key)
        if reading is None:
            return word + ending
        return (reading[:1].upper() + reading[1:] if word[:1].isupper() else reading) + ending

    return _TOKEN_RE.sub(swap, text)


def glue_slip(word: str) -> str | None:
    """The glue word (`STOPWORDS`, `FILLERS`) that `word` is typed short for, if any: "frm" for
    "from", "shw" for "show", "evr" for "ever", "whr" for "where".

    Chat drops letters, mostly vowels, and keeps the first. A word that is rare in English and
    is such a word with one or two letters dropped is read as it ("aws" is no slip of "was": its
    letters are not in that order). Used only for words the archive does not have.
    """
    if not 2 <= len(word) <= 5 or not word.isalpha() or zipf(word) >= RARE_ZIPF:
        return None
    for glue in _GLUE_BY_FIRST.get(word[0], ()):
        if 0 < len(glue) - len(word) <= 2 and _is_subsequence(word, glue):
            return glue
    return None


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


#: Words by which a question without a topic, name, kind or date still asks to see the archive
#: ("what's in the archive?", "show me everything", "what has she done?"): it is answered with the
#: newest entries. Without one ("hi", "thanks!", "who is he?", "tell me more") it asked nothing.
LISTING_CUES = frozenset(
    "what what's whats wat everything anything all entries entry archive list show stuff things items "
    "work works catalogue catalog".split())


def asks_for_listing(text: str) -> bool:
    """Whether a question holding no content word asks to see what the archive holds."""
    return any(possessor(unchat(word)) in LISTING_CUES for word in tokens(text))


def unchat(word: str) -> str:
    """The word a chat spelling stands for ("abt" -> "about"); other words unchanged."""
    return CHAT.get(word, word)


def unchat_written(token: str, shouting: bool = False) -> str:
    """`token` lowercased, its chat spelling read (`unchat`) unless it is written in capitals: "BC
    Place" is a stadium and "MO" a state, not "because" and "month". A question written all in
    capitals (`shouting`) says nothing by them, so its chat is read as usual."""
    word = token.lower().replace("’", "'")
    return word if not shouting and len(token) >= 2 and token.isupper() else unchat(word)


def chat_read(text: str) -> list[str]:
    """`tokens(text)` with chat spellings read as the words they stand for (`unchat_written`)."""
    shouting = text.upper() == text
    return [unchat_written(t, shouting) for t in written_words(text)]


@functools.lru_cache(maxsize=1)
def _wordfreq():
    """wordfreq, imported on first use (it costs ~0.2 s; `almanac list` never needs it)."""
    import wordfreq

    return wordfreq


@functools.lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common `word` is in English: Zipf scale, 0 (below 3, or unknown) to ~7.5 ("the").

    From wordfreq's "small" list (words at Zipf 3 and above): every use here
    draws its line at 3 or above (rare at 3.5, a typo below 3), where it
    agrees with the "large" list (a word at exactly 3 reads as 0: rare either
    way), and it loads in 0.02 s and ~30 MB less than the large one (0.2 s):
    a cold `almanac ask` pays it every time.
    """
    return float(_wordfreq().zipf_frequency(word, "en", wordlist="small"))


#: Zipf (wordfreq's large list) at or above which a word the small list leaves out is still
#: written often: rare English ("treehouse" 2.9, "aphids" 2.6, "gushed" 2.5, "misdirect" 2.1) and
#: common misspellings ("ingles" 2.6, "pavillion" 2.2), against most typos (0: "marathn",
#: "serpentene"; "busness" 1.2, "iland" 1.6).
ENGLISH_ZIPF = 2.0


@functools.lru_cache(maxsize=65536)
def is_english(word: str) -> bool:
    """`word` is written often enough in English to be a word, or a misspelling people make often.

    The small list stops at Zipf 3, and rare words below it ("treehouse",
    "aphids", "undressed") are words all the same: "corrected" into the
    archive's nearest word they became another question ("built a treehouse"
    read as "built a greenhouse" on a climate archive). Misspellings made
    often enough are listed too, so such a word may still be a typo, of a
    word one slip away (`almanac.search.understand.correct_typos`). The large
    list is read only for words the small one does not hold, i.e. when a
    question has one (it loads in ~0.17 s and ~36 MB).
    """
    return zipf(word) > 0 or _wordfreq().zipf_frequency(word, "en", wordlist="large") >= ENGLISH_ZIPF


#: Zipf at or above which a word is everyday English (weight floor); below RARE it is rare.
COMMON_ZIPF = 5.5
RARE_ZIPF = 3.5
#: Glue words by first letter, shortest first (then stop words, then alphabetical), for `glue_slip`.
_GLUE_BY_FIRST: dict[str, list[str]] = {}
for _glue in sorted(STOPWORDS | FILLERS, key=lambda w: (len(w), w not in STOPWORDS, w)):
    if _glue.isalpha():
        _GLUE_BY_FIRST.setdefault(_glue[0], []).append(_glue)


def weight(word: str) -> float:
    """How much a question word says about its topic: 1.0 for rare words, ~0.2 for everyday ones.

    Linear in Zipf between COMMON_ZIPF (0.2) and RARE_ZIPF (1.0); digits and
    versions ("2.0", "302") count as rare: they name things.
    """
    if any(ch.isdigit() for ch in word):
        return 1.0
    z = zipf(word)
    if z >= COMMON_ZIPF:
        return 0.2
    if z <= RARE_ZIPF:
        return 1.0
    return 0.2 + 0.8 * (COMMON_ZIPF - z) / (COMMON_ZIPF - RARE_ZIPF)


def is_rare(word: str) -> bool:
    """A word rare in English (a name, a term of art, an acronym, a number)."""
    return any(ch.isdigit() for ch in word) or zipf(word) <= RARE_ZIPF


_THIRD_PERSON = frozenset("he she his her hers him they their them theirs".split())
_FIRST_PERSON = frozenset("i my me mine i'm i've i'd myself".split())
_WH = frozenset("how what what's whats which who when where why".split())
_AUX = frozenset(
    "is are was were do does did can could should would will much many long often to won wins time".split())
#: After "what", "which" or "who" an article still asks about the world ("what's the capital of
#: Mongolia?", "what's a good banana bread recipe"); after "when", "where", "why" or "how" it opens a
#: clause recalling one thing ("when the city's budget board voted the highway down", "how a
#: newspaper got its readers to comb through receipts"), which no question of general knowledge is
#: without a verb before its subject ("when did the wall fall?").
_ARTICLES = frozenset("the a an".split())
_ASKING_WHAT = frozenset("what what's whats which who".split())
#: After "what did", "what has": a subject that is not a person ("when did the wall fall?",
#: "how did you…"); any other word there is someone whose doings are asked about.
_NOT_SOMEONE = frozenset("the a an this that these those it you your we our there".split())


def looks_general(text: str) -> bool:
    """A how-to or general-knowledge question rather than one about someone's work.

    "how do I pin a dependency?", "what is the albedo of fresh snow?", "who won
    the World Cup?", "recommend a provider for my photos": about the asker or
    the world. Questions about an archive speak of its person ("what did she
    say about...", "what did Anil talk about...", "the talk where he...") or
    name a thing ("Jitsu paper").
    Only English grammar decides this, never an archive's words.
    """
    words = [unchat(w) for w in tokens(text)]
    if not words:
        return False
    if any(w in _THIRD_PERSON for w in words):
        return False
    if any(w in _FIRST_PERSON for w in words):
        return True
    if len(words) > 2 and words[1] in ("did", "has", "have", "had") and words[2] not in _NOT_SOMEONE:
        return False  # "what did Anil talk about…", "what has Will published": someone's past work
    if words[0] not in _WH or len(words) < 2:
        return False
    return words[1] in _AUX or (words[1] in _ARTICLES and words[0] in _ASKING_WHAT)


#: Which person each pronoun points to (`person_pronoun`).
PRONOUNS = {"he": "he", "his": "he", "him": "he", "himself": "he",
            "she": "she", "her": "she", "hers": "she", "herself": "she"}
#: He or she: a question that speaks of someone is about a person's work (an archive's).
_SOMEONE = frozenset(PRONOUNS)
#: Words after which "he" or "she" is what the question is about: "the talk where he…", "did she…",
#: "when was he…", "any talks where she…".
_SUBJECT_AFTER = frozenset("where when did does do has had was is what how why".split())
#: Words that bring another person into a question before its pronoun ("the salesman who…").
_RELATIVE_PERSON = frozenset("who whom whose".split())
#: A question that opens with one of these describes one thing ("the talk where…",
#: "that essay on…", "her piece about…") instead of asking the world something.
_DESCRIBING = frozenset("the that this those a an her his their".split())


#: Words that open what pins a described item down: "the talk where…", "that essay on…".
_CLAUSE = frozenset("where when which that who one about on".split())


def speaks_of_someone(text: str) -> bool:
    """The question says "he", "she", "his", "her"…: it asks about someone's work."""
    return any(unchat(w) in _SOMEONE for w in tokens(text))


def person_pronoun(text: str) -> str | None:
    """"he" or "she", when the question refers to whom it asks about by that pronoun; else None.

    The pronoun is the question's subject when it opens the question ("his talk at PyCon", "her
    book") or follows a question or clause word ("the talk where he…", "did she…"). A pronoun
    anywhere else is most often someone the question mentions ("the soloist's grandfather used to
    sing to him", "a physicist who has his own show"), and so is any after "who": the question
    says nothing of the person asked about.
    """
    words = [unchat(w) for w in tokens(text)]
    for i, word in enumerate(words):
        if word in _RELATIVE_PERSON:
            return None
        if word in PRONOUNS:
            subject = i == 0 or (word in ("he", "she") and words[i - 1] in _SUBJECT_AFTER)
            return PRONOUNS[word] if subject else None
    return None


def describes_one_thing(text: str) -> bool:
    """The question is a description of one item ("the show where she…"), not a request.

    It opens with a determiner, and the noun after it is pinned down by a
    clause ("…where", "…that", "…about", "…comparing") or by the person
    ("her piece", "the show where she"). "A good name for a puppy" opens
    the same way but describes nothing in an archive.
    """
    words = [unchat(w) for w in tokens(text)]
    if not words or words[0] not in _DESCRIBING:
        return False
    return words[0] in _SOMEONE or speaks_of_someone(text) or any(
        w in _CLAUSE or (w.endswith("ing") and len(w) > 5) for w in words[1:6])


#: "something about…", "anything on…": a vaguer way to describe one item.
_VAGUE = frozenset("something anything stuff".split())
#: Where the frame of a description ends: "the talk WHERE she…", "her piece ON…", "the one ABOUT…".
_FRAME_END = frozenset("where when which that who about on".split())
#: The subject right after the frame ("…where SHE explained…"), part of the frame too.
_SUBJECTS = SUBJECT_PRONOUNS | {"you"}
#: How far into a description its frame may reach ("the public radio chat about…": 4 words).
_FRAME_MAX = 6


def described_content(text: str) -> str | None:
    """What a description of one item says about it, without the frame that names the item
    ("the episode where she taught listeners how to knit a scarf" -> "taught listeners how to
    knit a scarf"); None when the question is not such a description or nothing is left.

    The frame ("the episode where she", "that interview where he", "her piece on") reads
    like the titles and summaries of every talk, episode and interview: its words alone
    bring the whole question within a cosine of 0.2 to 0.4 of any archive's entries of
    that kind, whatever the item is about. The content without it is what has to match
    (`almanac.search.decide`, signal `content`).
    """
    words = [unchat(w) for w in tokens(text)]
    vague = len(words) > 2 and words[0] in _VAGUE and words[1] in _FRAME_END
    if not (vague or describes_one_thing(text)):
        return None
    for i in range(1, min(_FRAME_MAX + 1, len(words))):
        if words[i] in _FRAME_END or (not vague and words[i].endswith("ing") and len(words[i]) > 5):
            rest = words[i + 1:] if words[i] in _FRAME_END else words[i:]
            if rest and rest[0] in _SUBJECTS:
                rest = rest[1:]
            return " ".join(rest) if len(rest) >= 2 else None
    return None


#: Lowercase words that join two capitalised words into one name: "University of Michigan",
#: "Pirates of the Caribbean", "Camino de Santiago", "Lars von Trier". Not "on", "at the", "and"
#: or "for": "Justin Champion on Schama", "a Grammy for the Fela Kuti series" are two names.
NAME_JOINERS = frozenset({("of",), ("of", "the"), ("de",), ("de", "la"), ("du",), ("del",), ("da",),
                          ("di",), ("van",), ("van", "der"), ("von",), ("der",)})


def name_runs(text: str, named: set[str] | frozenset[str] | None = None) -> list[tuple[str, ...]]:
    """The question's names of several words, lowercased: ("metropolitan", "opera"), ("new", "york"),
    ("university", "of", "michigan").

    Consecutive capitalised words, by the rule of `written_as_names`, and those
    a joining word links (NAME_JOINERS). A name is one thing: "Metropolitan
    Opera" is not found in an entry that only says "opera", nor "the Order of
    Merit" in one that says "order" and "merit" apart. A joining word stays in
    the run, as the archive would write the name (`writes_run`), and is no
    content word of it (`name_terms`). `named`: `written_as_names(text)` when
    the caller has it already.
    """
    if named is None:
        named = written_as_names(text)
    runs, run, joining = [], [], []
    # Punctuation ends a name: "Little Rock, Arkansas" is two names, "Ben Green; Tim Gowers" too.
    for w in _TOKEN_OR_BREAK_RE.findall(text):
        word = w.lower().replace("’", "'")
        if w[:1].isupper() and word in named:
            run += joining + [word]
            joining = []
            continue
        if run and w[:1].islower() and (*joining, word) in NAME_JOINERS:
            joining.append(word)
            continue
        if len(run) > 1:
            runs.append(tuple(run))
        run, joining = [], []
    if len(run) > 1:
        runs.append(tuple(run))
    return runs


_SENTENCE_END = frozenset(".!?:;\"'‘“([")


def writes_as_name(text: str, word: str, anywhere: bool = False) -> bool:
    """`text` writes `word` (lowercase) with a capital where no sentence starts: as a name.

    "Report in Science with ..." names the journal, as does "Venue: Science." (a context field's
    label, `almanac.text.CONTEXT_FIELDS`); "the science of hope" does not, nor does "Science is
    ..." at a sentence's start. `anywhere`: a capital anywhere counts, sentence starts too (for
    titles, which capitalise names whatever their style: "Lecture in Montreal", "Science Friday:
    ...").
    """
    for match in re.finditer(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text, re.IGNORECASE):
        if not text[match.start()].isupper():
            continue
        before = text[: match.start()].rstrip()
        if anywhere or (before and before[-1] not in _SENTENCE_END) or _after_context_label(before):
            return True
    return False


_CONTEXT_LABEL = re.compile(r"(?<![^\W_])(" + "|".join(f.capitalize() for f in CONTEXT_FIELDS) + r"):\Z")


def _after_context_label(before: str) -> bool:
    """`before` ends with a context field's label ("... Venue:"): the capital after it begins a name
    ("Venue: Nature."), not a sentence."""
    return before.endswith(":") and _CONTEXT_LABEL.search(before[-20:]) is not None


def names_it(title: str, summary: str, word: str) -> bool:
    """An entry writes `word` as a name: with a capital in its title, or mid-sentence in its summary.

    A title in title case ("The Science of Hope") capitalises every word, so
    it may name nothing, but a place or a venue is often named only there
    ("Beatty Lecture at McGill, Montreal"): the title gets the benefit of
    the doubt, the summary does not.
    """
    return writes_as_name(title, word, anywhere=True) or writes_as_name(summary, word)


_DOUBLED = re.compile(r"(.)\1+")


def undouble(word: str) -> str:
    """`word` with each run of one letter written once ("ferriss" -> "feris"): the commonest slip,
    a doubled letter dropped or added, undone on both sides."""
    return _DOUBLED.sub(r"\1", word)


def by_undoubled(vocabulary: dict[str, int]) -> dict[str, str]:
    """Undoubled form -> the commonest of the `vocabulary` words with it (ties: alphabetical), for
    words of three letters or more that are not numbers (what typos are corrected to)."""
    index: dict[str, str] = {}
    for word, count in vocabulary.items():
        if len(word) < 3 or word.isdigit():
            continue
        key = undouble(word)
        held = index.get(key)
        if held is None or (-count, word) < (-vocabulary[held], held):
            index[key] = word
    return index


def writes_run(text: str, runs: list[tuple[str, ...]]) -> bool:
    """`text` holds one of `runs` (lowercased words, `name_runs`) word after word, in any case,
    a possessive read as its word ("the New York Times's").

    One regular expression a run (`run_pattern`) searched in the lowercased text, rather than
    cutting the text into words: at 10,000 entries a question naming a frequent name checks
    ~170 entries. A text that lowercasing lengthens (a dotted capital I) is cut into words.
    """
    lowered = text.lower().replace("’", "'")
    bare = [tuple(map(possessor, run)) for run in runs]  # "Sifan Hassan's win"
    if len(lowered) == len(text):
        return any(run_pattern(run).search(lowered) for run in bare)
    words = [possessor(w) for w in tokens(text)]
    return any(tuple(words[i:i + len(run)]) == run for run in bare for i, w in enumerate(words) if w == run[0])


#: Where `tokens` starts a word: not after a letter or digit, nor after one joined by "." or "'".
_WORD_START = r"(?<![^\W_])(?<![^\W_][.'])"
#: Where it ends one, a possessive read as part of it: no letter or digit, joined or not, follows.
_WORD_END = r"(?:'s)?(?![^\W_])(?![.'][^\W_])"


@functools.lru_cache(maxsize=256)
def run_pattern(run: tuple[str, ...]) -> re.Pattern:
    """The lowercased words `run` as `tokens` reads them, one after another: each a whole word,
    anything but letters and digits between them."""
    return re.compile(_WORD_START + r"[\W_]+".join(re.escape(w) + _WORD_END for w in run))


def name_terms(terms, runs: list[tuple[str, ...]]) -> list[set[str]]:
    """The question's content words in each of its names (`name_runs`), for the names that have any."""
    return [members for members in ({t for t in terms if t in run} for run in runs) if members]


def written_as_names(text: str) -> set[str]:
    """Lowercased words the question capitalises as names ("Thomas Leonard", "in Nature").

    English capitalises proper nouns, and a name can be an everyday word
    ("Nature", "Kennedy", "Rust") that wordfreq calls common. The first word
    counts only when the next is capitalised too (a sentence's first word is
    capitalised anyway), or when it is the whole question ("Baltimore": one
    word typed with a capital names a place or a person, where "baltimore"
    says nothing); a question written all in capitals names nothing.
    """
    words = written_words(text)
    if not words or text.upper() == text:
        return set()
    capital = [w[:1].isupper() for w in words]
    return {w.lower().replace("’", "'") for k, w in enumerate(words)
            if capital[k] and (k > 0 or len(words) == 1 or capital[1])}
