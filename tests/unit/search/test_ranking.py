"""Ranking classes on a real (tantivy) index: what an asset is tagged with counts as its title."""
from __future__ import annotations

from search import fields
from search.interfaces import SearchQuery
from search.tantivy_backend import TantivySearchBackend

LONG = ("Kənd meydanında yallı gedən qadınlar və kişilər, zurna və nağara çalanlar, toy günü "
        "qonaqların gəlişi, süfrə, bəy və gəlin, axşam şənlik davam edir.")


def _doc(doc_id: str, **kw) -> dict:
    return {"id": doc_id, "created": "2024-01-01T00:00:00+00:00", **kw}


def test_subject_lists_go_with_the_titles():
    doc = _doc("a", title_az="Yallı rəqsi", description_az="Kənddə rəqs.", places=["Naxçıvan"],
               people=["Əli Qasımov"], keywords=["toy"], organisation="AzTV", filename="yalli.mxf")
    text = fields.text_fields(doc)
    assert text["title_n"] == ["yallı rəqsi", "toy", "əli qasımov", "naxçıvan"]
    assert text["body_n"] == ["kənddə rəqs", "yalli mxf", "aztv"]


def test_a_tagged_place_ranks_above_a_passing_mention_whatever_the_descriptions_length(tmp_path):
    backend = TantivySearchBackend(tmp_path)
    # The tagged asset's description is long (a long field weighs each word less); the
    # mentions are short ones.
    backend.index([_doc("tagged", title_az="Yallı rəqsi", description_az=LONG, places=["Naxçıvan"]),
                   *[_doc(f"mention{i}", title_az=f"Kənd həyatı {i}", description_az="Naxçıvan yolunda bir gün.")
                     for i in range(5)]])
    for text in ("Naxçıvan", "Nahçıvan", "Нахчыван"):
        hits = [h.id for h in backend.search(SearchQuery(text=text, per_page=10)).hits]
        assert hits[0] == "tagged", (text, hits)


def test_a_tagged_person_is_found_and_ranked_like_a_title(tmp_path):
    backend = TantivySearchBackend(tmp_path)
    backend.index([_doc("about", title_tr="Konser kaydı", description_tr=LONG, people=["Zeki Müren"]),
                   _doc("mentions", title_tr="Gece programı", description_tr="Zeki Müren şarkıları çalındı.")])
    assert [h.id for h in backend.search(SearchQuery(text="zeki muren")).hits] == ["about", "mentions"]


def test_turkish_a_finds_azerbaijani_schwa_and_back(tmp_path):
    backend = TantivySearchBackend(tmp_path)
    backend.index([_doc("az", title_az="Əli Qasımov və Həsən bəy", description_az="Xəbərlər, Nəsrəddin."),
                   _doc("tr", title_tr="Hasan Bey ile Ali", description_tr="Haberler."),
                   _doc("meat", title_az="Ət bazarı")])
    def found(text, **kw):
        return {h.id for h in backend.search(SearchQuery(text=text, **kw)).hits}
    assert found("Ali Kasımov") == {"az"}
    assert found("Hasan") == found("Həsən") == found("Əli") == {"az", "tr"}
    assert found("haberler") == {"az", "tr"}
    assert found("nasred*") == {"az"}
    assert found("at") == set()             # two letters: `at` is not `ət`
