"""`almanac ask` and `almanac similar`: questions answered from the archive."""

from __future__ import annotations

import json
import sys

from almanac.commands import LIMITS, YEARS, UsageError, parse_kind, print_json, whole_number
from almanac.config import range_text
from almanac.entry import KINDS
from almanac.query import MAX_QUERY_CHARS
from almanac.search import Hit, SearchResult


def register(sub) -> None:
    p = sub.add_parser(
        "ask",
        help="answer a question from the archive",
        description="Find the entries that answer a question. Dates ('May 2015', 'since 2019', "
        "'between 2014 and 2016') and kinds ('talks', 'papers', 'keynotes', 'podcasts') in the "
        "question become filters; the rest is ranked by words (BM25) and meaning (embeddings). "
        "When nothing in the archive is close enough, it says so; --explain shows why.",
        epilog="examples:\n"
        '  almanac ask "which paper showed unikernels booting on a DNS request?"\n'
        '  almanac ask "talks from February 2020" --limit 10\n'
        '  almanac ask "anything with Gabriel Radanne?" --json\n'
        '  almanac ask "how do I bake bread?" --explain\n'
        "  printf 'keynotes\\nIrmin papers\\n' | almanac ask --json -   # one JSON object per line",
    )
    p.add_argument("question", nargs="+", help="the question (quote it), or - to read one question per line from stdin")
    p.add_argument("--limit", type=whole_number(*LIMITS), metavar="N",
                   help=f"how many entries to show, {range_text(*LIMITS)} (default: [search] limit)")
    p.add_argument("--kind", help=f"only this kind ({', '.join(KINDS)}; keynote or lecture: those talks)")
    p.add_argument("--year", type=whole_number(*YEARS), help=f"only entries from this year ({range_text(*YEARS)})")
    p.add_argument("--json", action="store_true",
                   help='print {"query", "answered", "filters", "total", "note", "results", "explain"}')
    p.add_argument("--explain", action="store_true",
                   help="also show the signals behind the answer or refusal (meaning, shared words, rare words) "
                        "and the probability compared with [search] strictness")
    p.set_defaults(handler=cmd_ask, reads_only=True)

    p = sub.add_parser(
        "similar",
        help="entries most like a given entry",
        description="List the entries closest in meaning to one entry.",
        epilog="examples:\n  almanac similar jitsu-just-in-time-summoning-of-unikernels-2015-05-paper\n"
        "  almanac similar ID --limit 3 --json",
    )
    p.add_argument("id", help="the entry id (see `almanac list`)")
    p.add_argument("--limit", type=whole_number(*LIMITS), metavar="N",
                   help=f"how many entries to show, {range_text(*LIMITS)} (default: [search] limit)")
    p.add_argument("--json", action="store_true", help="print a JSON list of entries with score and highlight")
    p.set_defaults(handler=cmd_similar, reads_only=True)


def _limit(args, app) -> int:
    return args.limit if args.limit is not None else app.config.search.limit


def clean_question(text: str, where: str = "question") -> str | None:
    """The question to search: stripped, cut to 1,000 characters (with a warning); None if empty."""
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_CHARS:
        print(
            f"almanac: warning: {where} is {len(text)} characters; searching its first {MAX_QUERY_CHARS}",
            file=sys.stderr,
        )
        text = text[:MAX_QUERY_CHARS]
    return text


def cmd_ask(args, app) -> int:
    limit = _limit(args, app)
    parse_kind(args.kind)  # a word naming no kind is a usage error before the model loads
    kind = args.kind  # the word as given: "keynote" asks for talks tagged keynote, as in a question
    if args.question == ["-"]:
        return _ask_batch(args, app, limit, kind)
    question = clean_question(" ".join(args.question))
    if question is None:
        raise UsageError('the question is empty; ask something, e.g. almanac ask "papers about Jitsu"')
    result = app.searcher.search(question, limit=limit, kind=kind, year=args.year)
    if args.json:
        print_json(result.to_json(explain=getattr(args, "explain", False)))
    else:
        print_result(result)
        if getattr(args, "explain", False) and result.explain:
            print_explain(result.explain)
        if not result.answered and app.store.count() == 0:
            print("The archive is empty: run `almanac ingest` first.")
    return 0


def _ask_batch(args, app, limit: int, kind: str | None) -> int:
    """One question per line from stdin; one result per line, in order; the model loads once."""
    searcher = app.searcher
    for number, line in enumerate(sys.stdin, 1):
        question = clean_question(line, where=f"stdin line {number}")
        if question is None:
            result = SearchResult(query="", answered=False, filters={}, hits=[])
        else:
            result = searcher.search(question, limit=limit, kind=kind, year=args.year)
        if args.json:
            sys.stdout.write(json.dumps(result.to_json(explain=getattr(args, "explain", False)), ensure_ascii=False) + "\n")
        else:
            print(f"? {result.query}")
            print_result(result)
            print()
        sys.stdout.flush()
    return 0


def print_explain(explain: dict) -> None:
    print()
    print(f"Why: {explain.get('reason', '')}")
    for name, value in (explain.get("signals") or {}).items():
        part = (explain.get("contributions") or {}).get(name)
        print(f"  {name:9} {value:6.3f}" + (f"  ({part:+.2f})" if part is not None else ""))


def print_result(result: SearchResult) -> None:
    if not result.answered:
        if result.note:
            print(result.note)
        else:
            print(f"Nothing in the archive answers \u201c{result.query}\u201d.")
        print("Try other words, or browse everything with `almanac list` (e.g. `almanac list --kind talk`).")
        return
    best, rest = result.hits[0], result.hits[1:]
    print(best.entry.title)
    print(f"  {_meta(best)}")
    if best.highlight:
        print(f"  \u201c{best.highlight}\u201d")
    print(f"  id: {best.entry.id}")
    if rest:
        print()
        print("Also relevant:" if result.total <= len(result.hits) or not result.note else "Also:")
        for hit in rest:
            print(f"  - {hit.entry.title} ({_meta(hit)})  [{hit.entry.id}]")
    if result.note:
        print()
        print(result.note)


def _meta(hit: Hit) -> str:
    tags = f" ({', '.join(hit.entry.tags)})" if hit.entry.tags else ""
    return f"{hit.entry.kind}{tags}, {hit.entry.date.label()}"


def cmd_similar(args, app) -> int:
    limit = _limit(args, app)
    try:
        hits = app.searcher.similar(args.id, limit=limit)
    except KeyError:
        print(f"almanac: no entry with id '{args.id}' (see `almanac list`)", file=sys.stderr)
        return 1
    if args.json:
        print_json([h.to_json() for h in hits])
        return 0
    for hit in hits:
        print(f"{hit.score:5.2f}  {hit.entry.date.label():>14}  {hit.entry.kind:9}  {hit.entry.title}  [{hit.entry.id}]")
    return 0
