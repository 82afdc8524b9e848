"""Kind inference from wording (almanac.kinds): one made-up entry per rule.

The evaluation archives measure accuracy (tests/test_search_quality.py,
bench/kinds.py); these pin each rule down, so a change that breaks one
fails here by name.
"""

from __future__ import annotations

import pytest

from almanac.entry import classify
from almanac.kinds import infer_kind, kind_scores, shared_medium


def test_a_citation_says_a_paper_whatever_the_lead_calls_it():
    """"An essay in volume 12 of the Harbour Review, pages 3 to 19": a volume and pages are where a
    journal printed it, a paper; a book's volume without a number stays a book's."""
    summary = "An essay in volume 12 of the Harbour Review, pages 3 to 19, on why the old quays silted up."
    assert infer_kind("Silt and the old quays", summary) == "paper"
    assert infer_kind("Silt and the old quays", summary.replace("volume 12", "the spring issue").replace(
        ", pages 3 to 19", "")) == "article"
    assert infer_kind("Silt and the old quays", "The second volume of my history of the harbour.") == "article"


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # A show's name in the title does not decide: the summary says what the entry is.
        ("Software Engineering Radio", "Talk at QCon London on the design of message queues, to a full room.", "talk"),
        ("Talking Kotlin", "Written Q&A with a magazine about the language's history.", "interview"),
        ("Talking Kotlin", "An essay on why the language grew so quickly among Android developers.", "article"),
        ("Talk Python To Me #412: Packaging", "Recorded with the host in March, this episode covers packaging.",
         "podcast"),
        ("Talk Python To Me #412: Packaging", "A video of the live stream, watched by hundreds on YouTube.", "video"),
    ],
)
def test_a_show_name_in_the_title_does_not_decide(title, summary, kind):
    assert infer_kind(title, summary) == kind


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # The summary writes the title's talk word inside a name: the show's or the event's.
        ("Talk Easy with Sam Fragoso: the year ahead",
         "Sam Fragoso, who hosts Talk Easy, had me on his show to look at the year ahead; we talked about "
         "schools and the midterms.", "podcast"),
        ("GeekWire Summit 2017 conversation with Todd Bishop",
         "On stage at the GeekWire Summit, he and editor Todd Bishop talked about cricket, accessibility and "
         "poetry.", "interview"),
        # The summary does not write it as a name: the title's head still says what the entry is.
        ("Talk at PyCon: packaging", "Forty minutes on wheels and lock files, to a full room.", "talk"),
        # A news word the summary repeats in a name still says what happened.
        ("Laxness International Literature Prize 2021",
         "The Prime Minister presented her with the Laxness International Literature Prize at the city's "
         "literary festival.", "news"),
    ],
)
def test_a_talk_word_the_summary_writes_in_a_name_is_that_name(title, summary, kind):
    assert infer_kind(title, summary) == kind


def test_a_show_name_before_an_episode_number_is_not_read():
    scores = kind_scores("Talk Python To Me #412: Packaging", "")
    assert "talk" not in scores and scores["show"] > 0
    assert "talk" in kind_scores("Talk Python To Me: Packaging", "")  # without the number it is read


@pytest.mark.parametrize(
    "summary, kind",
    [
        # The lead: the noun phrase the summary opens with says what the entry is ...
        ("Paper with two colleagues in the Journal of Databases, on log-structured merge trees.", "paper"),
        ("Book published by a university press, grown out of the lectures I gave in Leeds.", "article"),
        ("Keynote demo at the Storage Summit, run from a laptop on stage.", "talk"),
        # ... or, with a subject first, the verb that follows it.
        ("A reporter from the Daily Planet interviewed me in my office about databases.", "interview"),
        ("The organisers wrote up my keynote on compaction, with photos of the slides.", "article"),
        ("My new book on storage engines is out, with a chapter on compaction.", "news"),
        # With no subject, the verb says it; its object counts as the rest of the sentence.
        ("Released a demo of the compaction scheduler, with scripts to try it.", "news"),
        ("Hosted a workshop at PyData on caching, with exercises for attendees.", "talk"),
        # What the entry calls itself outweighs what it mentions.
        ("In this post I explain compaction. Our talk at the Spring Conference covered it too.", "article"),
        # "<something> at <Event>", and event names: given there.
        ("Update at DataConf on our storage engine, announcing the next release.", "talk"),
        # A diary's or a blog's journal is no learned journal: a film critic's "journal entry".
        ("A journal entry about my own death, and what readers wrote to me about it.", "article"),
        ("My rehearsal journal for the first day of the tour, with notes on each dancer.", "article"),
        ("In the Journal of Databases, we reported how compaction stalls.", "paper"),
        # Video games are games, not a video of the entry's.
        ("Video games can never be art, I argued, and readers wrote in by the thousand.", "article"),
    ],
)
def test_what_the_summary_says_the_entry_is(summary, kind):
    assert infer_kind("Storage engines", summary) == kind


