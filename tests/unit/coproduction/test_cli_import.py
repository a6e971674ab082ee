"""`ortak coproduction import` / `rates` / `verify`: CSV into the ledger, all or nothing, with a dry run."""
from __future__ import annotations

from sqlalchemy import func, select

from archive import db
from archive.coproduction.models import ExchangeRate, LedgerEntry
from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, sides  # noqa: F401  (fixtures)

HEADER = "party,kind,amount,currency,date,description,crew_person,crew_function,crew_days,crew_day_rate,crew_nationality\n"


def _email(app, user_id: int) -> str:
    from archive.accounts.models import User

    with app.app_context():
        return db.session().get(User, user_id).email


def _entries(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(LedgerEntry))


def test_import_contributions_and_rates(app, coprod, ortak_cli, tmp_path):
    email = _email(app, coprod.tr.user_id)
    rates = tmp_path / "tcmb.csv"
    rates.write_text("currency,date,rate\nTRY,2026-01-02,0.0270\nUSD,2026-01-02,0.9100\n", encoding="utf-8")
    result = ortak_cli("coproduction", "rates", str(rates), "--project", coprod.project_id, "--as", email,
                       "--source", "TCMB")
    assert result.exit_code == 0, result.output
    assert "imported 2 rates" in result.output
    rows = tmp_path / "katkilar.csv"
    rows.write_text(HEADER + f"{TR_ORG},cash,100000.00,TRY,2026-01-04,Nakit,,,,,\n"
                    f"{TR_ORG},crew,,USD,2026-01-04,,Ayşe Yılmaz,yönetmen,10,800.00,tr\n", encoding="utf-8")
    dry = ortak_cli("coproduction", "import", str(rows), "--project", coprod.project_id, "--as", email, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would import 2 contributions" in dry.output and _entries(app) == 0
    done = ortak_cli("coproduction", "import", str(rows), "--project", coprod.project_id, "--as", email)
    assert done.exit_code == 0, done.output
    assert _entries(app) == 2
    board = coprod.parity()
    assert board["parties"][0]["pending"] == "9980.00"  # 2700.00 + 10 × 800 USD × 0.91
    verify = ortak_cli("coproduction", "verify", coprod.project_id)
    assert verify.exit_code == 0 and "ledger intact: 2 records" in verify.output


def test_one_bad_row_imports_nothing_and_names_every_bad_line(app, coprod, ortak_cli, tmp_path):
    email = _email(app, coprod.tr.user_id)
    rows = tmp_path / "rows.csv"
    rows.write_text(HEADER + f"{TR_ORG},cash,10.00,EUR,2026-01-04,,,,,,\n"
                    f"{TR_ORG},cash,-5.00,EUR,2026-01-04,,,,,,\n"
                    f"{AZ_ORG},cash,5.00,EUR,2026-01-04,,,,,,\n"
                    f"{TR_ORG},cash,5.00,TRY,2026-01-04,,,,,,\n", encoding="utf-8")
    result = ortak_cli("coproduction", "import", str(rows), "--project", coprod.project_id, "--as", email)
    assert result.exit_code == 1
    assert "line 3: amount" in result.output and "not_positive" in result.output
    assert "line 4:" in result.output and "not_your_party" in result.output
    assert "line 5:" in result.output and "no_rate" in result.output
    assert "nothing imported: 3 of 4 rows refused" in result.output
    assert _entries(app) == 0


def test_unusable_files_end_in_one_line(app, coprod, ortak_cli, tmp_path):
    email = _email(app, coprod.tr.user_id)
    cases = {"missing.csv": None, "empty.csv": b"", "header-only.csv": HEADER.encode(),
             "latin1.csv": (HEADER + "TRT,cash,1.00,EUR,2026-01-04,Çay,,,,,\n").encode("latin-1"),
             "unknown.csv": b"party,kind,date,colour\nTRT,cash,2026-01-04,red\n",
             "binary.csv": b"party,kind,date\n\x00\x01\x02\n",
             "ragged.csv": b"party,kind,date\nTRT,cash,2026-01-04,extra\n"}
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        result = ortak_cli("coproduction", "import", str(path), "--project", coprod.project_id, "--as", email)
        assert result.exit_code == 2, (name, result.output)
        assert result.output.startswith("error: ") and result.output.count("\n") == 1, (name, result.output)
    result = ortak_cli("coproduction", "import", str(path), "--project", "no-such-project", "--as", email)
    assert result.exit_code == 2 and "project_not_found" in result.output
    assert _entries(app) == 0


def test_verify_names_a_broken_record(app, coprod, ortak_cli):
    entry = coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "1.00", "currency": "EUR",
                               "date": "2026-01-04"}).get_json()["id"]
    with app.app_context():
        s = db.session()
        s.execute(LedgerEntry.__table__.update().where(LedgerEntry.id == entry).values(description="changed"))
        s.commit()
    result = ortak_cli("coproduction", "verify", coprod.project_id)
    assert result.exit_code == 1 and f"ledger broken at record {entry}" in result.output
    assert ortak_cli("coproduction", "verify", "nope").exit_code == 2


def test_rates_need_a_source(app, coprod, ortak_cli, tmp_path):
    email = _email(app, coprod.tr.user_id)
    path = tmp_path / "r.csv"
    path.write_text("currency,date,rate\nTRY,2026-01-02,0.0270\n", encoding="utf-8")
    result = ortak_cli("coproduction", "rates", str(path), "--project", coprod.project_id, "--as", email)
    assert result.exit_code == 2 and "missing columns source" in result.output
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(ExchangeRate)) == 0
