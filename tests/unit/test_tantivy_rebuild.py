"""TantivySearchBackend.rebuild with the analysis in a process pool: the index it builds
answers exactly as one built in this process, a bad document fails the rebuild with a
SearchError, and `ortak reindex --jobs` rejects nonsense."""
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from archive.cli import main
from search.interfaces import SearchError, SearchQuery
from search.mapping import document
from search import tantivy_backend
from search.tantivy_backend import TantivySearchBackend

WORDS = ("Qarabağ xalçası", "Şuşa'da toy", "Dədə Qorqud dastanı", "İstanbul'un vapurları", "Naxçıvan muğamı",
         "Karadeniz horonu", "Bakı küləyi", "Trabzon kemençesi")


def docs(n: int, start: int = 0) -> list[dict]:
    out = []
    for i in range(start, start + n):
        segments = None
        if i % 3 == 0:
            segments = [{"in": f"00:00:{s:02d}:00", "out": f"00:00:{s + 1:02d}:00", "in_seconds": float(s),
                         "out_seconds": s + 1.0, "text": f"{WORDS[(i + s) % len(WORDS)]} {i}", "lang": "az",
                         "source": "transcript"} for s in range(4)]
        out.append(document(
            doc_id=f"asset-{i:04d}", created=datetime(2024, 1, 1 + i % 28, tzinfo=timezone.utc),
            filename=f"kayit_{i}.mp4", organisation="İTV" if i % 2 else "TRT", country="AZ" if i % 2 else "TR",
            genre="folklore", recorded=f"{1950 + i % 70}", languages=["az"], kind="video", status="ready",
            titles={"az": f"{WORDS[i % len(WORDS)]} {i}"}, descriptions={"tr": WORDS[(i + 1) % len(WORDS)]},
            keywords=["arxiv"], people=[], places=[], segments=segments, has_transcript=bool(segments)))
    return out


def answers(backend, text):
    result = backend.search(SearchQuery(text=text, per_page=100, lang="az", sees_everything=True))
    return (result.total, sorted((h.id, tuple((s["in"], s["text"]) for s in h.segments)) for h in result.hits),
            result.facets["country"])


def test_pooled_rebuild_answers_as_inline(tmp_path, monkeypatch):
    monkeypatch.setattr(tantivy_backend, "REBUILD_COMMIT", 50)  # several commits
    batches = [docs(40, 0), docs(40, 40), docs(40, 80), docs(7, 120)]
    inline, pooled = TantivySearchBackend(tmp_path / "inline"), TantivySearchBackend(tmp_path / "pooled")
    pooled.index(docs(5, 500))  # an older document the rebuild must drop
    assert inline.rebuild(iter(batches), jobs=1) == 127
    assert pooled.rebuild(iter(batches), jobs=2) == 127
    assert pooled.count() == inline.count() == 127
    for text in ("Qarabağ", "karabag", "toy", "Korkut", "muğam", "vapur", "505"):
        assert answers(pooled, text) == answers(inline, text), text
    assert answers(pooled, "Qorqud")[0] > 0 and any(segs for _, segs in answers(pooled, "Qorqud")[1])


def test_rebuild_with_a_bad_document_fails_with_search_error(tmp_path):
    bad = docs(3, 0)
    bad[1]["id"] = None
    backend = TantivySearchBackend(tmp_path)
    with pytest.raises(SearchError, match="text id"):
        backend.rebuild(iter([docs(2, 10), bad]), jobs=2)


def test_rebuild_of_nothing(tmp_path):
    backend = TantivySearchBackend(tmp_path)
    backend.index(docs(2))
    assert backend.rebuild(iter([]), jobs=2) == 0 and backend.count() == 0


@pytest.mark.parametrize("jobs", ["0", "-1", "abc", "100000"])
def test_reindex_jobs_must_be_a_sane_number(jobs):
    result = CliRunner().invoke(main, ["reindex", "--jobs", jobs])
    assert result.exit_code == 2 and "--jobs" in result.output
