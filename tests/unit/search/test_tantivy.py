"""tantivy specifics: the one-writer lock across processes, commits seen by other processes, config."""
import multiprocessing

import pytest

from search.interfaces import SearchConfigError, SearchError, SearchQuery
from search.tantivy_backend import SCHEMA_VERSION, TantivySearchBackend


def _writer_process(path, prefix, n):
    backend = TantivySearchBackend(path)
    for i in range(n):
        backend.index([{"id": f"{prefix}-{i}", "title_tr": f"Belgesel {prefix} {i}", "created": None}])


def test_two_processes_write_the_same_index(tmp_path):
    # The web process and a worker both index: the writer lock is taken in turns, nothing is lost.
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer_process, args=(str(tmp_path), p, 8)) for p in ("web", "worker")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert TantivySearchBackend(tmp_path).search(SearchQuery(text="belgesel", per_page=50)).total == 16


def test_a_commit_in_one_process_is_seen_by_an_open_searcher(tmp_path):
    reader = TantivySearchBackend(tmp_path)
    assert reader.count() == 0
    ctx = multiprocessing.get_context("spawn")
    p = ctx.Process(target=_writer_process, args=(str(tmp_path), "w", 1))
    p.start()
    p.join(60)
    assert reader.count() == 1 and reader.search(SearchQuery(text="BELGESEL")).total == 1


def test_a_held_lock_times_out_with_our_error(tmp_path):
    backend = TantivySearchBackend(tmp_path, lock_timeout=0.3)
    other = TantivySearchBackend(tmp_path)
    writer = other._open().writer(heap_size=15_000_000, num_threads=1)  # another writer holds the lock
    try:
        with pytest.raises(SearchError, match="locked"):
            backend.index([{"id": "x", "title_en": "x"}])
    finally:
        writer.rollback()
        del writer
    backend.index([{"id": "x", "title_en": "x"}])
    assert backend.count() == 1


def test_from_config_names_the_setting_when_the_directory_is_unusable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SearchConfigError, match="SEARCH_DIR"):
        TantivySearchBackend.from_config({"SEARCH_DIR": str(blocker)})


def test_the_app_reports_a_search_setting_as_a_config_error(app_config, tmp_path):
    from archive import create_app
    from archive.config import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="SEARCH_DIR"):
        create_app({**app_config, "SEARCH_DIR": str(blocker)})


def test_index_lives_in_a_versioned_directory(tmp_path):
    TantivySearchBackend.from_config({"SEARCH_DIR": str(tmp_path)})
    assert (tmp_path / SCHEMA_VERSION / "meta.json").exists()


def test_a_document_without_id_is_refused(tmp_path):
    with pytest.raises(SearchError):
        TantivySearchBackend(tmp_path).index([{"title_en": "no id"}])
