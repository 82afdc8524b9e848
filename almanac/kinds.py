"""Reading an entry's kind from its wording, when the source does not say.

A reader tells what an entry IS from a few places, not from every word it
mentions, and so does this module:

- the summary's *lead*: the noun phrase it opens with ("Episode of ...",
  "Paper with ... in <journal>", "Book published by ...", "Four-part BBC Two
  series", "Keynote at ...") or, when it opens with a subject, the verb that
  follows ("... interviewed Schmidt", "My book is out", "Released a demo");
- what the entry calls itself ("this episode", "this post");
- the rest of the first sentence, then the other sentences, each counting
  less: later sentences mostly mention things (a book discussed on a podcast,
  a keynote written up in an article);
- the title, whose cue words are often names: a show's name before an episode
  number ("Talk Python To Me #380", "SE Radio 669:") is not read at all, so
  only the number (an episode) counts, and a title cue is usually outvoted by
  what the summary says the entry is. Three things in a title count as much as
  the summary's lead, because a reader takes them as the title saying what the
  entry is: a kind word in its head ("Radio interview: ...", "Address to
  ..."); a headline's event verb or bare passive with no first person ("X
  premieres at ...", "Two choirs open ...", "Y appointed to ..."; news); and a
  first-person quotation ("'I never meant to stay'"; an interview). A title
  that names a position ("Research fellow at ...") is an appointment (news).
  A talk's word in the title that the summary writes inside a name ("Talk
  Easy with Sam Fragoso" where the summary says "who hosts Talk Easy",
  "GeekWire Summit 2017 conversation") is that name, and counts as a name
  inside a sentence does.

Two kinds of evidence are resolved rather than counted. Being a *show*
(episode, host, guest, series, programme) says podcast or video, and the
medium decides (radio, listeners: podcast; television, filmed, YouTube,
viewers, a livestream, footage, narration, a camera, BBC1: video; neither:
podcast, which most shows without a word of their medium are). A
*conversation* ("talks with", "chatted with") is part of the show when
there is one, else an interview. A cue word written with a capital inside
a sentence is part of a name ("Profile Books", "Youth Climate Summit") and
counts half, except a paper's: a journal's name ("In the Journal of
Biological Chemistry, we reported ...") says where the entry was published
(over the eighteen evaluation archives two more papers right, none lost;
one more on the four unseen), and a radio station's name ("Donald Macleod
spends a week of BBC Radio 3 programmes ...") says the medium of a show on
it: two more podcasts right, none lost. A screen word in a name stays
halved: "the Netflix series" is mostly mentioned, not watched (leaving it
whole cost a podcast that mentioned one). With no cue, or only weak hints,
an entry is an article (the broadest kind), which also wins ties. Where
these rules are not sure (no kind named at the title's head or in the lead,
no telling link), `almanac.kind_model` reads the kind from all the words
with the rules' evidence as inputs.

Cues are words and short phrases looked up in one dictionary after a single
tokenising pass, visiting only the tokens that can start a cue: about half
the time of the one large regular expression this replaced (bench/kinds.py
times both in the same run).
"""

from __future__ import annotations

import re

from almanac.link_kind import link_kind
from almanac.text import ends_no_sentence, sentences
from almanac.words import OBJECT_PRONOUNS

KINDS_ORDER = ("article", "talk", "paper", "podcast", "interview", "video", "news")

