"""almanac: an archive of talks, papers, podcasts and news, searchable and published."""

__version__ = "0.1.0"