@pytest.mark.parametrize(
    "summary, kind",
    [
        ("Four-part television series about how databases store data, filmed in three cities.", "video"),
        ("A radio series in which the presenter visits five data centres.", "podcast"),
        ("Episode of a weekly show, filmed in the studio and posted to YouTube.", "video"),
        ("Episode 31 of a weekly show about data, with two hosts.", "podcast"),  # no medium: a podcast
    ],
)
def test_a_show_is_a_podcast_or_a_video_by_its_medium(summary, kind):
    assert infer_kind("Storage engines", summary) == kind


def test_a_conversation_is_an_interview_unless_it_is_on_a_show():
    assert infer_kind("Storage engines", "She talks with a journalist about storage engines over coffee.") == "interview"
    on_a_show = "Back on Data Hour with its host to discuss my newest book on storage."
    assert infer_kind("Storage engines", on_a_show) == "podcast"


@pytest.mark.parametrize(
    "title, kind",
    [
        # a headline's "<Name> talks <something>": someone asked about it
        ("Kelsey Hightower talks Kubernetes and community", "interview"),
        ("Stacey Abrams Talks New 2020 Voter Protection Initiative", "interview"),
        ("Jo Bloggs talks to the composer", "interview"),
        # a series' name, with the noun and a colon; a talk given
        ("Berkeley Talks: the future of gene editing", "talk"),
        ("TED Talks about the harbour", "talk"),
        ("Her talks at the harbour festival", "talk"),
    ],
)
def test_talks_after_a_name_is_the_headlines_verb(title, kind):
    assert infer_kind(title, "About the harbour.") == kind


def test_a_capitalised_cue_word_inside_a_sentence_is_part_of_a_name():
    assert infer_kind("Harbour history", "A history of the harbour, printed by Summit Press in Leeds.") == "article"
    assert infer_kind("Harbour history", "A history of the harbour, handed out at the summit in Leeds.") == "talk"


def test_arguing_before_a_court_or_from_a_lectern_is_a_talk():
    assert infer_kind("Smith v. Harbour Board oral argument", "For the fishermen, against the new dues.") == "talk"
    assert infer_kind("Harbour dues", "From the lectern of the county court I asked for the dues to go.") == "talk"
    assert infer_kind("Harbour dues", "For the fishermen, against the new dues.") == "article"


def test_a_station_s_name_says_a_show_is_on_the_radio():
    """A station's name ("Radio Leeds", "BBC Radio 3") says the show is on the radio, at full weight,
    so the documentary it mentions does not make the episode a video. A screen word in a name
    ("the Netflix series") is often only mentioned, and stays halved."""
    summary = "Jo was a guest on Radio Leeds's Harbour Hour and spoke about her documentary."
    assert infer_kind("Harbour days", summary) == "podcast"
    assert infer_kind("Harbour days", summary.replace("Radio Leeds's", "the")) == "video"