#: Cue words and phrases -> (kind, weight). In each string the words before the first "|" are
#: single-word cues and each later "|" part is one phrase. Weight 3 names the kind itself; 2 is
#: strong evidence; 1 a hint. "show" and "conversation" are resolved at the end (module
#: docstring); "audio" / "visual" give the medium of a show and no kind of their own.
_CUES: tuple[tuple[str, str, float], ...] = (
    ("talk talks keynote keynotes lecture lectures seminar seminars presentation colloquium speech", "talk", 3),
    ("spoke speaking delivered conference meetup session panel panelist symposium workshop audience "
     "evening debate festival live-coded remarks summit slides webinar testimony testified|on stage|gave a talk",
     "talk", 2),
    ("address", "talk", 3),
    # Speaking before a court or from a lectern is a talk ("Weinberger v. Wiesenfeld oral argument").
    ("lectern podium|oral argument|oral arguments|argued before|arguing before|argument before", "talk", 2),
    ("|an address|her address|his address|my address", "talk", 2),
    ("presented gave attendees venue hall", "talk", 1),
    # Speaking to a crowd is a talk, though "spoke to" a person is an interview ("I spoke to thousands
    # standing in the rain", "spoke to students at ..."; over the 103 evaluation archives five talks
    # were read as interviews for it).
    ("|" + "|".join(f"{verb} to {crowd}" for verb in ("spoke", "speaks", "speaking", "talked", "talking")
                    for crowd in ("thousands", "hundreds", "students", "graduates", "delegates", "crowds",
                                  "a crowd", "the crowd", "an audience", "more than")), "talk", 2),
    # A university's graduation ceremony is known by the speech given at it ("USF School of Law
    # commencement", "the commencement speaker"): over the ninety-four evaluation archives, 47 of
    # the 52 entries writing it are talks.
    ("commencement", "talk", 2),
    ("|book festival|book festivals|literary festival|book fair|book fairs", "talk", 2),  # a festival, not a book
    ("|book signing|book tour|book launch", "talk", 1),
    ("paper papers preprint preprints journal proceedings|law review|law reviews|law review article"
     "|law review articles", "paper", 3),  # a scholar of law's journal, and what it prints
    ("chapter co-authored coauthored co-written peer-reviewed study vol|et al|published in|lead author",
     "paper", 2),
    ("|policy brief|research brief|issue brief|discussion series|working paper series|white paper", "paper", 3),
    # A finding or a judgment in writing: "I proved ...", "we found that ...", a court's opinions.
    ("proved|my result|our result|our results|we found|we showed|we show|we prove", "paper", 2),
    # A scholar's own long work, and how papers speak of their claims and authors.
    ("dissertation thesis monograph", "paper", 3),
    ("first-authored|we hypothesise|we hypothesize|we conjectured|we conjecture|we propose|we report"
     "|we analysed|we analyzed|we argue|we demonstrate", "paper", 2),
    ("|majority opinion|dissenting opinion|opinion of the court|amicus brief", "paper", 3),
    ("dissent", "paper", 2),  # a judge's ("My dissent from the 5-4 ruling"), or a crackdown's object
    ("article articles essay essays op-ed column diary diaries memoir obituary write-up|blog post|public service announcement|wrote up"
     "|programme note|program note|programme notes|program notes|liner notes|sleeve notes"
     # a diary's or a blog's ("A journal entry about my own death"), not a learned journal's
     "|journal entry|journal entries|journal post|journal posts|online journal|rehearsal journal"
     "|training journal|travel journal|personal journal|daily journal",
     "article", 3),
    ("book wrote blog post newsletter piece review guide tutorial writeup volume comment commentary round-up roundup"
     "|published by", "article", 2),
    ("report", "article", 1),
    ("podcast podcasts", "podcast", 3),
    ("episode", "show", 3),
    ("episodes", "show", 2),
    ("show host hosts co-host co-hosted guest guests segment series programme season radio"
     "|hosted by|appeared on|had me on|invited me onto|invited me on", "show", 2),
    ("weekly", "show", 1),
    ("quiz", "show", 2),
    ("podcast podcasts radio listen listeners listening audio", "audio", 1),
    ("video videos tv television filmed film films youtube documentary screencast webcast watch viewers "
     "directed showrunner livestream livestreamed|bbc one|bbc two|bbc four|directed by", "visual", 1),
    ("footage camera cameras cameraman filming narration narrated narrator primetime "
     "iplayer bbc1 bbc2 bbc4|on screen", "visual", 1),
    # Broadcasters and platforms say the medium of a show as plainly ("CNN's The Next List, hosted by").
    ("netflix hbo cnn cbs nbc pbs itv hulu vimeo|channel 4|sky arts|national geographic", "visual", 1),
    ("npr spotify|world service|bbc sounds", "audio", 1),
    ("interview interviews interviewed questionnaire q&a", "interview", 3),
    ("profile|spoke to|talked to|talking to", "interview", 2),
    # A call with someone is a conversation held to be reported: an interview, on screen or not.
    ("|video call|phone call|telephone call|zoom call", "interview", 3),
    ("asked", "interview", 1),
    ("|asked me|asked us", "interview", 2),  # someone put questions to the subject
    ("conversation chat chatted chatting|talks with|talked with|talking with|spoke with|we talked"
     "|we discussed|talked about|sat down with|sat with|caught up with|lunch with", "conversation", 2),
    ("video videos screencast screencasts webcast documentary youtube livestream livestreams livestreamed", "video", 3),
    ("clip clips", "video", 2),
    ("tv television film filmed watch demo demonstration|bbc one|bbc two|bbc four|screen recording|directed by",
     "video", 2),
    ("announce announces announced announcing announcement released wins won awarded prize award "
     "appointed honours honour honoured honored elected|is out|is published|is released|was released"
     "|has been released|is now available|is available|now available|is live", "news", 3),
    ("premiere premieres premiered unveiled unveils nominated nominates medal medals|came out|comes out"
     "|press conference", "news", 2),
    ("|world premiere|world premieres", "news", 3),
    ("version release releases launch launched launches acquired acquisition dame obe "
     "briefing confirmed named beta|shutting down|wrapping up|on record", "news", 2),
    ("record joins joined", "news", 1),
)
#: Phrases that hold a cue word but are not that cue ("named after", "to show").
_NOT_CUES = ("named after", "to show", "on show", "on paper",
             # a show on a catwalk or a gallery's walls, not a broadcast's
             "fashion show", "runway show", "catwalk show", "degree show", "graduate show", "solo show",
             "group show", "art show", "gallery show", "trade show", "air show", "flower show", "slide show",
             # the people at an event, not a show's guest
             "among the guests", "guests included", "invited guests",
             "to watch", "show off", "shows off", "to film", "to review",
             "email address", "web address", "home address", "ip address", "to address",
             # a person's documents, not a scholar's: "why sign marriage papers?"
             *(f"{what} papers" for what in ("marriage", "divorce", "immigration", "court", "legal", "adoption",
                                             "identity", "citizenship", "residency", "release", "discharge")),
             # A kind word that names something else: speech as a right or a harm, and the places a
             # book is read or sold in, which are not a book.
             "hate speech", "free speech", "book club", "book clubs", "book shop", "book shops",
             # games played on a screen are no video of the entry's ("Video games can never be art")
             "video game", "video games", "video gaming")
#: Headline verbs: news when a title says them ("NASA names Schmidt director", "Rich adds ...",
#: "The new opera premieres at ...", "Trio opens the festival", "Smith appointed editor"). Headlines
#: report events in the present tense or a bare participle; a title in the first person does not.
_TITLE_NEWS = frozenset(
    "names adds launches joins wins announces acquires unveils releases appoints premieres premiered opens "
    "plays appointed elected awarded honoured honored debuts receives confirms "
    # someone's life and work changing hands: "Hans Rosling dies at 68", "Dropbox hires Guido ...",
    # "Torvalds leaves Transmeta", "Anthony Ray Hinton freed after ..."
    "dies hires leaves freed retires resigns "
    # a court's or a prosecutor's acts, in the singular and plural present of headlines
    "acquits acquit charges charge sues sue convicts convict jails jail bans ban arrests arrest detains detain "
    "investigates investigate".split())
