"""`ortak import`: the console script with real files, real storage and the test database."""
import hashlib
import json
import shutil

import pytest
from sqlalchemy import select

from archive import db
from archive.assets.models import Asset


@pytest.fixture
def ortak(ortak_cli):
    return lambda *args: ortak_cli("import", *args)


@pytest.fixture
def importer(make_user):
    make_user("producer", "AZ", email="idxal@example.az")
    return "idxal@example.az"


@pytest.fixture
def tree(tmp_path, sample_video, sample_image):
    root = tmp_path / "incoming"
    (root / "1975").mkdir(parents=True)
    shutil.copy(sample_video, root / "1975" / "toy.mp4")
    shutil.copy(sample_image, root / "afişa.png")
    return root


def assets(app):
    with app.app_context():
        return {a.filename: a for a in db.session().scalars(select(Asset))}


def test_import_a_tree_with_csv_metadata(ortak, importer, tree, tmp_path, app, sample_video):
    csv_file = tmp_path / "meta.csv"
    csv_file.write_text(
        "filename,title_az,title_tr,description_en,genre,keywords,people,recorded,languages\n"
        "toy.mp4,Toy,Düğün,A wedding,folklore,toy;muğam,Ələsgər,1975-06,az;tr\n", encoding="utf-8")
    r = ortak(str(tree), "--metadata", str(csv_file), "--as", importer)
    assert r.exit_code == 0, r.output
    assert "created 2, duplicates 0, failed 0" in r.output
    found = assets(app)
    video = found["toy.mp4"]
    assert video.sha256 == hashlib.sha256(sample_video.read_bytes()).hexdigest()
    assert video.meta == {"title": {"az": "Toy", "tr": "Düğün"}, "description": {"en": "A wedding"},
                          "genre": "folklore", "keywords": ["toy", "muğam"], "people": ["Ələsgər"],
                          "recorded": "1975-06", "languages": ["az", "tr"]}
    assert video.status == "processing" and video.country == "AZ"
    assert found["afişa.png"].meta == {} and found["afişa.png"].content_type == "image/png"
    # Again: everything is a duplicate and nothing new is stored.
    r = ortak(str(tree), "--as", importer)
    assert r.exit_code == 0 and "created 0, duplicates 2, failed 0" in r.output
    assert len(assets(app)) == 2


def test_the_metadata_file_inside_the_imported_tree_is_not_imported(ortak, importer, tree, app):
    """A newcomer keeps the CSV next to the footage and imports the folder (trial 2026-12-01:
    meta.csv became an asset of its own, then `rejected`); the metadata file is read, never
    imported, whether found by walking a directory or named on the command line."""
    csv_file = tree / "meta.csv"
    csv_file.write_text("filename,title_az\ntoy.mp4,Toy\n", encoding="utf-8")
    r = ortak(str(tree), str(csv_file), "--metadata", str(csv_file), "--as", importer)
    assert r.exit_code == 0, r.output
    assert "created 2, duplicates 0, failed 0" in r.output
    found = assets(app)
    assert sorted(found) == ["afişa.png", "toy.mp4"]
    assert found["toy.mp4"].meta == {"title": {"az": "Toy"}}


def test_import_with_json_metadata(ortak, importer, tree, tmp_path, app):
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps([{"filename": "afişa.png", "title": {"tr": "Afiş"}, "places": ["Şəki"]}]),
                    encoding="utf-8")
    r = ortak(str(tree / "afişa.png"), "--metadata", str(meta), "--as", importer)
    assert r.exit_code == 0, r.output
    assert assets(app)["afişa.png"].meta == {"title": {"tr": "Afiş"}, "places": ["Şəki"]}


def test_title_and_language_columns_and_comma_lists_as_in_upload_metadata(ortak, importer, tree, tmp_path, app):
    """The columns a newcomer writes first (trial finding F6): `title` in the row's `language`,
    lists separated by commas as in the API."""
    csv_file = tmp_path / "footage.csv"
    csv_file.write_text("filename,title,language,description,genre,recorded,keywords\n"
                        'toy.mp4,Saz havası,tr,Bir düğün,music,1968-05,"saz,bağlama"\n'
                        "afişa.png,Poster,,,,,\n", encoding="utf-8")
    r = ortak(str(tree), "--metadata", str(csv_file), "--as", importer)
    assert r.exit_code == 0, r.output
    found = assets(app)
    assert found["toy.mp4"].meta == {"title": {"tr": "Saz havası"}, "description": {"tr": "Bir düğün"},
                                     "genre": "music", "recorded": "1968-05", "keywords": ["saz", "bağlama"]}
    assert found["afişa.png"].meta == {"title": {"en": "Poster"}}  # no language: English, as Upload-Metadata


