"""`keep_current`: a serving process rebuilds its site when the store's version moves, and only then."""

from __future__ import annotations

import asyncio
import logging

from feeds.rebuild import keep_current


def run_for(seconds: float, version, rebuild, last=None) -> None:
    async def main():
        task = asyncio.create_task(keep_current(version, rebuild, 0.01, last=last))
        await asyncio.sleep(seconds)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def test_rebuilds_once_per_new_version():
    versions = iter([1, 1, 2, 2, 2, 3] + [3] * 1000)
    built = []
    current = {"v": 1}

    def version():
        current["v"] = next(versions)
        return current["v"]

    run_for(0.3, version, lambda: built.append(current["v"]), last=1)
    assert built == [2, 3]


def test_a_failed_build_is_logged_once_and_tried_again(caplog):
    attempts = []

    def rebuild():
        attempts.append(1)
        if len(attempts) < 4:
            raise OSError("No space left on device")

    with caplog.at_level(logging.ERROR, logger="feeds.rebuild"):
        run_for(0.3, lambda: "v2", rebuild, last="v1")
    assert len(attempts) == 4  # retried at each check until it worked, then left alone
    assert [r.getMessage() for r in caplog.records] == [
        "rebuilding the site failed (OSError: No space left on device); serving the previous build, trying again"]


def test_a_version_that_cannot_be_read_is_logged_once_per_outage(caplog):
    """The database unreachable: logged (it was silent: a site went stale with nothing said), once
    however many checks fail, again if it fails again after coming back; rebuilt when it is back."""
    answers = iter([ConnectionError("server closed the connection")] * 5 + ["v2"] * 5
                   + [ConnectionError("again")] * 5 + ["v2"] * 1000)
    built = []

    def version():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with caplog.at_level(logging.ERROR, logger="feeds.rebuild"):
        run_for(0.5, version, lambda: built.append(1), last="v1")
    assert built == [1]
    assert [r.getMessage() for r in caplog.records] == [
        "reading the store's version failed (ConnectionError: server closed the connection); "
        "serving the previous build, trying again",
        "reading the store's version failed (ConnectionError: again); serving the previous build, trying again"]


def test_the_site_version_moves_at_midnight_in_the_schedules_timezone(tmp_path):
    """`almanac serve` rebuilds when the version moves: a quiet store must still move it on a new
    day (the anniversary calendar and the timeline run a year from today), in [schedule] timezone."""
    import datetime as dt

    from almanac.app import App
    from almanac.commands.feeds import site_version
    from almanac.config import Config, ScheduleConfig

    app = App.build(Config(schedule=ScheduleConfig(timezone="Pacific/Auckland")), {"ALMANAC_DB": str(tmp_path / "a.db")})
    try:
        evening = dt.datetime(2026, 3, 1, 10, 59, tzinfo=dt.timezone.utc)  # 23:59 in Auckland
        assert site_version(app, evening) == site_version(app, evening + dt.timedelta(minutes=0, seconds=30))
        assert site_version(app, evening) != site_version(app, evening + dt.timedelta(minutes=2))
    finally:
        app.close()


def test_a_refresh_whose_embedding_fills_the_disk_logs_it_and_keeps_the_entries(tmp_path, seed_path, caplog):
    """`almanac run`'s refresh ingests the configured sources: a database error while embedding (a
    full disk; SQLite's page limit here) is one warning, and the entries read are stored."""
    import dataclasses

    from almanac.app import App
    from almanac.commands.onthisday import ingest_configured
    from almanac.config import Config
    from almanac.embeddings import embed_missing
    from tests.fakes import FakeEmbedder

    config = Config()
    config = dataclasses.replace(config, archive=dataclasses.replace(config.archive, sources=[str(seed_path)]))
    app = App.build(config, {"ALMANAC_DB": str(tmp_path / "a.db")})

    def on_a_full_disk(store, stopped=None):
        conn = store.backend.db.conn
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        return embed_missing(store, FakeEmbedder(dims=384))

    app.embed_missing = on_a_full_disk
    try:
        with caplog.at_level(logging.WARNING, logger="almanac"):
            report = ingest_configured(app)
        assert report.total("added") == 25 and len(app.store.entries()) == 25
        assert "ingest: embedding stopped (database or disk is full); the next refresh embeds what is missing" in [
            r.getMessage() for r in caplog.records]
    finally:
        app.close()


def test_a_refresh_told_to_stop_builds_nothing_and_embeds_no_more(tmp_path, seed_path):
    """SIGTERM during a refresh stopped its ingest's embedding, and then the site build embedded
    every entry still missing a vector, unstoppable (157 s for 3,000 entries; systemd kills at 90).
    Told to stop after the ingest, the refresh stops there; a build told to stop between its
    embedding batches builds nothing; the next start embeds and builds the rest."""
    import dataclasses

    from almanac.app import App
    from almanac.commands.feeds import build
    from almanac.commands.onthisday import refresh_archive
    from almanac.config import Config
    from tests.fakes import FakeEmbedder

    config = Config()
    config = dataclasses.replace(config, archive=dataclasses.replace(config.archive, sources=[str(seed_path)]),
                                 site=dataclasses.replace(config.site, out_dir=str(tmp_path / "public")))
    # The cache in tmp_path: an ONNX export of the real model under ~/.cache (from using almanac on
    # this machine) would otherwise embed the entries with it, and without one nothing would.
    app = App.build(config, {"ALMANAC_DB": str(tmp_path / "a.db"), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    # Mechanics only: no model load; the fake's vectors stand under the configured model's name.
    app.__dict__["embedder"] = FakeEmbedder(dims=384, model_name=app.embedder_name)
    try:
        refresh_archive(app, lambda: True)  # the signal came as the ingest began embedding
        assert app.store.count() == 25 and not (tmp_path / "public").exists()
        missing = app.store.entries_missing_vectors_count(app.embedder_name)
        assert missing == 25
        assert build(app, str(tmp_path / "public"), stopped=lambda: True) is None
        assert not (tmp_path / "public").exists()
        assert app.store.entries_missing_vectors_count(app.embedder_name) == missing
        assert build(app, str(tmp_path / "public")).files > 25  # not stopping: embeds and builds
        assert app.store.entries_missing_vectors_count(app.embedder_name) == 0
    finally:
        app.close()
