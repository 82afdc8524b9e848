"""Hybrid search over the archive, as named stages (see `almanac.search.searcher`)."""

from almanac.search.present import highlight
from almanac.search.searcher import EMBED_ON_SEARCH, Hit, SearchResult, Searcher
from almanac.text import first_sentence, sentences

__all__ = ["EMBED_ON_SEARCH", "Hit", "SearchResult", "Searcher", "first_sentence", "highlight", "sentences"]