def test_a_semicolon_cell_keeps_its_commas_inside_names(ortak, importer, tree, tmp_path, app):
    csv_file = tmp_path / "meta.csv"
    csv_file.write_text('filename,title_az,people,places\ntoy.mp4,Toy,"Aliyev, Rəşid; Bülbül",Şəki\n',
                        encoding="utf-8")
    r = ortak(str(tree / "1975" / "toy.mp4"), "--metadata", str(csv_file), "--as", importer)
    assert r.exit_code == 0, r.output
    assert assets(app)["toy.mp4"].meta == {"title": {"az": "Toy"}, "people": ["Aliyev, Rəşid", "Bülbül"],
                                           "places": ["Şəki"]}


def test_json_title_as_text_in_its_language(ortak, importer, tree, tmp_path, app):
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps([{"filename": "afişa.png", "title": "Afişa", "language": "az",
                                 "keywords": "afişa, teatr"}]), encoding="utf-8")
    r = ortak(str(tree / "afişa.png"), "--metadata", str(meta), "--as", importer)
    assert r.exit_code == 0, r.output
    assert assets(app)["afişa.png"].meta == {"title": {"az": "Afişa"}, "keywords": ["afişa", "teatr"]}


def test_the_help_says_the_columns(ortak_cli):
    r = ortak_cli("import", "--help")
    text = " ".join(r.output.split())
    for words in ("'filename'", "title_tr|az|en", "'language'", "separated by commas", "JSON: a list of objects"):
        assert words in text, words
    assert "'path'" not in text  # no such column


def test_missing_and_empty_files_fail_but_others_go_in(ortak, importer, tree, tmp_path, app):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    r = ortak(str(tree), str(tmp_path / "nope.mp4"), str(empty), "--as", importer)
    assert r.exit_code == 1
    assert "created 2, duplicates 0, failed 2" in r.output
    assert "nope.mp4: no such file or directory" in r.output and "empty.mp4: the file is empty" in r.output
    assert not list((tmp_path / "data" / "uploads").glob("*"))


@pytest.mark.parametrize("name, content, needle", [
    ("meta.csv", "filename,title_en\n../../etc/passwd,x\n", "bare file name"),
    ("meta.csv", "filename,title_en\nsub/toy.mp4,x\n", "bare file name"),
    ("meta.json", json.dumps([{"filename": "a\u0000.mp4"}]), "bare file name"),
    ("meta.csv", 'filename,title_en\n"toy.mp4,x\n', "malformed"),
    ("meta.csv", "filename,title_en\ntoy.mp4,x,extra\n", "malformed"),
    ("meta.csv", "filename,titel_en\ntoy.mp4,x\n", "Unknown CSV columns"),
    ("meta.csv", "filename,titel_en\ntoy.mp4,x\n", "The columns are: filename, title, description, language, title_tr"),
    ("meta.csv", "path,title\ntoy.mp4,x\n", "needs a 'filename' column"),
    ("meta.csv", "filename,title,title_tr,language\ntoy.mp4,x,y,tr\n", "title and title_tr both give"),
    ("meta.csv", "filename,title,language\ntoy.mp4,x,xx\n", "language must be one of tr, az, en"),
    ("meta.json", json.dumps([{"filename": "toy.mp4", "title": "x", "language": "de"}]), "language must be one of"),
    ("meta.csv", "title_en\nx\n", "filename"),
    ("meta.csv", "filename,recorded\ntoy.mp4,1975-13\n", "row 2"),
    ("meta.json", "[{", "malformed"),
    ("meta.json", "[" * 1000 + "]" * 1000, "malformed"),
    ("meta.json", '[{"filename": "toy.mp4", "filename": "film.mp4"}]', "appears twice"),
    ("meta.json", '[{"filename": "toy.mp4", "recorded": NaN}]', "malformed"),
    ("meta.json", '{"filename": "toy.mp4"}', "list of objects"),
    ("meta.json", json.dumps([{"filename": "toy.mp4", "title": {"en": "x" * 600}}]), "longer than 500"),
    ("meta.txt", "filename\n", ".csv or .json"),
    ("meta.csv", b"\xff\xfe\x00", "UTF-8"),
])
def test_bad_metadata_file_imports_nothing(ortak, importer, tree, tmp_path, app, name, content, needle):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    r = ortak(str(tree), "--metadata", str(path), "--as", importer)
    assert r.exit_code == 2
    assert needle in r.output
    assert assets(app) == {}


def test_row_errors_read_as_one_sentence(ortak, importer, tree, tmp_path, app):
    """Each row's message is a sentence; joined, a period never meets the "; " (".; row 3")."""
    path = tmp_path / "meta.csv"
    path.write_text("filename,recorded\ntoy.mp4,1975-13\nafişa.png,1975-02-30\n", encoding="utf-8")
    r = ortak(str(tree), "--metadata", str(path), "--as", importer)
    assert r.exit_code == 2 and "row 2" in r.output and "row 3" in r.output, r.output
    assert ".;" not in r.output and "YYYY-MM-DD; row 3" in r.output, r.output
    assert assets(app) == {}


