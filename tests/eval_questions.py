"""The search evaluation set: questions a new user might ask of the 25 seed entries.

Every style the search issue names: descriptions in other words, names of
people and venues, dates and ranges, kinds (including keynotes and lectures),
and off-topic questions that must be refused (some share a word with the
archive). `evaluate()` is used by tests/test_search_quality.py (asserting
R@1 >= 0.90 and every refusal) and bench/search.py (printing the table).
"""

from __future__ import annotations

JITSU_PAPER = "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"
JITSU_TALK = "jitsu-just-in-time-summoning-of-unikernels-2015-05-talk"
JITSU_2014 = "jitsu-just-in-time-summoning-of-unikernels-new-directions-in-2014-11"
BILLION = "the-first-billion-real-deployments-of-unikernels-2020-02"
REBUILDING = "rebuilding-operating-systems-with-functional-principles-2020-02"
MIRAGE4 = "mirageos-4-the-dawn-of-practical-build-systems-for-exotic-2019-08"
FUNCTORS = "programming-unikernels-in-the-large-via-functor-driven-2019-05"
DOCKERCON = "unikernels-the-rise-of-the-library-hypervisor-in-mirageos-2016-10"
OSCON = "ian-eyberg-joshua-bernstein-anil-madhavapeddy-at-oscon-in-2016-06"
DOCKER_NEWS = "unikernel-systems-is-now-part-of-docker-2016-01"
NETPL = "immutable-distributed-infrastructure-with-unikernels-2015-09"
ESPER = "unikernels-functional-infrastructure-with-mirage-os-2015-05"
BOB = "delivered-keynote-at-bob-2015-on-mirageos-2015-01"
CODEMESH = "codemesh-2014-nymote-git-your-own-cloud-here-2014-12"
XEN_STUB = "mirageos-2-0-branch-consistency-for-xen-stub-domains-2014-10"
HASKELL = "haskell-symposium-2014-keynote-on-functional-os-design-2014-09"
IRMINSULE = "irminsule-a-branch-consistent-distributed-library-database-2014-09"
FLOSS = "floss-weekly-302-open-mirage-2014-07"
V2_RECAP = "mirageos-v2-0-a-recap-of-new-features-via-mirageos-2014-07"
V1_2 = "mirageos-v1-2-released-and-the-runup-to-2-0-via-mirageos-2014-07"
SE_RADIO = "se-radio-episode-204-anil-madhavapeddy-on-the-mirage-cloud-2014-05"
XAPI = "mirageos-and-xapi-project-update-at-xensummit-2013-11"
ACM = "unikernels-rise-of-the-virtual-library-operating-system-2013-11"
SCREENCAST = "mirage-developer-preview-1-screencast-2013-07"
ASPLOS = "unikernels-library-operating-systems-for-the-cloud-2013-03"

