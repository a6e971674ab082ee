"""Assets for tests that must not depend on the upload endpoint or the media pipeline.

Bytes go through the configured BlobStorage for real; the Asset and Rendition rows are
inserted directly, as ingest would leave them.
"""
from __future__ import annotations

import hashlib
import io

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.backends import storage
from archive.renditions.files import content_type_for
from archive.renditions.models import Rendition, RenditionFile


def create_asset(app, uploader_id: int, data: bytes = b"ortak test bytes\n" * 64, *,
                 filename: str = "film.mp4", content_type: str = "video/mp4", meta: dict | None = None,
                 status: str = "ready", kind: str = "video", renditions: dict | None = None) -> str:
    """renditions: {name: {"data": bytes, "content_type": ..., "status": ..., "progress": ...,
    "ext": ".mp4", "files": {path: bytes}}}: `data` is a one-file rendition (`<name><ext>`),
    `files` a multi-file one (its first path is the entry); either makes the rendition
    available (a complete make), whatever its status."""
    with app.app_context():
        s = db.session()
        user = s.get(User, uploader_id)
        sha = hashlib.sha256(data).hexdigest()
        key = f"originals/{sha[:2]}/{sha}"
        storage().put_stream(key, io.BytesIO(data), length=len(data), content_type=content_type)
        asset = Asset(status=status, kind=kind, filename=filename, content_type=content_type, size=len(data),
                      sha256=sha, original_key=key, meta=meta or {}, technical={"duration": 4.0},
                      organisation_id=user.organisation_id, country=user.organisation.country,
                      uploader_id=user.id)
        s.add(asset)
        s.flush()
        for name, spec in (renditions or {}).items():
            r = Rendition(asset_id=asset.id, name=name, status=spec.get("status", "ready"),
                          progress=spec.get("progress", 1.0 if spec.get("status", "ready") == "ready" else 0.0),
                          content_type=spec.get("content_type"), width=spec.get("width"),
                          height=spec.get("height"))
            files = dict(spec.get("files") or {})
            if spec.get("data") is not None:
                files = {f"{name}{spec.get('ext', '.bin')}": spec["data"]}
            s.add(r)
            if files:
                s.flush()
                prefix = f"renditions/{asset.id}/{name}/test-{r.id}"
                for path, content in files.items():
                    info = storage().put_stream(f"{prefix}/{path}", io.BytesIO(content), length=len(content))
                    s.add(RenditionFile(rendition_id=r.id, path=path, blob_key=info.key, size=info.size,
                                        sha256=info.sha256, content_type=content_type_for(path)
                                        if spec.get("files") else spec.get("content_type") or "application/octet-stream"))
                entry = next(iter(files))
                r.prefix, r.entry, r.file_count = prefix, entry, len(files)
                r.size = sum(len(c) for c in files.values())
                r.sha256 = hashlib.sha256(files[entry]).hexdigest()
        s.commit()
        return asset.id