#: "open" is a headline verb only with an object after it ("Two choirs open the festival").
_OBJECT_START = frozenset("the a an his her their its".split())
_FIRST_PERSON = frozenset("i my me we our us i'm i've i'd i'll".split())
#: Nouns that name a position: a title that is a role ("Senior economist at ...", "Research
#: Fellow", "Artist in residence at ...") records an appointment, which is news.
_ROLES = frozenset(
    "fellow fellowship residence residency economist director professor professorship chair trustee "
    "president member adviser advisor editor laureate appointment".split())
#: A title that quotes someone in the first person ("'I never planned to teach'", "Smith: 'We were
#: lucky'") gives their own words: an interview.
_QUOTE_OPEN = re.compile(r"(?:^|:\s*)['‘\"“]")


def _build_lexicon() -> dict[tuple[str, ...], tuple[tuple[str, float], ...]]:
    lexicon: dict[tuple[str, ...], tuple[tuple[str, float], ...]] = {}
    for spec, kind, weight in _CUES:
        words, *phrases = spec.split("|")
        for phrase in [(w,) for w in words.split()] + [tuple(p.split()) for p in phrases]:
            lexicon[phrase] = lexicon.get(phrase, ()) + ((kind, float(weight)),)
        for word in words.split():  # a possessive is its word ("the quiz's host", "the show’s guests")
            for ending in ("'s", "’s"):
                lexicon[(word + ending,)] = lexicon.get((word + ending,), ()) + ((kind, float(weight)),)
    for phrase in _NOT_CUES:
        lexicon[tuple(phrase.split())] = ()
    return lexicon


_LEXICON = _build_lexicon()
#: The lexicon by first word: (the rest of the phrase, its cues), longest phrase first.
_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, float], ...]]]] = {}
for _phrase, _hits in sorted(_LEXICON.items(), key=lambda item: -len(item[0])):
    _BY_FIRST.setdefault(_phrase[0], []).append((_phrase[1:], _hits))

_TOKEN = re.compile(r"#?\w+(?:[.'’&-]\w+)*|[.,;:!?()|—–]")
#: An episode number: "#380", "EP.237", "S3 EP10", "s02e05" ("Episode 12" and "Ep. 12" are two tokens).
_EPISODE = re.compile(r"#\d+|ep\.?\d+|s\d+e(?:p)?\d+")
#: A length given as what the entry is ("A 46-minute conversation", "A half-hour television
#: interview", "Hour-long episode"): a recording someone published, so a show.
_DURATION = re.compile(
    r"(?:\d+|half|quarter|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|sixty|ninety)-(?:minute|hour)|(?:hour|minute)-long", re.IGNORECASE)
_SEMVER = re.compile(r"v?\d+\.\d+\.\d+")
#: Before a number, words of a citation: where in a journal an entry was printed ("volume 70, pages
#: 12 to 27", "vol 474"), so it is a paper, whatever it calls itself ("An article by ... in ...").
#: Tokens never end in a dot, so "vol. 474" and "pp. 12" (a dot between) are not read as one.
_CITATION = frozenset("volume vol pages pp".split())
_DIGITS = frozenset("0123456789")
_POSSESSIVE = ("'s", "’s")
#: The last word of a hyphenated compound ("mini-series").
_HYPHEN_LAST = re.compile(r"-([A-Za-z]+)\b(?![-'’])")
#: Substrings without which no token can be an event's name (a cheap test before looking).
_EVENT_HINTS = ("Con", "CONF", "Summit", "Camp", "Fest")
#: An event's name: "DockerCon", "JSConf", "XenSummit", "BarCamp" (a conference, so a talk given there).
_EVENT_NAME = re.compile(r"[A-Z]\w*[a-z0-9](?:Con|Conf|CONF|Summit|Camp|Fest)")
_SENTENCE_END = frozenset(".!?")
_PUNCT = frozenset(".,;:!?()|—–")
#: Words that end the lead's noun phrase (prepositions, relatives, conjunctions of clauses).
_LEAD_STOP = frozenset(
    "at in on with by for from about during after before to into onto as that which who whom where when "
    "while whose than through under over between via featuring if because since although though".split())
#: Verbs that end the lead; the verb and its particle join it ("wrote up", "is out", "spoke at").
_LEAD_VERBS = frozenset(
    "is was are were be been has have had will would can could may might should must does did do "
    "gave gives give spoke speaks wrote writes talks explains argues asks says said made makes took takes "
    "became comes came went goes got gets sat runs ran won joins shows tells brings adds offers "
    "describes covers examines discusses looks sets".split())
_COPULAS = frozenset("is was are were".split())
#: A cue phrase starting with one of these in the first sentence says what happened to the
#: entry's subject ("My new book on storage is out", "Version 2 has been released").
_PREDICATES = _COPULAS | {"has"}
_PARTICLES = frozenset("up out me at to with on onto about in now a an the".split())
_SUBJECT_PRONOUNS = frozenset("i we he she they you it".split())
_LEAD_MAX = 7
#: People whose job is to report, and verbs of going to meet someone: "A reporter walked with her
#: through ...", "Irish journalist Jo Smith spent a week with him": the press met the subject, an
#: interview (a profile built on it), whatever else the sentence names.
_PRESS = frozenset("journalist journalists reporter reporters correspondent correspondents interviewer writer "
                   "writers".split())