def test_a_journal_s_name_says_where_a_paper_was_published():
    """A paper cue inside a name ("the Journal of ...") is the venue, still evidence of a paper."""
    summary = ("In the Journal of Harbour Studies, two colleagues and I reported that silt, not tides, "
               "shaped the old quays.")
    assert infer_kind("Silt and the old quays", summary) == "paper"
    assert infer_kind("Silt and the old quays", summary.replace("Journal", "Gazette")) == "article"


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        ("Storage engines", "A short public service announcement: back up your data before upgrading.", "article"),
        ("Storage engines", "The company was named after a lake. It makes storage engines.", "article"),
        # a sport's season is no show's; a numbered one is
        ("Back to winning ways", "Leading the table again, I talked about how I turned my 2016 season around.",
         "interview"),
        ("The new series", "The second season of the show opens with the harbour keeper as guest.", "podcast"),
        # a fashion show, a gallery's, a flower show: shown, not broadcast
        ("Harbour blues", "Her spring show closed with oilskins walked down a rainy quay.", "article"),
        ("Harbour blues", "The fashion show closed with oilskins walked down a rainy quay.", "article"),
        ("Harbour blues", "The radio show closed with oilskins and a song about a rainy quay.", "podcast"),
        # a show put on somewhere: an exhibition or a concert ("at"), not a broadcast ("on")
        ("Harbour blues", "Reviews of her show at the Maritime Museum, oilskins hung along a rainy quay.",
         "article"),
        ("Harbour blues", "Reviews of her show on Harbour Radio, oilskins and a song about a rainy quay.", "podcast"),
        ("Harbour blues", "Oilskins walked down a rainy quay, with two admirals among the guests.", "article"),
        # on paper: written down, not a paper
        ("My statement", "I finally put it all on paper, the day before the hearing opened.", "article"),
        # put on show: displayed, not a show's episode
        ("A portrait of the engineer", "The gallery put on show its new portrait of her, taken at the plant.",
         "article"),
        ("Storage engines", "I benchmarked three engines on my laptop; the record was 2 GB/s.", "article"),  # a hint
        ("Engine maker joins the Open Data Foundation", "The company said the move would help its users.", "news"),
        ("Cache 3.2.0", "Cache 3.2.0 adds an eviction policy and drops support for old Pythons.", "news"),
    ],
)
def test_phrases_hints_and_headlines(title, summary, kind):
    assert infer_kind(title, summary) == kind


