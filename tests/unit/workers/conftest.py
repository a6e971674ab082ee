import hashlib
import shutil
import uuid

import pytest


@pytest.fixture
def add_asset(app, make_user, tmp_path):
    """add_asset(path, filename=None) -> asset_id: stored and registered as an upload would be."""
    from archive import db
    from archive.accounts.models import User
    from archive.ingest.services import register_original

    user_id, _ = make_user("producer", "TR")

    def _add(path, filename=None) -> str:
        staged = tmp_path / f"staged-{uuid.uuid4().hex}"
        shutil.copyfile(path, staged)
        data = staged.read_bytes()
        with app.app_context():
            s = db.session()
            asset, created = register_original(s, staged=staged, sha256=hashlib.sha256(data).hexdigest(),
                                               size=len(data), filename=filename or path.name, meta={},
                                               uploader=s.get(User, user_id))
            assert created
            s.commit()
            return asset.id

    return _add
