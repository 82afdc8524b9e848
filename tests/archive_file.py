"""The seed as a source file a test can correct and cut, re-ingesting after each change (what a refresh does)."""

from __future__ import annotations

import shutil

from almanac.ingest import ingest
from tests.conftest import SEED

#: Two May entries of the seed: one whose summary the tests correct, one they remove.
ESPER = "unikernels-functional-infrastructure-with-mirage-os-2015-05"
FUNCTORS = "programming-unikernels-in-the-large-via-functor-driven-2019-05"
FUNCTORS_LINES = ("Programming Unikernels in the Large via Functor Driven Development / May 2019\n"
                  "Preprint on programming unikernels with ML modules")


class Archive:
    """The seed as a source file in tmp_path, so a test can correct or remove entries and re-ingest (a refresh)."""

    def __init__(self, store, tmp_path):
        self.store = store
        self.path = tmp_path / "entries.txt"
        shutil.copyfile(SEED, self.path)
        self.ingest()

    def ingest(self):
        report = ingest(self.store, [str(self.path)], str(self.path.parent))
        assert not report.problems

    def rewrite(self, old: str, new: str):
        text = self.path.read_text()
        assert old in text
        self.path.write_text(text.replace(old, new, 1))
        self.ingest()

    def remove_functors(self):
        text = self.path.read_text()
        start = text.index(FUNCTORS_LINES)
        end = text.index("\n", text.index("\n", start) + 1) + 1
        self.path.write_text(text[:start] + text[end:])
        self.ingest()