def test_talks_keep_their_keynote_and_lecture_tags():
    assert classify("Storage engines", "Keynote at DataConf on compaction.") == ("talk", ("keynote",))
    assert classify("Storage engines", "Guest lecture at Leeds on compaction.") == ("talk", ("lecture",))
    assert classify("Storage engines", "An essay on compaction.") == ("article", ())


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # The kind the title's head names beats a weak guess from the summary ("series": a show).
        ("Harbour Gazette interview: the lighthouse keeper", "A series of posts over a month, one a week.",
         "interview"),
        ("Lecture for the Harbour Society", "The society's weekly meeting, in the town's old hall.", "talk"),
        ("Address to the graduating class", "The college awarded her an honorary degree in June.", "talk"),
        # A headline's event verb, or its passive without "is"/"was", and no first person: news.
        ("Harbour Suite premieres at the Leeds Festival", "A suite in four movements for brass band.", "news"),
        ("Two choirs open the Harbour Festival", "A new cantata, sung by two hundred voices.", "news"),
        ("Council confirms Jo Smith, 9 to 2", "The vote made her the first harbourmaster of the town.", "news"),
        ("Order of the Harbour", "Jo Smith, one of twelve keepers honoured that day by the mayor.", "news"),
        ("Harbour Suite commissioned by the Leeds Brass Band", "Written for the band's centenary.", "news"),
        ("Harbour Suite, presented by Jo Smith", "A concert film streamed from the old harbour.", "video"),  # a credit
        # After "that", "which" or "who" a verb in -ed is a clause's past tense, not a headline's passive.
        ("The storm that led to a new harbour", "I look back on the winter of 1953 and what the town learned.",
         "article"),
        # A title that quotes the subject in the first person: their own words, an interview.
        ("'We rebuilt the harbour with our hands'", "The keeper, appointed last year, met a reporter.", "interview"),
        ("Jo Smith: 'I never meant to stay'", "A newspaper spoke with the keeper in June.", "interview"),
        # A title that names a position records an appointment.
        ("Visiting fellow at the Harbour Institute", "A year spent on tidal records.", "news"),
        # Someone who talks to, tells, or questions a named person or outlet: an interview.
        ("Harbour days", "Jo Smith talks to the keeper about storms and the old lamp.", "interview"),
        ("Harbour days", "The keeper tells the Gazette how the lamp was saved.", "interview"),
        ("Seven Questions for the Keeper", "About storms, the lamp and the town.", "interview"),
        # Appearing on someone's show; genre names a reader knows.
        ("Harbour days", "On Jo Smith's Harbour Hour I described the storm of 1953.", "podcast"),
        ("Harbour days", "Policy brief on harbour dues, written for the council.", "paper"),
        ("Harbour days", "Programme note for the suite, written for its first performance.", "article"),
        ("Harbour days", "Weekly round-up on my blog: the storm, the lamp and a new book.", "article"),
        # A life's and a job's turns in a headline: a death, a hire, a departure, a release.
        ("Jo Smith dies at 68", "Jo died in her sleep in Uppsala, a year after she fell ill.", "news"),
        ("The Gazette hires a harbour critic", "The Gazette took on the man who wrote the book on the quays.",
         "news"),
        ("Jo Smith leaves the Harbour Trust", "After ten years she goes to the port authority.", "news"),
        ("Harbour keeper freed after 30 years", "On Good Friday my client walked out of the county jail.", "news"),
        # A person's documents are no paper.
        ("Married in Birmingham", "A small nikah at home; she had wondered why people sign marriage papers.",
         "article"),
        # Speaking to a crowd is a talk; speaking to someone, an interview.
        ("Harbour rally", "I spoke to thousands standing in the rain by the old harbour wall.", "talk"),
        ("Harbour rally", "Jo Smith spoke to the keeper about the storms of 1953.", "interview"),
        # A university's commencement is the speech given at it; a law review is a scholar's journal.
        ("Harbour College commencement", "Jo told the class of 2008 about the storm and the old lamp.", "talk"),
        ("Harbour days", "I was the commencement speaker at the maritime college this spring.", "talk"),
        ("The tidal clause", "A law review article on the dues act of 1996 and its limits.", "paper"),
        # A subtitle after the colon names what the entry is as the title's head does.
        ("Harbour's quiet keeper: the interview with Jo Smith",
         "Before the 1953 regatta, at the pre-race press conference, Jo Smith asked Ann about tactics against "
         "the Mutai brothers. She said she wanted the world record in her name, having won London that spring.",
         "interview"),
        ("I am a keeper: speech at the Harbour Festival",
         "The keeper won the town's medal in 2015 and was named its first harbour master.", "talk"),
    ],
)
def test_titles_read_as_headlines_and_labels(title, summary, kind):
    assert infer_kind(title, summary) == kind


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # Compounds that hold a kind word but are not that kind.
        ("Harbour days", "A mayor's hate speech about the fishermen, and why the town answered it.", "article"),
        ("Harbour days", "Two readers chose my novel for their book club and had me on to talk about it.",
         "podcast"),
        ("Harbour days", "A reading at the Leeds book festival from the new novel, then questions.", "talk"),
        # A call with someone is an interview, not a video, whatever its length.
        ("Harbour days", "A half-hour video call with the Gazette about the storm.", "interview"),
    ],
)
def test_compounds_that_are_not_their_cue_word(title, summary, kind):
    assert infer_kind(title, summary) == kind


@pytest.mark.parametrize(
    "summary, kind",
    [
        # The press meeting the subject: a profile built on an interview.
        ("A Gazette reporter walked with her along the harbour wall, where the lamp used to stand.", "interview"),
        ("Local journalist Jo Smith spent a day with him on the trawler before the season began.", "interview"),
        # ... but a reporter who writes about something else is not meeting the subject.
        ("A reporter's notes on the storm, printed in the Gazette the week after.", "article"),
        ("The Harbour Gazette profiled Ada Jones the month her shop reopened.", "interview"),
        ("Ada Jones of the Gazette asked me about the lamp and the storm of 1953.", "interview"),
        ("Jo Smith's questions for the Gazette about the lamp, and my answers.", "interview"),
        # The subject asking the questions for their own piece: their writing.
        ("For the Gazette I picked six harbour walks. I interviewed my neighbours and mapped each one.",
         "article"),
        # A program is profiled too: not a profile of someone.
        ("I profiled the lamp controller and halved its start-up time.", "article"),
    ],
)
def test_the_press_meeting_the_subject_is_an_interview(summary, kind):
    assert infer_kind("Harbour days", summary) == kind


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # A placing, in the summary or as the title's head.
        ("The Harbour Ten", "She finished sixth in 51:20, a minute behind the winner.", "news"),
        ("Fourth at the Harbour Ten", "A windy morning on the sea front.", "news"),
        # Court and prosecutors' acts as a headline's verb.
        ("Harbour court acquits keeper of negligence", "The judge said the lamp failed through no fault of his.",
         "news"),
        ("City prosecutors investigate harbour dues", "Several councillors were questioned.", "news"),
    ],
)
def test_results_and_court_headlines_are_news(title, summary, kind):
    assert infer_kind(title, summary) == kind