def test_missing_metadata_file(ortak, importer, tree, tmp_path):
    r = ortak(str(tree), "--metadata", str(tmp_path / "none.csv"), "--as", importer)
    assert r.exit_code == 2 and "metadata_file_missing" in r.output


def test_unknown_user(ortak, tree, app):
    r = ortak(str(tree), "--as", "nobody@example.org")
    assert r.exit_code == 2 and "user_not_found" in r.output
    assert assets(app) == {}


def test_broadcaster_may_not_import(ortak, make_user, tree, app):
    make_user("broadcaster", "TR", email="yayin@example.org")
    r = ortak(str(tree), "--as", "yayin@example.org")
    assert r.exit_code == 2 and "wrong_role" in r.output


def test_subtitle_sidecars_become_transcripts(ortak, importer, tree, app):
    from archive.transcripts.models import Transcript

    folder = tree / "1975"
    (folder / "toy.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nDüğün başlıyor\n", encoding="utf-8")
    (folder / "toy.az.vtt").write_text("WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nToy başlayır\n", encoding="utf-8")
    (folder / "toy.en.srt").write_text("1\n00:00:0x,500 --> 00:00:01,500\nbroken\n", encoding="utf-8")
    (folder / "notes.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nstray\n", encoding="utf-8")
    r = ortak(str(tree), "--as", importer)
    # The broken sidecar fails with its line; a subtitle file beside no media is imported as a file.
    assert "created 3, duplicates 0, failed 1, transcripts 2" in r.output, r.output
    assert "toy.en.srt" in r.output and "line 2" in r.output and r.exit_code == 1
    found = assets(app)
    assert "toy.tr.srt" not in found and "notes.srt" in found
    with app.app_context():
        got = {t.lang: [s.text for s in t.segments] for t in db.session().scalars(
            select(Transcript).where(Transcript.asset_id == found["toy.mp4"].id))}
    assert got == {"tr": ["Düğün başlıyor"], "az": ["Toy başlayır"]}


def test_sidecars_are_found_next_to_a_file_named_alone(ortak, importer, tree, tmp_path, app):
    # The README's own example, `ortak import footage/*.mp4`: the shell names the media files only.
    from archive.transcripts.models import Transcript

    folder = tree / "1975"
    (folder / "toy.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nDüğün başlıyor\n", encoding="utf-8")
    (folder / "toy.az.vtt").write_text("WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nToy başlayır\n\n"
                                       "00:00:01.500 --> 00:00:02.000\nMuğam\n", encoding="utf-8")
    (folder / "toy.xx.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\n?\n", encoding="utf-8")
    (folder / "toy.en.srt").mkdir()  # not a file at all: cannot be read
    (folder / "toyota.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nnot its\n", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("filename,title_tr\ntoy.mp4,Düğün\n", encoding="utf-8")
    r = ortak(str(folder / "toy.mp4"), "--metadata", str(meta), "--as", importer)
    assert "created 1, duplicates 0, failed 2, transcripts 2" in r.output, r.output
    assert r.exit_code == 1
    video = assets(app)["toy.mp4"]
    assert set(assets(app)) == {"toy.mp4"}  # no sidecar became an asset, and toyota's was left alone
    # Each sidecar is named in the output: attached (language, asset, cues) or refused with its reason.
    assert f"transcript {folder / 'toy.tr.srt'}: tr of asset {video.id}, 1 cue\n" in r.output
    assert f"transcript {folder / 'toy.az.vtt'}: az of asset {video.id}, 2 cues\n" in r.output
    assert f"failed {folder / 'toy.xx.srt'}: sidecar not attached to asset {video.id}: 'xx' is not an ISO 639" \
        in r.output
    assert f"failed {folder / 'toy.en.srt'}: sidecar not attached to asset {video.id}: not a regular file" in r.output
    assert "toyota" not in r.output
    with app.app_context():
        got = {t.lang: [s.text for s in t.segments] for t in db.session().scalars(
            select(Transcript).where(Transcript.asset_id == video.id))}
    assert got == {"tr": ["Düğün başlıyor"], "az": ["Toy başlayır", "Muğam"]}
    assert video.meta == {"title": {"tr": "Düğün"}}


def test_a_sidecar_named_with_its_media_is_attached_once(ortak, importer, tree, app):
    folder = tree / "1975"
    (folder / "toy.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nDüğün\n", encoding="utf-8")
    r = ortak(str(folder / "toy.mp4"), str(folder / "toy.tr.srt"), "--as", importer)
    assert r.exit_code == 0 and "created 1, duplicates 0, failed 0, transcripts 1" in r.output, r.output


def test_a_sidecar_with_a_cue_past_the_end_is_refused_as_a_put_is(ortak, importer, tree, app):
    from archive.transcripts.models import Transcript

    folder = tree / "1975"  # toy.mp4 lasts 4 s
    (folder / "toy.en.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nfits\n\n"
                                       "2\n00:05:01,000 --> 00:05:03,000\nanother cut's\n", encoding="utf-8")
    (folder / "toy.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nDüğün\n", encoding="utf-8")
    r = ortak(str(folder / "toy.mp4"), "--as", importer)
    assert "created 1, duplicates 0, failed 1, transcripts 1" in r.output, r.output
    assert r.exit_code == 1
    video = assets(app)["toy.mp4"]
    assert f"failed {folder / 'toy.en.srt'}: sidecar not attached to asset {video.id}" in r.output
    assert "Cue 2 starts after the end of the recording (4.0" in r.output
    with app.app_context():
        langs = {t.lang for t in db.session().scalars(select(Transcript).where(Transcript.asset_id == video.id))}
    assert langs == {"tr"}


def test_a_sidecar_without_its_media_file_is_an_orphan_not_an_asset(ortak, importer, tmp_path, app):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "orphan.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nYalnız\n", encoding="utf-8")
    (folder / "notes.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nnot a sidecar\n", encoding="utf-8")
    r = ortak(str(folder / "orphan.tr.srt"), "--as", importer)
    assert r.exit_code == 1 and "created 0, duplicates 0, failed 1" in r.output, r.output
    assert f"failed {folder / 'orphan.tr.srt'}: orphan sidecar: no media file named orphan.<ext>" in r.output
    assert assets(app) == {}
    # A subtitle file whose name gives no language is a file like the rest, as before.
    r = ortak(str(folder / "notes.srt"), "--as", importer)
    assert "created 1" in r.output and set(assets(app)) == {"notes.srt"}


