"""The rights decision of a zip request for a 10,000-item basket: each item through the access
gate on its own (one rights query per item, as before) against the bulk gate
(`archive.access.gate.check_reads`: one rights query per 500 items, the avails engine pure),
in the same run, on the same basket. Both must give the same decisions.

    .venv/bin/python benchmarks/basket_rights.py [--items 10000] [--blocks 3] [--rounds 3]

Setup: a fresh SQLite archive (migrations), `--items` ready assets of İTV (AZ), each with
`--blocks` rights blocks (a grant to TRT for linear TV in Turkey, and restrictions elsewhere),
in one basket of a TRT broadcaster; a third of the items are segments. Prints the seconds of
the best of `--rounds` for each way and the ratio one-by-one / bulk.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "broadcast", "programme": "bench"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--blocks", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from datetime import date

    from archive import create_app, db
    from archive.access.gate import check_read, check_reads
    from archive.access.policies import Reader
    from archive.accounts import services as accounts
    from archive.assets.models import Asset
    from archive.baskets.models import Basket, BasketItem
    from archive.baskets.services import item_batches, item_read_request, items_in_order
    from archive.migrate import upgrade
    from archive.rights.models import RightsBlock

    data = Path(tempfile.mkdtemp(prefix="ortak-basket-rights-"))
    config = {"DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'ortak.db'}", "SECRET_KEY": "bench",
              "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text", "PASSWORD_HASH_TIME_COST": 1,
              "PASSWORD_HASH_MEMORY_COST": 8, "PASSWORD_HASH_PARALLELISM": 1}
    upgrade(config["DATABASE_URL"])
    app = create_app(config)
    with app.app_context():
        s = db.session()
        accounts.create_organisation(s, "İTV", "AZ")
        trt = accounts.create_organisation(s, "TRT", "TR")
        owner = accounts.create_user(s, "m@itv.test", "correct horse battery", "İTV", "rights_manager")
        user = accounts.create_user(s, "b@trt.test", "correct horse battery", "TRT", "broadcaster")
        s.flush()
        basket = Basket(name="bench", owner_id=user.id, organisation_id=user.organisation_id)
        s.add(basket)
        s.flush()
        for n in range(args.items):
            asset = Asset(status="ready", kind="video", filename=f"m{n}.mp4", content_type="video/mp4", size=1,
                          sha256=f"{n:064x}", original_key=f"originals/{n}", meta={},
                          technical={"duration": 600.0, "frame_rate": "25/1"},
                          organisation_id=owner.organisation_id, country="AZ", uploader_id=owner.id)
            s.add(asset)
            s.flush()
            s.add(RightsBlock(asset_id=asset.id, kind="grant", licensee_organisations=[trt.id], licensee_countries=[],
                              all_members=False, territories=["TR"], exclude_territories=[], platforms=["linear_tv"],
                              start_date=date(2027, 1, 1), end_date=None, exclusive=False, holdbacks=[],
                              conditions={"credit": {"tr": "Kaynak: İTV"}}, created_by=owner.id))
            for b in range(args.blocks - 1):
                s.add(RightsBlock(asset_id=asset.id, kind="restriction", licensee_organisations=[],
                                  licensee_countries=[], all_members=True, territories=["DE"], exclude_territories=[],
                                  platforms=["vod"], start_date=date(2026, 1, 1), end_date=None, exclusive=False,
                                  holdbacks=[], conditions={}, created_by=owner.id))
            segment = n % 3 == 1
            s.add(BasketItem(basket_id=basket.id, asset_id=asset.id, in_frame=250 if segment else None,
                             out_frame=500 if segment else None, rate="25/1" if segment else None,
                             added_by_id=user.id))
        s.commit()
        basket_id = basket.id
        reader = Reader.for_user(user)

        def one_by_one():
            return [check_read(s, reader, item_read_request(i, USE), sends_bytes=False).outcome
                    for i in items_in_order(s, basket_id)]

        def bulk():
            out = []
            for items in item_batches(s, basket_id):
                out += [d.outcome for d in check_reads(s, reader, [item_read_request(i, USE) for i in items],
                                                       sends_bytes=False)]
            return out

        times = {"one_by_one": [], "bulk": []}
        results = {}
        for _ in range(args.rounds):
            for name, fn in (("one_by_one", one_by_one), ("bulk", bulk)):
                s.expire_all()
                t0 = time.perf_counter()
                results[name] = fn()
                times[name].append(time.perf_counter() - t0)
        assert results["one_by_one"] == results["bulk"], "the two ways disagree"
        assert len(results["bulk"]) == args.items and set(results["bulk"]) == {"allowed_with_conditions"}
    a, b = min(times["one_by_one"]), min(times["bulk"])
    print(f"{args.items} items, {args.blocks} rights blocks each, best of {args.rounds}")
    print(f"one by one (a rights query per item): {a:8.3f} s  {args.items / a:9.0f} items/s")
    print(f"bulk (check_reads, a query per 500):  {b:8.3f} s  {args.items / b:9.0f} items/s")
    print(f"ratio one-by-one / bulk: {a / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