def test_a_third_person_entry_with_only_a_hint_of_an_event_is_news():
    summary = "She rowed the harbour in 41 minutes, a record that still stands, with the crowd on the pier."
    assert infer_kind("Across the harbour", summary) == "news"
    # The same words by the subject, in the first person, are their own piece.
    mine = "I rowed the harbour in 41 minutes, a record that still stands, with the crowd on the pier."
    assert infer_kind("Across the harbour", mine) == "article"


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # A length given as what the entry is: a recording, a show (its medium decides).
        ("Harbour days", "A 52-minute conversation with Jo Smith about storms and the old lamp.", "podcast"),
        ("Harbour days", "A half-hour television interview about the storm, from the harbour wall.", "video"),
        ("Harbour days", "An eleven-minute edition of the town's history hour, in which I spoke to Jo Smith.",
         "podcast"),  # a length in words
        # A compound's last word and a possessive are read as the word.
        ("Harbour days, a winter mini-series", "Jo and I answer questions sent in by the town.", "podcast"),
        ("Harbour days", "I played the quiz's last round, and lost to a fisherman.", "podcast"),
        # "episode two"; a director and a showrunner put a show on screen.
        ("Harbour, episode two: Storms", "The series showrunner directed this part in the old boathouse.",
         "video"),
        # A livestream and a clip are on screen; a show's viewers, like its listeners, give its medium.
        ("Harbour days", "During an evening livestream on the new rules, Jo took questions about the storm.",
         "video"),
        ("Harbour days", "A short clip in which Jo is asked why she loves the harbour.", "video"),
        ("Harbour days", "Jo was a guest on the town hour, answering viewers' questions about the storm.", "video"),
        ("Harbour days", "Jo was a guest on the town hour, answering listeners' questions about the storm.",
         "podcast"),
        # A television series described by what it shows: footage, narration, a camera, a TV channel.
        ("Harbour days: the deep", "The second episode has the first footage of the harbour floor.", "video"),
        ("Harbour days: the deep", "This episode follows the crabs; the narration compares them to a city.",
         "video"),
        ("Harbour days", "A six-part BBC1 series on the harbour's seasons.", "video"),
        ("Harbour days: the deep", "The second episode goes down to the harbour floor with the crabs.",
         "podcast"),  # nothing says the medium: a podcast, as before
    ],
)
def test_lengths_compounds_and_media_of_shows(title, summary, kind):
    assert infer_kind(title, summary) == kind