def _transcripts(app, asset_id):
    from archive.transcripts.models import Transcript

    with app.app_context():
        return {t.lang: [s.text for s in t.segments] for t in db.session().scalars(
            select(Transcript).where(Transcript.asset_id == asset_id))}


def test_a_duplicates_sidecars_follow_the_rule_of_an_uploads_transcripts(ortak, importer, tree, tmp_path, app,
                                                                         make_user):
    """Beside bytes the archive holds already, a sidecar in a new language is added, the same
    file is nothing new, another file in a language the asset has is not applied (a PUT replaces
    it), and another organisation's asset is never changed (carry_over.transcript_outcome)."""
    folder = tree / "1975"
    (folder / "toy.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nDüğün başlıyor\n", encoding="utf-8")
    assert ortak(str(folder / "toy.mp4"), "--as", importer).exit_code == 0
    video = assets(app)["toy.mp4"]
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(folder / "toy.mp4", again / "toy.mp4")
    shutil.copy(folder / "toy.tr.srt", again / "toy.tr.srt")  # the same file
    (again / "toy.az.vtt").write_text("WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nToy başlayır\n", encoding="utf-8")
    r = ortak(str(again / "toy.mp4"), "--as", importer)
    assert r.exit_code == 0 and "created 0, duplicates 1, failed 0, transcripts 1" in r.output, r.output
    assert f"transcript {again / 'toy.tr.srt'}: asset {video.id} has this file in tr already" in r.output
    assert _transcripts(app, video.id) == {"tr": ["Düğün başlıyor"], "az": ["Toy başlayır"]}

    (again / "toy.tr.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nBaşka bir çeviri\n", encoding="utf-8")
    r = ortak(str(again / "toy.mp4"), "--as", importer)
    assert r.exit_code == 1 and "created 0, duplicates 1, failed 1" in r.output, r.output
    assert (f"failed {again / 'toy.tr.srt'}: sidecar not attached to asset {video.id}: the asset has another "
            f"transcript in tr already; replace it with PUT /api/v1/assets/{video.id}/transcripts/tr") in r.output
    assert _transcripts(app, video.id)["tr"] == ["Düğün başlıyor"]  # kept

    make_user("producer", "TR", email="other@example.tr")
    (again / "toy.en.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nThe wedding\n", encoding="utf-8")
    (again / "toy.tr.srt").unlink()
    (again / "toy.az.vtt").unlink()
    r = ortak(str(again / "toy.mp4"), "--as", "other@example.tr")
    assert r.exit_code == 1 and "duplicates 1, failed 1" in r.output, r.output
    assert "the asset is another organisation's: only it changes the asset's transcripts" in r.output
    assert "en" not in _transcripts(app, video.id)
