"""The ledger's chain under concurrent writers: one chain per project, never forked."""
from __future__ import annotations

import threading

from sqlalchemy import select

from archive import db
from archive.accounts.models import User
from archive.coproduction import ledger
from archive.coproduction.models import LedgerEntry, Project
from tests.coproduction_fixtures import TR_ORG, coprod, sides  # noqa: F401  (fixtures)


def test_concurrent_submissions_do_not_fork_the_chain(app, coprod):
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(n: int):
        try:
            with app.app_context():
                s = db.session()
                user, project = s.get(User, coprod.tr.user_id), s.get(Project, coprod.project_id)
                start.wait()
                for i in range(5):
                    ledger.submit(s, project, {"party": TR_ORG, "kind": "cash", "amount": f"{n}.{i:02d}",
                                               "currency": "EUR", "date": "2026-01-04"}, user)
                    s.commit()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with app.app_context():
        s = db.session()
        project = s.get(Project, coprod.project_id)
        seqs = list(s.scalars(select(LedgerEntry.seq).where(LedgerEntry.project_id == project.id)
                              .order_by(LedgerEntry.seq)))
        assert seqs == list(range(1, 21))
        assert ledger.verify(s, project) is None


def test_the_hash_covers_every_field(app, coprod):
    coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "5.00", "currency": "EUR", "date": "2026-01-04",
                       "description": "Birinci"})
    with app.app_context():
        s = db.session()
        entry = s.scalar(select(LedgerEntry))
        original = ledger.entry_hash(entry)
        for name, value in (("description", "İkinci"), ("reporting_minor", 1), ("fx_source", "x"), ("date", None),
                            ("party_id", 999), ("actor_country", "AZ"), ("seq", 7), ("prev_hash", "1" * 64)):
            saved = getattr(entry, name)
            setattr(entry, name, value)
            assert ledger.entry_hash(entry) != original, name
            setattr(entry, name, saved)
        assert ledger.entry_hash(entry) == original == entry.hash
        s.rollback()