def test_genre_words_and_releases():
    assert infer_kind("Harbour days", "My diary for the Gazette: a talk in Leeds, a panel in York.") == "article"
    assert infer_kind("Harbour days", "The new edition came out in May, with maps of the old harbour.") == "news"


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # A broadcaster or platform names a show's medium, possessive or not.
        ("The Next List", "CNN's weekly show, hosted by a doctor, followed a young designer for a week.", "video"),
        ("Gasp", "A ten-part National Geographic series hosted by an actor about the air we breathe.", "video"),
        ("Quiz night", "She was the guest on a news quiz from NPR, where the host asked her about bees.", "podcast"),
        # Designs unveiled and people nominated are news.
        ("The brick pavilion", "The gallery unveiled the studio's design for its summer pavilion in the park.",
         "news"),
        ("A health post", "The president nominated Dr Smith to lead the agency's global health bureau.", "news"),
    ],
)
def test_broadcasters_and_news_of_designs_and_nominations(title, summary, kind):
    assert infer_kind(title, summary) == kind


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # A finding written up: a reader takes it for a paper without the word.
        ("Sums of three cubes", "With two colleagues I proved that every large odd number is such a sum.", "paper"),
        ("Tides and lamps", "Over ten years of records we found that the lamp failed more often in spring tides.",
         "paper"),
        # A judge's writing: opinions and dissents.
        ("Harbour Board v. Keeper", "My dissent from the 5-4 ruling that the board owed the keeper nothing.",
         "paper"),
        ("Harbour Board v. Keeper", "Writing the majority opinion, she held that the board owed him his wages.",
         "paper"),
        # A scholar's long work, and a paper's way of speaking of its claims and authors.
        ("Tide tables of the north harbour", "My doctoral dissertation on how the tide tables were kept.", "paper"),
        ("Lamps and tides", "A monograph on the harbour lamps between 1800 and 1900.", "paper"),
        ("Lamps fail in spring", "We hypothesise that salt spray, not age, makes the harbour lamps fail.", "paper"),
        ("Lamp failures at sea", "First-authored by Jo Smith with the harbour board, measuring lamp failures.", "paper"),
        # A medal given, a press conference held: events, reported.
        ("A medal for the keeper", "The mayor gave him the harbour medal for thirty years of service.", "news"),
        ("Leaving the board", "At a press conference at the harbour office he said he would retire in July.",
         "news"),
    ],
)
def test_findings_judgments_medals_and_press_conferences(title, summary, kind):
    assert infer_kind(title, summary) == kind


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://podcasts.apple.com/us/podcast/the-show/id123?i=456", "podcast"),
        ("https://probablyscience.libsyn.com/episode-134-astronaut", "podcast"),  # a host's subdomain
        ("https://www.tapesearch.com/episode/every-day-you-live/KEK7", "podcast"),  # an episode's folder
        ("https://app.podcastguru.io/show-1548604447", "podcast"),  # "podcast" in the host's name
        ("https://www.youtube.com/watch?v=abc", "video"),
        ("https://youtu.be/abc", "video"),
        ("https://doi.org/10.1145/2451116.2451167", "paper"),
        ("https://arxiv.org/abs/2511.02864", "paper"),
        ("https://www.ted.com/talks/someone_on_something", "talk"),
        # Places whose pages are of every kind say nothing; nor does a page merely named "podcast".
        ("https://www.theguardian.com/science/2019/may/01/interview", None),
        ("https://example.org/blog/my-new-podcast", None),
        ("https://www.ted.com/about", None),
        ("not a url at all", None),
        ("https://[::1", None),  # malformed
        (None, None),
    ],
)
def test_what_a_link_says_an_entry_is(url, kind):
    from almanac.link_kind import link_kind

    assert link_kind(url) == kind


@pytest.mark.parametrize(
    "url, words",
    [
        # What the site files the page under, and the page's own name: pieces of three letters or more.
        ("https://www.theguardian.com/world/video/2023/jan/18/truth-wins", ["world", "video", "jan", "truth", "wins"]),
        ("https://www.npr.org/2021/01/06/953902853/philippine-journalist-says", ["philippine", "journalist", "says"]),
        ("https://www.bbc.co.uk/news/world-asia-66781634.amp", ["news", "world", "asia"]),  # no file type
        ("https://example.org/", []),
        ("https://[::1", []),  # malformed
        (None, []),
    ],
)
def test_the_words_of_a_links_path(url, words):
    from almanac.link_kind import link_words

    assert link_words(url) == words


def test_a_link_counts_as_a_cue_that_the_wording_can_outvote():
    """A conversation linked on a podcast platform is the podcast; a keynote on YouTube stays a talk
    (the link weighs as much as the title's head naming a kind; a tie goes to the kind earlier in
    KINDS_ORDER, and talk comes before video)."""
    chat = ("Ezra Klein on polarization", "He talks with a reporter about why Americans sort into two camps.")
    assert infer_kind(*chat) == "interview"
    assert infer_kind(*chat, url="https://share.snipd.com/episode/fbffb306") == "podcast"
    assert infer_kind(*chat, url="https://www.youtube.com/watch?v=abc") == "video"
    assert infer_kind(*chat, url="https://www.theguardian.com/politics/ezra-klein") == "interview"
    keynote = ("Keynote at ICFP", "The opening keynote of the conference, on typed functional programming.")
    assert infer_kind(*keynote, url="https://www.youtube.com/watch?v=abc") == "talk"
    # Nothing else in the wording: the link alone decides.
    assert infer_kind("Storage engines", "About storage engines.", "https://doi.org/10.1/x") == "paper"
    assert classify("Storage engines", "About storage engines.", "https://arxiv.org/abs/1") == ("paper", ())


