"""asset_document, index_asset and `ortak reindex` against a real (SQLite) database and tantivy index."""
import pytest
from click.testing import CliRunner

from archive import db
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.cli import main
from archive.indexing import asset_document, index_asset, reindex_all
from search.interfaces import SearchQuery
from search.mapping import display_title
from tests.asset_factory import create_asset

META = {"title": {"tr": "İSTANBUL HATIRASI", "en": "Memories of Istanbul"},
        "description": {"tr": "Boğaz'da bir gün."}, "genre": "documentary", "keywords": ["vapur"],
        "people": ["Türkan Şoray"], "places": ["İstanbul"], "recorded": "1975-06-21",
        "languages": ["tr", "en"], "country": "TR"}


@pytest.fixture
def uploader(make_user):
    return make_user("producer", "TR", org="TRT Arşiv")[0]


def test_asset_document(app, uploader):
    asset_id = create_asset(app, uploader, meta=META, filename="hatira_1975.mp4")
    with app.app_context():
        d = asset_document(db.session().get(Asset, asset_id))
    assert d["id"] == asset_id and d["filename"] == "hatira_1975.mp4"
    assert d["title_tr"] == "İSTANBUL HATIRASI" and d["title_az"] is None and d["title_en"] == "Memories of Istanbul"
    assert d["description_tr"] == "Boğaz'da bir gün." and d["description_en"] is None
    assert (d["keywords"], d["people"], d["places"]) == (["vapur"], ["Türkan Şoray"], ["İstanbul"])
    assert (d["country"], d["genre"], d["year"], d["languages"]) == ("TR", "documentary", "1975", ["tr", "en"])
    assert (d["kind"], d["status"], d["organisation"]) == ("video", "ready", "TRT Arşiv")
    assert d["created"].endswith("+00:00")


def test_asset_document_without_metadata(app, uploader):
    asset_id = create_asset(app, uploader, meta={}, filename="untitled.mov")
    with app.app_context():
        d = asset_document(db.session().get(Asset, asset_id))
    assert d["year"] is None and d["genre"] is None and d["languages"] == [] and d["country"] == "TR"
    assert display_title(d, "az") == "untitled.mov"  # the filename serves until a title is given


def test_index_asset_and_delete_when_gone(app, uploader):
    asset_id = create_asset(app, uploader, meta=META)
    with app.app_context():
        s = db.session()
        assert index_asset(s, search_backend(), asset_id) is True
        hits = search_backend().search(SearchQuery(text="istanbul", lang="en")).hits
        assert [h.id for h in hits] == [asset_id] and hits[0].title == "Memories of Istanbul"
        s.delete(s.get(Asset, asset_id))
        s.commit()
        assert index_asset(s, search_backend(), asset_id) is False
        assert search_backend().search(SearchQuery(text="istanbul")).total == 0


def test_index_asset_twice_keeps_one_document(app, uploader):
    asset_id = create_asset(app, uploader, meta=META)
    with app.app_context():
        index_asset(db.session(), search_backend(), asset_id)
        index_asset(db.session(), search_backend(), asset_id)
        assert search_backend().count() == 1


def test_reindex_all_rebuilds_from_the_database(app, uploader, monkeypatch):
    monkeypatch.setattr("archive.indexing.BATCH", 2)  # several batches
    made = [create_asset(app, uploader, data=f"bytes {i}".encode(), meta={"title": {"az": f"Şəki {i}"}})
            for i in range(5)]
    with app.app_context():
        search_backend().index([{"id": "stale", "title_en": "not in the database"}])
        assert reindex_all(db.session(), search_backend()) == 5
        result = search_backend().search(SearchQuery(text="seki", per_page=10))
        assert {h.id for h in result.hits} == set(made)
        assert search_backend().count() == 5


def test_ortak_reindex_command(app, app_config, uploader, monkeypatch):
    create_asset(app, uploader, meta=META)
    monkeypatch.setenv("ORTAK_DATA_DIR", app_config["DATA_DIR"])
    monkeypatch.setenv("ORTAK_DATABASE_URL", app_config["DATABASE_URL"])
    monkeypatch.setenv("ORTAK_LOG_LEVEL", "WARNING")
    result = CliRunner().invoke(main, ["reindex"], catch_exceptions=False)
    assert result.exit_code == 0 and "indexed 1 assets" in result.output
    with app.app_context():
        assert search_backend().search(SearchQuery(text="ıstanbul")).total == 1


@pytest.mark.parametrize("status", ["processing", "rejected", "failed", "uploading"])
def test_assets_not_ready_are_found_by_their_organisation_only(app, uploader, make_user, status):
    """Findable at once: an asset being processed (or refused) is found by its own organisation,
    with its status as a facet, and by nobody else."""
    other_org_user = make_user("broadcaster", "AZ", org="İTV")[0]
    asset_id = create_asset(app, uploader, meta=META, status=status)
    with app.app_context():
        from archive.accounts.models import User
        s = db.session()
        own_org = str(s.get(Asset, asset_id).organisation_id)
        other_org = str(s.get(User, other_org_user).organisation_id)
        assert index_asset(s, search_backend(), asset_id) is True
        mine = search_backend().search(SearchQuery(text="istanbul", viewer_organisation=own_org))
        assert mine.total == 1 and mine.facets["status"] == {status: 1}
        assert search_backend().search(SearchQuery(text="istanbul", viewer_organisation=other_org)).total == 0
        assert search_backend().search(SearchQuery(text="istanbul")).total == 0
        assert search_backend().search(SearchQuery(text="istanbul", sees_everything=True)).total == 1
        assert reindex_all(db.session(), search_backend()) == 1