#: (question, the entries that count as a right first answer).
ON_TOPIC: list[tuple[str, set[str]]] = [
    # described in other words
    ("which paper showed unikernels booting on a DNS request?", {JITSU_PAPER}),
    ("the first paper on unikernels", {ASPLOS}),
    ("when did Unikernel Systems join Docker?", {DOCKER_NEWS}),
    ("how to get started building Mirage kernels for Unix and Xen", {SCREENCAST}),
    ("Git-like distributed database from the OCaml Workshop", {IRMINSULE}),
    ("pure OCaml TLS stack and ARM support", {V2_RECAP}),
    ("git your own cloud and personal data", {CODEMESH}),
    ("talking to a room of Haskellers about OCaml modules", {HASKELL}),
    ("immutable infrastructure with version control for whole distributed systems", {NETPL}),
    ("functors to separate configuration from application logic", {FUNCTORS}),
    ("unikernel deployments reaching billions of users", {BILLION}),
    ("applying immutability and type safety to rebuild operating systems", {REBUILDING}),
    ("keeping unikernels suspended and waking them up on demand", {JITSU_2014}),
    ("compiling unikernels for embedded devices with dune", {MIRAGE4}),
    ("how unikernels work alongside containers", {DOCKERCON}),
    ("library operating systems replacing virtualization in the cloud, for a general audience", {ACM}),
    ("Docker for Mac and Windows", {DOCKER_NEWS}),
    ("secure multi-tenant edge computing on ARM", {JITSU_PAPER, JITSU_TALK}),
    ("the run up to the 2.0 release", {V1_2}),
    ("did he ever go on a podcast about open source?", {FLOSS}),
    ("when was Mirage first shown to developers as a preview?", {SCREENCAST}),
    ("talk about OCaml in a packed room", {ESPER}),
    ("how fast can a unikernel start?", {JITSU_PAPER, JITSU_TALK, JITSU_2014}),
    ("version-controlled storage for Mirage", {IRMINSULE, XEN_STUB, NETPL}),
    ("what was new in Mirage 2?", {V2_RECAP}),
    ("Xen keynote in Germany", {BOB}),
    ("radio show about the Mirage cloud OS", {SE_RADIO}),
    ("what happened after Docker bought his company?", {DOCKER_NEWS, OSCON, DOCKERCON}),
    # names of people, venues, projects
    ("anything with Gabriel Radanne?", {FUNCTORS}),
    ("Magnus Skjegstad", {JITSU_PAPER}),
    ("Lucas Pluvinage", {MIRAGE4}),
    ("Dave Scott", {ACM}),
    ("Randal Schwartz", {FLOSS}),
    ("Robert Blumen", {SE_RADIO}),
    ("Thomas Leonard", {JITSU_PAPER}),
    ("ASPLOS", {ASPLOS}),
    ("Nymote", {CODEMESH}),
    ("Irminsule", {IRMINSULE}),
    ("XAPI toolstack", {XAPI}),
    ("NetPL", {NETPL}),
    ("Esper OCaml meetup in California", {ESPER}),
    ("FLOSS Weekly", {FLOSS}),
    ("The New Stack at OSCON", {OSCON}),
    ("Xen stub domains", {XEN_STUB}),
    ("Communications of the ACM", {ACM}),
    ("St Andrews", {BILLION, REBUILDING}),
    # kinds, dates and ranges
    ("talks from February 2020", {BILLION, REBUILDING}),
    ("what keynotes has he given?", {BOB, HASKELL}),
    ("keynote in Berlin", {BOB}),
    ("Haskell Symposium keynote", {HASKELL}),
    ("DockerCon talk", {DOCKERCON}),
    ("Jitsu talk at NSDI", {JITSU_TALK}),
    ("Jitsu at the new directions in operating systems workshop", {JITSU_2014}),
    ("podcasts", {FLOSS, SE_RADIO}),
    ("SE Radio episode about OCaml", {SE_RADIO}),
    ("the screencast", {SCREENCAST}),
    ("interviews since 2016", {OSCON}),
    ("talks before 2014", {XAPI}),
    ("papers between 2014 and 2016", {IRMINSULE, JITSU_PAPER}),
    ("papers from 2019", {MIRAGE4, FUNCTORS}),
    ("announcements about Docker", {DOCKER_NEWS}),
    ("news in July 2014", {V2_RECAP, V1_2}),
    ("MirageOS 1.0 release announcement at XenSummit", {XAPI}),
    ("what did he present at the Xen Summit in 2013?", {XAPI}),
    ("what happened in July 2014?", {FLOSS, V2_RECAP, V1_2}),
    ("what did Anil talk about in 2015?", {JITSU_TALK, ESPER, NETPL, BOB}),
    ("MirageOS 1.2 point release", {V1_2}),
    ("lectures", {BILLION, REBUILDING}),
    ("article on unikernels", {ACM}),
    ("what did he present in May 2015?", {ESPER, JITSU_TALK, JITSU_PAPER}),
    ("his most recent talk", {BILLION, REBUILDING}),
    ("the earliest paper", {ASPLOS}),
    ("oldest podcast", {SE_RADIO}),
]

#: Questions the archive cannot answer; several share a word with it (Berlin, cloud, Oakland, build).
OFF_TOPIC: list[str] = [
    "how do I bake bread?",
    "JavaScript framework",
    "what is the weather in Berlin tomorrow?",
    "best pizza recipe",
    "who won the football world cup?",
    "cheap flights to Oakland",
    "how do I fix a leaking kitchen tap?",
    "recommend a cloud storage provider for my holiday photos",
    "what is the capital of France?",
    "how to build a wooden birdhouse",
    "tips for a job interview",
    "latest iPhone release date",
    "what time does the Berlin zoo open?",
    "who is the president of the United States?",
]


def evaluate(searcher, limit: int = 3) -> dict:
    """Run the set through `searcher`; return the metrics and one row per question."""
    rows = []
    r1 = r3 = answered = 0
    for question, expected in ON_TOPIC:
        result = searcher.search(question, limit=limit)
        ids = [h.entry.id for h in result.hits]
        hit1 = bool(ids) and ids[0] in expected
        hit3 = any(i in expected for i in ids[:3])
        r1 += hit1
        r3 += hit3
        answered += result.answered
        rows.append({"question": question, "answered": result.answered, "r1": hit1, "r3": hit3,
                     "top": ids[:3], "filters": result.filters})
    refused = 0
    for question in OFF_TOPIC:
        result = searcher.search(question, limit=limit)
        refused += not result.answered
        rows.append({"question": question, "off_topic": True, "answered": result.answered,
                     "top": [h.entry.id for h in result.hits][:3]})
    n = len(ON_TOPIC)
    return {
        "on_topic": n,
        "off_topic": len(OFF_TOPIC),
        "r_at_1": round(r1 / n, 3),
        "r_at_3": round(r3 / n, 3),
        "answered": round(answered / n, 3),
        "off_topic_refused": round(refused / len(OFF_TOPIC), 3),
        "rows": rows,
    }