def test_the_first_sentence_ends_after_a_parenthesis_and_not_after_an_initial():
    """Cues in the first sentence count more than later ones, so where it ends matters: after
    "(Alone in the Dark)." it does (the screen words after it are the rest: news of an honour),
    and "Dr." or an initial before a name ends nothing."""
    summary = ("The culture minister admitted three game makers as knights at a ceremony in Paris: Ann Lee (Rayman) "
               "and Bo Chan (Alone in the Dark). They were the first video game creators to get the honour, which a "
               "film director got the year before.")
    assert infer_kind("Named a knight of the order", summary) == "news"
    assert infer_kind("Named a knight of the order", summary.replace("Ann Lee", "Dr. A. Lee")) == "news"


def test_an_archive_s_shows_share_the_medium_most_of_them_say():
    """Two thirds of at least three shows that say their medium (or whose source gives their kind)."""
    assert shared_medium(["video", "video", "podcast", "talk", "article"]) == "video"
    assert shared_medium(["podcast", "podcast", "podcast", "video"]) == "podcast"
    assert shared_medium(["video", "video"]) is None  # too few to say
    assert shared_medium(["video", "video", "podcast", "podcast"]) is None  # no clear majority


TV_SERIES = """\
Planet Earth: Jungles / Jan 2006
The third episode of the BBC One series follows life in the rainforest canopy.

Frozen Planet: To the Ends of the Earth / Nov 2011
The first episode, filmed over four years, follows the polar summer.

Life: Challenges of Life / Oct 2009
The opening programme of the ten-part television series asks how animals survive.
"""
NO_MEDIUM = """\
Life on Earth: The Infinite Variety / Jan 1979
The first episode of the series asks how life on earth came to be so varied.
"""


def test_a_show_that_gives_no_medium_takes_the_one_the_archive_s_shows_share(store, tmp_path):
    """Read alone, a programme with no word of radio or screen is a podcast; ingested with an archive
    of television programmes (from another file), it is one more of them. The shows that say their
    medium keep it, and so do kinds a source gives."""
    from almanac.ingest import ingest

    alone = tmp_path / "alone.txt"
    alone.write_text(NO_MEDIUM, encoding="utf-8")
    assert infer_kind("Life on Earth: The Infinite Variety", NO_MEDIUM.splitlines()[1]) == "podcast"
    ingest(store, [str(alone)], str(tmp_path))
    assert [e.kind for e in store.entries()] == ["podcast"]

    (tmp_path / "series.txt").write_text(TV_SERIES, encoding="utf-8")
    ingest(store, [str(alone), str(tmp_path / "series.txt")], str(tmp_path))
    assert sorted((e.title, e.kind) for e in store.entries()) == [
        ("Frozen Planet: To the Ends of the Earth", "video"), ("Life on Earth: The Infinite Variety", "video"),
        ("Life: Challenges of Life", "video"), ("Planet Earth: Jungles", "video")]


@pytest.mark.parametrize(
    "title, summary, kind",
    [
        # A book coming out is news of its release, though "book" and "memoir" read as an article.
        ("Tides of the harbour goes on sale", "My first book, Tides of the Harbour, about the old quays, is "
         "in the shops from today.", "news"),
        ("Tides of the Harbour", "My first book, a history of the old quays, is out this month from Faber.", "news"),
        ("Harbour days arrives", "Her debut picture book, illustrated by her brother, reached shops in June.", "news"),
        ("Harbour days", "Northgate Press published Smith's memoir about thirty years as a harbour pilot.", "news"),
        ("Harbour days (book)", "Publication day for a short hardback about the mathematics of tides.", "news"),
        # A book that is the entry itself says what it is: an article.
        ("Harbour days", "Book published by Northgate Press on thirty years as a harbour pilot.", "article"),
        ("Harbour days", "My memoir, published by Northgate Press, begins on the day I first took a ship in.",
         "article"),
        # Talking about the book as it came out is still the conversation.
        ("Harbour days", "An interview with the Gazette as my memoir came out, about the pilots I learnt from.",
         "interview"),
    ],
)
def test_a_book_coming_out_is_news(title, summary, kind):
    assert infer_kind(title, summary) == kind