_MEETING = frozenset("met meets sat sits spent spends walked walks visited visits joined joins took takes "
                     "caught catches followed follows shadowed shadows accompanied accompanies lunched".split())
_PRESS_SUBJECT_MAX = 8
#: Words that, a few words before "on <Name>", make it an appearance on a show:
#: "joined Dan Snow on History Hit", "Back on Screaming in the Cloud", "had me on The Changelog".
_APPEARING = frozenset("joined joins joining appeared appears appearing back me guest guests".split())
#: "talk" after these is a noun (a talk someone gave); before "with"/"to"/"about" or after a
#: subject it is a verb (a conversation).
_TALK_NOUN_BEFORE = frozenset("a the this my his her their our short keynote ted".split())
_TALK_VERB_BEFORE = frozenset("to me we they i you he she also".split())
_TALK_VERB_AFTER = frozenset("with to about".split())
#: A placing: "finished sixth", "came second", "was tenth in 2:06"; a title that opens with one
#: ("Sixth at the London Marathon", "Tenth in Tokyo") reports a result. "First" is left out: it starts
#: too many other titles ("First steps with ...").
_ORDINALS = frozenset("second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())
_PLACING_VERBS = frozenset("finished finishes came comes was placed ended took".split())
_EPISODE_NUMBERS = frozenset("one two three four five six seven eight nine ten eleven twelve".split())
_NUMBER_WORDS = frozenset("three four five six seven eight nine ten twelve fifteen twenty".split())
_TRIGGER_WORDS = frozenset(_BY_FIRST) | _SENTENCE_END | {
    "ep", "episode", "on", "onto", "tells", "told", "questions", "profiled", "interviewed"} | _ORDINALS


def _cased(words) -> frozenset[str]:
    """Words as they may be written: lowercase, Capitalised, Title-Cased, UPPERCASE."""
    return frozenset(f(w) for w in words for f in (str.lower, str.capitalize, str.title, str.upper))


#: Tokens are matched as written against every casing of a trigger (no lowercasing of whole texts).
_TRIGGERS = _cased(_TRIGGER_WORDS)
_TITLE_TRIGGERS = _TRIGGERS | _cased(_TITLE_NEWS | _ROLES | {"open"})

#: Factors for where a cue stands: the lead and self-references count most, then the first
#: sentence and the title, and a later sentence least of all. Set by hand; `bench/kinds.py
#: --fit` chooses them from a small grid leave-one-archive-out, and on every archive it
#: picks these (its report also gives the held-out range over all settings tied with them).
TITLE_FACTOR, LEAD_FACTOR, FIRST_FACTOR = 1.5, 3.0, 1.5
#: A kind word in the title's head ("Radio interview: ...") counts as much as the summary's lead.
TITLE_HEAD_FACTOR = 3.0
#: A cue word capitalised inside a sentence is part of a name.
NAME_FACTOR = 0.5
#: Cues that keep their weight inside a name: a journal's name still says where a paper was
#: published ("the Journal of Biological Chemistry"), a station's the medium of a show ("BBC Radio 3").
_WHOLE_IN_NAMES = frozenset({"paper", "audio"})
#: Below this score nothing was said clearly enough: an article.
MIN_SCORE = 2.5
#: What a link to a place whose pages are all one kind adds (`almanac.link_kind`): as much as a
#: kind word in the title's head (weight 3 there). Over the seventeen evaluation archives, added
#: weights of 1 to 20 give 518 (up to 2), 521 (3), 522, 524, 525 (9), 524 (12) and 523 (20) of 635.
LINK_WEIGHT = 3.0 * TITLE_HEAD_FACTOR


def _scan(text: str, triggers: frozenset[str] = _TRIGGERS) -> tuple[list[str], list[int]]:
    """Tokens, and the indexes of the few worth looking at (trigger words, numbers, event names)."""
    tokens = _TOKEN.findall(text)
    digits = _DIGITS
    found = [i for i, w in enumerate(tokens) if w in triggers or w[-1] in digits]
    if "'s" in text or "’s" in text:
        # A possessive cue: "NPR's news quiz", "CNN's The Next List". One search of the text first.
        owners = [i for i, w in enumerate(tokens) if w.endswith(_POSSESSIVE) and w[:-2] in triggers]
        if owners:
            found = sorted(set(found).union(owners))
    if "-" in text:
        # A compound's last word says what the whole is ("mini-series", "web-series"): read it as that
        # word. Found by one search of the text, as such compounds are rare.
        last = {w for w in _HYPHEN_LAST.findall(text) if w in triggers}
        if last:
            found = sorted(set(found).union(
                i for i, w in enumerate(tokens) if "-" in w and w.rsplit("-", 1)[1] in last))
    if any(h in text for h in _EVENT_HINTS):
        events = [i for i, w in enumerate(tokens) if _EVENT_NAME.fullmatch(w)]
        if events:
            found = sorted(set(found).union(events))
    return tokens, found


#: A year or a season of the year just before "show" ("the 2022 show", "her autumn show").
_YEAR_OR_SEASON = re.compile(r"(?:19|20)\d\d|spring|summer|autumn|fall|winter", re.IGNORECASE)
#: Words before "season" that number a show's seasons ("the second season", "a new season").
_SEASON_COUNTS = _ORDINALS | _EPISODE_NUMBERS | frozenset({"first", "new", "twenty", "thirty"})
_NTH = re.compile(r"\d+(?:st|nd|rd|th)")


def _numbered(tokens: list[str], i: int) -> bool:
    """Whether the season at i is numbered as a show's are: "season 3", "season two", "the second
    season", "its 20th season", "a new season". A season otherwise belongs to a sport, a theatre or
    the calendar ("my 2016 season", "the fall season", "the awards season")."""
    before = tokens[i - 1].lower() if i else ""
    after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    return (before in _SEASON_COUNTS or bool(_NTH.fullmatch(before)) or after[:1].isdigit()
            or after in _EPISODE_NUMBERS)


def _cues(tokens: list[str], found: list[int], start: int = 0):
    """(index, kind, weight) of every cue at or after `start`; a longer phrase wins over its first word."""
    end = len(tokens)
    skip = start
    for i in found:
        if i < skip:
            continue
        word = tokens[i].lower()
        if word not in _BY_FIRST and word.endswith(_POSSESSIVE) and word[:-2] in _BY_FIRST:
            word = word[:-2]
        if word not in _BY_FIRST and "-" in word:
            word = word.rsplit("-", 1)[1]
        if word[-1] in _DIGITS and word not in _BY_FIRST:  # "BBC1" is a cue, "#380" and "v2.1.0" are read here
            if _EPISODE.fullmatch(word):
                yield i, "show", 4.0
            elif _SEMVER.fullmatch(word):
                yield i, "news", 2.0
            continue
        if word in _CITATION and i + 1 < end and tokens[i + 1].isdigit():
            continue  # "volume 70": a citation (`kind_scores`), not a book's volume
        if word in ("tells", "told"):
            # "tells the Observer", "told Radio Times": speaking to a named outlet or person.
            nxt = tokens[i + 1] if i + 1 < end else ""
            if nxt[:1].isupper() or (nxt.lower() in ("the", "a") and i + 2 < end and tokens[i + 2][:1].isupper()):
                yield i, "interview", 2.0
            continue
        if word in _ORDINALS:
            if i and tokens[i - 1].lower() in _PLACING_VERBS:
                yield i, "news", 2.0  # a result: "finished sixth", "came second"
            continue
        if word == "profiled":
            # "The Gazette profiled Jo Smith", "profiled her": a profile of someone (a program is profiled too).
            nxt = tokens[i + 1] if i + 1 < end else ""
            if nxt[:1].isupper() or nxt.lower() in OBJECT_PRONOUNS:
                yield i, "interview", 3.0
            continue
        if word == "interviewed":
            # "I interviewed my mother for the piece": the subject asked, so the entry is their own
            # work; "Jo Smith interviewed me", "interviewed by ...": an interview.
            if i and tokens[i - 1].lower() in ("i", "we"):
                yield i, "article", 1.0
            else:
                yield i, "interview", 3.0
            continue
        if word == "questions":
            # "10 Questions for ...", "Five questions with ...", "Jo Smith questions Ada Lovelace",
            # "Jo Smith's questions for the Gazette".
            before = tokens[i - 1] if i else ""
            if before.isdigit() or before.lower() in _NUMBER_WORDS or before.endswith(("'s", "’s")) or (
                    tokens[i] == "questions" and before[:1].isupper() and tokens[i + 1:i + 2] != []
                    and tokens[i + 1][:1].isupper()):
                yield i, "interview", 3.0
            continue
        if word in ("show", "shows") and i and _YEAR_OR_SEASON.fullmatch(tokens[i - 1]):
            continue  # "the summer 2025 show", "her spring show": a collection shown, not a broadcast
        if tokens[i] in ("show", "shows") and i + 1 < end and tokens[i + 1].lower() == "at":
            continue  # "his show at the Wallace Collection", "shows at Wembley": one put on somewhere, not
            # a broadcast (a broadcast is "on": "on the show", "a show on Channel 4"; "The Ezra Klein Show at
            # Vox" is a show's name)
        if word in ("season", "seasons") and not _numbered(tokens, i):
            continue  # "my 2016 season", "the fall season": a sport's or a theatre's, not a show's
        if word in ("episode", "ep") and i + 1 < end and (
                tokens[i + 1][:1].isdigit() or tokens[i + 1].lower() in _EPISODE_NUMBERS):
            yield i, "show", 4.0  # "Episode 276", "Ep. 12", "episode two"
            skip = i + 2
            continue
        for rest, hits in _BY_FIRST.get(word, ()):
            n = len(rest)
            if n and tuple(t.lower() for t in tokens[i + 1:i + 1 + n]) != rest:
                continue
            if n == 0 and word in ("talk", "talks") and _is_verb_talk(tokens, i):
                if word == "talks" and i and (tokens[i + 1:i + 2] == ["to"] or _talks_of(tokens, i)) and (
                        tokens[i - 1][:1].isupper() or tokens[i - 1].lower() in ("he", "she", "who")):
                    # "Jo Bloggs talks to the composer": an interviewer; "Rich Harris talks SvelteKit",
                    # "Stacey Abrams Talks New 2020 Voter Protection Initiative": the headline's way
                    # of saying someone was asked about something
                    yield i, "interview", 2.0
                break
            for kind, weight in hits:
                yield i, kind, weight
            skip = i + 1 + n
            break
        else:
            if _EVENT_NAME.fullmatch(tokens[i]):
                yield i, "event", 2.0


def _named_in_summary(tokens: list[str], i: int, summary: str) -> bool:
    """Whether the title's word `i` is part of a name the summary writes: capitalised, with a
    capitalised neighbour, the two written together in the summary ("Talk Asia", "GeekWire Summit").

    Only a talk's words are read so: they begin shows and events ("Talk Easy", "TED Talks Daily",
    "the Cheltenham Science Festival"). A news word the summary repeats in a name still says what
    happened ("International Literature Prize": she was given it); read as a name, that cost one
    entry of the eighteen evaluation archives."""
    word = tokens[i]
    if not word[:1].isupper():
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    before = tokens[i - 1] if i else ""
    return ((after[:1].isupper() and f"{word} {after}" in summary)
            or (before[:1].isupper() and f"{before} {word}" in summary))


def _is_verb_talk(tokens: list[str], i: int) -> bool:
    """'to talk about', 'Schmidt talks with', 'we talked', 'Rich Harris talks SvelteKit': a
    conversation, not a talk someone gave."""
    before = tokens[i - 1].lower() if i else ""
    if before in _TALK_NOUN_BEFORE:
        return False
    after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    return before in _TALK_VERB_BEFORE or after in _TALK_VERB_AFTER or _talks_of(tokens, i)


def _talks_of(tokens: list[str], i: int) -> bool:
    """A headline's "<Name> talks <something>" ("Kelsey Hightower talks Kubernetes and community",
    "AOC talks 2020 election"): "talks" right after a name and before a word is the verb. A
    series is named with the noun and a colon after it ("Berkeley Talks: the future of gene
    editing", "Travel Talks: ..."), or "TED Talks" (`_TALK_NOUN_BEFORE`)."""
    return (tokens[i].lower() == "talks" and i > 0 and tokens[i - 1][:1].isupper()
            and i + 1 < len(tokens) and tokens[i + 1][:1].isalnum())


#: After a headline's bare participle: its agent or place ("premiered by ...", "reviewed in ...").
_PASSIVE_NEXT = frozenset("by in at as to for".split())
_AUXILIARIES = frozenset("is was are were be been being has have had".split())
#: After these a verb is a clause's past tense, not a headline's passive ("the discovery that led to ...").
_RELATIVES = frozenset("that which who".split())
#: Participles of a credit, not an event: "presented by", "hosted by", "directed by".
_CREDITS = frozenset(
    "presented hosted co-hosted directed narrated produced written edited curated moderated chaired organised "
    "organized sponsored powered supported illustrated translated".split())


def _headline_passive(tokens: list[str], start: int) -> bool:
    """A headline's passive without its auxiliary: "Smith appointed to the board", "Opera premiered by ..."."""
    for j in range(max(start, 1) + 1, len(tokens)):
        if tokens[j] not in _PASSIVE_NEXT:
            continue
        i = j - 1
        word = tokens[i]
        if (word.endswith("ed") and word.islower() and tokens[i - 1].lower() not in _AUXILIARIES
                and tokens[i - 1].lower() not in _RELATIVES and word not in _CREDITS):
            return True
    return False


def _title_head_end(lower: list[str], start: int) -> int:
    """End of the title's head: its words up to the first preposition, clause word or punctuation."""
    for i in range(start, min(len(lower), start + _LEAD_MAX)):
        if lower[i] in _PUNCT or lower[i] in _LEAD_STOP:
            return i
    return min(len(lower), start + _LEAD_MAX)


def _lead_end(tokens: list[str], end: int) -> int:
    """End of the summary's lead: its opening noun phrase, or a verb and its particle."""
    lower = [t.lower() for t in tokens[:min(end, _LEAD_MAX + 4)]]
    end = len(lower)
    i = 0
    if end and lower[0] in _SUBJECT_PRONOUNS:
        i = 1
    elif end and lower[0].endswith("ed") and "-" not in lower[0]:
        # No subject: the verb says it ("Released a demo": news; "Interviewed by ...", "Published in ...");
        # its object counts as the rest of the first sentence does.
        return 1
    while i < end and i < _LEAD_MAX:
        word = lower[i]
        if (word in _PUNCT and not (word == "." and i and len(lower[i - 1]) == 1)) or word in _LEAD_STOP:
            return i
        if word in _LEAD_VERBS or (word.endswith("ed") and tokens[i][0].islower() and "-" not in word):
            j = i + 1
            while j < end and j - i <= 3 and lower[j] in _PARTICLES:
                j += 1
            if word in _COPULAS:  # "was a guest on": the complement says what it was
                j = max(j, i + 4)
            return min(j, end)
        i += 1
    return i


def kind_scores(title: str, summary: str) -> dict[str, float]:
    """The weight of evidence for each kind and for show, conversation and medium (`resolve` combines them)."""
    # Each group of cues (kind, weight) counts once per place, where it stands strongest.
    best: dict[tuple[str, float, str], float] = {}

    def add(kind: str, weight: float, factor: float, place: str) -> None:
        key = (kind, weight, place)
        if weight * factor > best.get(key, 0.0):
            best[key] = weight * factor

    # Title: a show's name before an episode number is a name, not a cue ("Talk Python To Me #380",
    # "SE Radio 669: ..."; a series numbered in the hundreds is a show, not a set of lectures).
    tt, found = _scan(title, _TITLE_TRIGGERS)
    tl = [t.lower() for t in tt]
    start = 0
    for i, word in enumerate(tl):
        if (_EPISODE.fullmatch(word) or (word in ("ep", "episode") and i + 1 < len(tl) and tl[i + 1][:1].isdigit())
                or (word.isdigit() and len(word) == 3 and i + 1 < len(tl) and tl[i + 1] in (":", "|"))):
            add("show", 4.0, TITLE_FACTOR, "title")
            start = i + 1
            break
    head_end = _title_head_end(tl, start)
    # A subtitle's head, after the title's first colon, names the kind as the head does ("Marathoning's
    # Zen Master: the interview with Cathal Dennehy").
    colon = next((i for i in range(head_end, len(tl)) if tl[i] == ":"), None)
    sub_start = colon + 1 if colon is not None else len(tl)
    sub_end = _title_head_end(tl, sub_start)
    for i, kind, weight in _cues(tt, found, start):
        if kind == "talk" and _named_in_summary(tt, i, summary):
            # "Talk Easy with Sam Fragoso: ..." where the summary says "who hosts Talk Easy": a show's
            # or an event's name ("GeekWire Summit"), which says what the entry is no more than
            # "Profile Books" does.
            add(kind, weight, TITLE_FACTOR * NAME_FACTOR, "title")
            continue
        if (i < head_end or sub_start <= i < sub_end) and weight >= 3.0 and kind in KINDS_ORDER:
            # The title's head names the kind: "Keynote at ...", "Radio interview: ...".
            add(kind, weight, TITLE_HEAD_FACTOR, "head")
        else:
            add("talk" if kind == "event" else kind, weight, TITLE_FACTOR, "title")
    first_person = not _FIRST_PERSON.isdisjoint(tl)
    if _QUOTE_OPEN.search(title) and first_person:
        add("interview", 3.0, TITLE_HEAD_FACTOR, "head")  # the subject's own words
    elif not first_person and (any(
            (tl[i] in _TITLE_NEWS or (tl[i] == "open" and i + 1 < len(tl) and tl[i + 1] in _OBJECT_START))
            for i in found if i > start) or _headline_passive(tt, start)):  # "NASA names ...", "X premieres at ..."
        add("news", 3.0, TITLE_HEAD_FACTOR, "head")  # the headline's verb says what happened
    if len(tl) > start + 1 and tl[start] in _ORDINALS and tl[start + 1] in ("at", "in"):
        add("news", 3.0, TITLE_HEAD_FACTOR, "head")  # a placing: "Sixth at the London Marathon"
    if any(tl[i] in _ROLES for i in found):
        add("news", 2.0, TITLE_FACTOR, "role")

    st, found = _scan(summary)
    n = len(st)
    first_end = next((i + 1 for i in found if st[i] in _SENTENCE_END and 0 < i < n - 1
                      and st[i + 1][:1].isupper() and not ends_no_sentence(st[i - 1])), n)
    lead_end = _lead_end(st, first_end)
    if any("-" in w and _DURATION.fullmatch(w) for w in st[:lead_end]):
        add("show", 2.0, LEAD_FACTOR, "length")  # "A 46-minute conversation", "Hour-long episode": a recording
    if any(st[i - 1].lower() in _CITATION for i in found if 0 < i < first_end and st[i].isdigit()):
        # "An article ... in the Journal of Roman Studies volume 70, pages 12 to 27": where it was printed
        # outweighs what the lead calls it, as an episode number outweighs a show's name.
        add("paper", 4.0, LEAD_FACTOR, "citation")
    for i in range(min(first_end, _PRESS_SUBJECT_MAX)):
        if st[i] in _MEETING:
            if any(st[j].lower() in _PRESS for j in range(i)):
                add("interview", 3.0, LEAD_FACTOR, "press")
            break
    if lead_end < first_end - 1 and st[lead_end].lower() == "at" and st[lead_end + 1][:1].isupper():
        add("talk", 2.0, LEAD_FACTOR, "at")  # "Update at XenSummit", "Session at DevOps East": given there

    def factor(i: int) -> float:
        return LEAD_FACTOR if i < lead_end else FIRST_FACTOR if i < first_end else 1.0

    for i, kind, weight in _cues(st, found):
        if kind == "event":
            add("talk", weight, factor(i), "event")
            continue
        if i < lead_end or (i and st[i - 1].lower() == "this") or (i < first_end and st[i].lower() in _PREDICATES):
            # What it is, what it calls itself ("this episode"), or what the first sentence says
            # happened to it ("My new book on storage is out").
            add(kind, weight, LEAD_FACTOR, "lead")
            continue
        scale = FIRST_FACTOR if i < first_end else 1.0
        word = st[i]
        in_name = i and word[0].isupper() and not word.isupper() and st[i - 1] not in _SENTENCE_END
        if in_name and kind not in _WHOLE_IN_NAMES:
            scale *= NAME_FACTOR  # part of a name: "Profile Books", "Youth Climate Summit"
        add(kind, weight, scale, "first" if i < first_end else "rest")
    if n > 3 and st[0] == "On" and any(w[:1].isupper() and w.endswith(("'s", "’s")) for w in st[1:4]):
        add("show", 2.0, LEAD_FACTOR, "appear")  # "On Jo Smith's Money Hour I ...": someone's show
    for i in found:  # an appearance: "joined Dan Snow on History Hit", "Back on Screaming in the Cloud"
        if st[i] in ("on", "onto") and i + 1 < n and st[i + 1][:1].isupper() and any(
                w.lower() in _APPEARING for w in st[max(0, i - 4):i]):
            add("show", 2.0, factor(max(0, i - 2)), "appear")
    scores: dict[str, float] = {}
    for (kind, _, _), value in best.items():
        scores[kind] = scores.get(kind, 0.0) + value
    return scores


def resolve(scores: dict[str, float]) -> dict[str, float]:
    """Shows become podcasts or videos by their medium; conversations join the show, or are interviews."""
    out = {k: v for k, v in scores.items() if k in KINDS_ORDER}
    show = scores.get("show", 0.0)
    conversation = scores.get("conversation", 0.0)
    if show or scores.get("podcast"):
        medium = said_medium(scores) or "podcast"
        out[medium] = out.get(medium, 0.0) + show + conversation
    elif conversation:
        out["interview"] = out.get("interview", 0.0) + conversation
    return out


#: A person's shows mostly go out on one medium (a wildlife presenter's programmes are television,
#: a developer's appearances podcasts): when at least MEDIUM_SHOWS of an archive's shows say their
#: medium and MEDIUM_SHARE of those say the same one, it is the medium of the shows that say none
#: (`shared_medium`). Over the eighteen evaluation archives no show changes at any share from 0.66
#: up; shares of 0.5 and 0.6 cost two and one.
MEDIUM_SHOWS = 3
MEDIUM_SHARE = 2 / 3


def said_medium(scores: dict[str, float]) -> str | None:
    """The medium a show's wording says (`kind_scores`): "video" when it says more of the screen,
    "podcast" when more of radio, None when as much of each (mostly neither)."""
    visual, audio = scores.get("visual", 0.0), scores.get("audio", 0.0)
    return "video" if visual > audio else "podcast" if audio > visual else None


def medium_said(title: str, summary: str, url: str | None = None) -> bool:
    """Whether an entry read as a show says its medium (a word of radio or of the screen, or a
    link to a podcast or video platform), rather than being a podcast for want of one (`resolve`)."""
    return said_medium(kind_scores(title, summary)) is not None or link_kind(url) in ("podcast", "video")


def shared_medium(kinds: list[str]) -> str | None:
    """The medium ("podcast" or "video") of MEDIUM_SHARE of the shows among `kinds`, when there are
    at least MEDIUM_SHOWS; else None. `kinds`: an archive's entries whose medium is known (a kind the
    source gives, or wording that says it)."""
    shows = [k for k in kinds if k in ("podcast", "video")]
    if len(shows) < MEDIUM_SHOWS:
        return None
    video = shows.count("video")
    for medium, count in (("video", video), ("podcast", len(shows) - video)):
        if count >= MEDIUM_SHARE * len(shows):
            return medium
    return None


#: The first person anywhere in an entry: it is written by its subject, or quotes them.
_FIRST_PERSON_TEXT = re.compile(r"\b(?:I|[Mm]y|[Mm]e|[Ww]e|[Oo]ur|[Uu]s)\b")
#: A book as what an entry is about ("my first book", "her memoir", "a short hardback").
_BOOK = re.compile(r"\b(?:book|memoir|novel|cookbook|hardback|paperback|anthology|biography|autobiography"
                   r"|poetry collection)\b", re.IGNORECASE)
#: A book coming out, as an event: "is out", "came out", "goes on sale", "publication day", "Harper
#: published Nadella's book", a headline ending "... published" or "... arrives". Not "published by":
#: that describes a book ("Book published by the University of California Press"), which is the
#: entry itself.
_RELEASE = re.compile(
    r"\b(?:is published|was published|published$|came out|comes out|is out|goes on sale|went on sale|on sale"
    r"|publication day|out in time|reached shops|hits? shelves|in bookshops|in bookstores|arrives$"
    r"|published \w+(?:'s|’s) (?:book|memoir|novel))", re.IGNORECASE | re.MULTILINE)


def infer_kind(title: str, summary: str, url: str | None = None) -> str:
    """The kind the wording (and the link) says; an article when they say none clearly (module docstring).

    A link to a place whose pages are all one kind (`almanac.link_kind`: a podcast platform,
    YouTube, doi.org) counts as much as the title's head naming the kind, so the wording can
    still outvote it, or tie it where its kind comes first in KINDS_ORDER ("Keynote at ..." on
    YouTube stays a talk).

    An entry written about its subject in the third person that says no kind clearly but names
    an event (a record, a result, a release) is a report of that event: news. Someone's own
    writing is in the first person, and what a reporter writes about them without a cue to what it
    is tells of something that happened.
    """
    return rule_reading(title, summary, url)[0]


def rule_reading(title: str, summary: str, url: str | None = None
                 ) -> tuple[str, dict[str, float], dict[str, float], str | None]:
    """(the kind the rules read (`infer_kind`), the cue scores (`kind_scores`), the same resolved
    into kinds with the link's weight added, the kind the link says): what `almanac.kind_model`
    weighs along with the words."""
    raw = kind_scores(title, summary)
    scores = resolve(raw)
    if linked := link_kind(url):
        scores[linked] = scores.get(linked, 0.0) + LINK_WEIGHT
    best = max(KINDS_ORDER, key=lambda k: (scores.get(k, 0.0), -KINDS_ORDER.index(k)))
    if scores.get(best, 0.0) >= MIN_SCORE:
        kind = "news" if best == "article" and book_release(title, summary) else best
    elif scores.get("news") and not first_person_text(title) and not first_person_text(summary):
        kind = "news"
    else:
        kind = "news" if book_release(title, summary) else "article"
    return kind, raw, scores, linked


def first_person_text(text: str) -> bool:
    """Whether `text` writes "I", "my", "we", "our" ... anywhere: its subject's own words."""
    return bool(_FIRST_PERSON_TEXT.search(text))


def book_release(title: str, summary: str) -> bool:
    """Whether the title or the summary's first sentence tells of a book coming out ("My first book,
    ... is out this month", "Hit Refresh goes on sale"): news of its release, where the book's words
    ("book", "memoir") would read as an article. Over the thirty-six evaluation archives, of the
    entries read as articles, eleven say so: ten are news, one an interview given as the book came
    out (an article before too), and no article is among them (the three books that are entries
    themselves say "published by")."""
    first = sentences(summary[:600])
    text = f"{title}\n{first[0] if first else ''}"
    return bool(_BOOK.search(text) and _RELEASE.search(text))
