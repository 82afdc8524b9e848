"""Shared fixtures: every test gets its own SQLite file under tmp_path (or PostgreSQL database).

A module that sets `BOTH_BACKENDS = True` runs each test that uses a store
(`store`, `seeded_store`, `db_target`) twice: on SQLite and on PostgreSQL (a
private server started once per session, see tests/postgres_server.py; a
database of its own per test). Where PostgreSQL cannot be had, those
variants skip with the reason.

The autouse fixture keeps tests away from the real `data/` database and from
any token or webhook URL in the developer's environment.
"""

from __future__ import annotations

import os
import pathlib

import pytest

from almanac.store import Store

REPO = pathlib.Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "entries.txt"


@pytest.fixture(scope="session")
def session_cache_home(tmp_path_factory) -> pathlib.Path:
    """One $XDG_CACHE_HOME for the whole run: the ONNX export is made at most once, never in ~/.cache."""
    return tmp_path_factory.mktemp("session-cache")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch, session_cache_home):
    monkeypatch.setenv("ALMANAC_DB", str(tmp_path / "almanac.db"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(session_cache_home))
    for name in ("ALMANAC_CONFIG", "DISCORD_TOKEN", "ALMANAC_WEBHOOK_URLS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def seed_path() -> pathlib.Path:
    return SEED


BACKENDS = ("sqlite", "postgresql")


def pytest_collection_modifyitems(items):
    """Modules that set `RUN_FIRST = True` first (tests/test_search_quality.py: every evaluation
    archive built and asked, the suite's longest piece of work): one test process starts on it
    while the other takes the rest, instead of it starting late and the other idling at the end."""
    items.sort(key=lambda item: not getattr(getattr(item, "module", None), "RUN_FIRST", False))


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and getattr(metafunc.module, "BOTH_BACKENDS", False):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """"sqlite" or "postgresql" (both only in BOTH_BACKENDS modules)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def postgres_server():
    from tests.postgres_server import PostgresServer, unavailable

    reason = unavailable()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh PostgreSQL database for one test, dropped after it."""
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def db_target(backend, tmp_path, request) -> str:
    """What `Store(...)` opens in this test: a SQLite file, or a PostgreSQL URL."""
    if backend == "postgresql":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "test.db")


@pytest.fixture
def store(db_target):
    with Store(db_target) as s:
        yield s


@pytest.fixture
def seeded_store(store):
    """A store holding the 25 seed entries (no embeddings)."""
    from almanac.ingest import ingest

    report = ingest(store, [str(SEED)], os.getcwd())
    assert not report.problems and report.total("added") == 25
    return store


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled all-MiniLM-L6-v2, loaded once per test session (it takes seconds)."""
    from almanac.embeddings import load_embedder

    return load_embedder("")


@pytest.fixture(scope="session")
def embedded_seed_db(tmp_path_factory, real_embedder):
    """Path of a database file holding the seed with real-model vectors, built once per session.

    Copy it (`embedded_seed_copy`) rather than writing to it.
    """
    from almanac.embeddings import embed_missing
    from almanac.ingest import ingest

    path = tmp_path_factory.mktemp("embedded-seed") / "seed.db"
    with Store(str(path)) as store:
        ingest(store, [str(SEED)], str(REPO), embed=lambda s: embed_missing(s, real_embedder))
    return path


@pytest.fixture
def embedded_seed_copy(embedded_seed_db, tmp_path):
    """A private copy of `embedded_seed_db` at $ALMANAC_DB (what the CLI opens by default)."""
    import shutil

    target = pathlib.Path(os.environ["ALMANAC_DB"])
    shutil.copyfile(embedded_seed_db, target)
    return target


@pytest.fixture(scope="session")
def onnx_cache_dir(tmp_path_factory, real_embedder):
    """An $XDG_CACHE_HOME holding the ONNX export of the bundled model (exported once)."""
    from almanac.onnx_encoder import export

    base = tmp_path_factory.mktemp("xdg-cache")
    export(real_embedder, str(base / "almanac"))
    return base


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache_dir):
    """The torch-free query encoder over that export."""
    from almanac.embeddings import BUNDLED_MODEL
    from almanac.onnx_encoder import load_exported

    return load_exported(str(onnx_cache_dir / "almanac"), "", BUNDLED_MODEL)