def test_asset_document_carries_the_rights_open_on_the_day(app, uploader, make_user):
    from datetime import date

    from archive.accounts.models import Organisation
    from archive.rights.models import RightsBlock

    other = make_user("broadcaster", "AZ", org="İTV")[0]
    asset_id = create_asset(app, uploader, meta=META)
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        assert asset_document(asset)["cleared"] == [f"own:{asset.organisation_id}"]
        itv = s.query(Organisation).filter_by(name="İTV").one()
        s.add(RightsBlock(asset_id=asset_id, kind="grant", licensee_organisations=[itv.id], licensee_countries=[],
                          all_members=False, territories=["AZ"], exclude_territories=[], platforms=["vod"],
                          start_date=date(2030, 1, 1), end_date=date(2030, 1, 31), holdbacks=[], conditions={},
                          created_by=other))
        s.flush()
        assert asset_document(asset, date(2029, 12, 31))["cleared"] == [f"named|org:{itv.id}",
                                                                        f"own:{asset.organisation_id}"]
        assert f"org:{itv.id}|vod|AZ" in asset_document(asset, date(2030, 1, 31))["cleared"]


def test_index_now_outside_a_request_is_the_index_task_alone(app, uploader, sent):
    """A CLI command or a task that edits an asset: no request writes the document, so the
    index task is sent with the commit (and dropped with a rollback), as before."""
    from archive.assets.services import update_metadata
    from archive.accounts.models import User

    asset_id = create_asset(app, uploader, meta={"title": {"en": "Before"}})
    sent.clear()
    with app.app_context():
        s = db.session()
        update_metadata(s, s.get(Asset, asset_id), {"title": {"en": "Rolled back"}}, s.get(User, uploader))
        s.rollback()
        assert sent == []
        update_metadata(s, s.get(Asset, asset_id), {"title": {"en": "After"}}, s.get(User, uploader))
        s.commit()
        assert sent == [("workers.tasks.index_asset", (asset_id,))]
        assert search_backend().search(SearchQuery(text="after", sees_everything=True)).total == 0  # the task's job


def test_a_failing_request_writes_nothing_at_once_but_a_committed_one_does(app, client, make_user, sent):
    """The request's own write follows its commit: a PATCH refused (422, rolled back) neither
    writes a document nor sends a task; an accepted one writes it before it answers."""
    user_id, token = make_user("producer", "TR", org="TRT Arşiv")
    asset_id = create_asset(app, user_id, meta={"title": {"en": "Before"}})
    sent.clear()
    h = {"Authorization": f"Bearer {token}"}
    r = client.patch(f"/api/v1/assets/{asset_id}", json={"title": {"en": "Kept"}, "genre": 5}, headers=h)
    assert r.status_code == 422 and sent == []
    r = client.patch(f"/api/v1/assets/{asset_id}", json={"title": {"en": "Kept"}}, headers=h)
    assert r.status_code == 200 and sent == [("workers.tasks.index_asset", (asset_id,))]
    with app.app_context():
        assert [h.id for h in search_backend().search(SearchQuery(text="kept", sees_everything=True)).hits] == [asset_id]


def test_write_now_writes_the_asset_as_the_database_holds_it_not_as_the_request_loaded_it(app, uploader):
    """A request loaded the asset, then another transaction (a worker, an admin) changed what
    the request did not touch (here: the asset fails, hidden from other organisations) and
    committed before the request's own commit. The document the request writes after its
    commit is the database's, not the request's copy: a hidden asset is not shown as ready."""
    from archive.indexing import write_now

    asset_id = create_asset(app, uploader, meta={"title": {"en": "Ferry at dawn"}})
    with app.app_context():
        s = db.session()
        loaded = s.get(Asset, asset_id)  # loaded and still held by the request (its view, a relationship)
        assert loaded.status == "ready"
        other = db.get_db().sessionmaker()
        try:
            other.get(Asset, asset_id).status = "failed"
            other.commit()
        finally:
            other.close()
        s.commit()  # the request's own commit (its session keeps what it loaded)
        backend = search_backend()
        assert write_now(s, backend, [asset_id], wait=5) == 1
        found = backend.search(SearchQuery(text="ferry", sees_everything=True))
        assert [h.id for h in found.hits] == [asset_id] and found.facets["status"] == {"failed": 1}
        assert loaded.status == "failed"


def test_index_now_with_a_session_no_request_finishes_is_the_index_task(app, uploader, sent):
    """Inside a request, but with a session of its own (not the request's unit of work, which
    alone writes the held documents after its commit): the index task goes with that
    session's commit, as outside a request, instead of being held where nothing sends it."""
    from archive.assets.services import update_metadata
    from archive.accounts.models import User

    asset_id = create_asset(app, uploader, meta={"title": {"en": "Before"}})
    sent.clear()
    with app.test_request_context("/"):
        own = db.get_db().sessionmaker()
        try:
            update_metadata(own, own.get(Asset, asset_id), {"title": {"en": "After"}}, own.get(User, uploader))
            own.commit()
        finally:
            own.close()
    assert sent == [("workers.tasks.index_asset", (asset_id,))]
