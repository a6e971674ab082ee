from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base, UTCDateTime, utcnow


class VideoFingerprint(Base):
    """The perceptual hashes of one video asset, for reverse clip search: `count` 64-bit
    hashes (`algorithm`, e.g. `phash64`), `rate` a second of the source, hash k for the
    frame at k / rate seconds, stored as one blob (`hashes`: big-endian uint64, 0 for a flat
    frame; `archive.media.fingerprints.to_bytes`), 8 bytes a second and plane: `planes`
    planes one after the other (the whole frame, then each centre crop of
    `FingerprintProfile.crops`, each with its corners left out: `fingerprints.frame_hashes`;
    `fingerprints.to_planes`), 86 MB for 1,000 hours at 3. `colours`: each plane's region's
    mean Y, Cb and Cr a sample (`fingerprints.colour_bytes`: (planes, count, 3) uint8, 3
    bytes a second and plane), NULL for rows made before fingerprints version 5.

    One row per asset rather than a row per hash: the index (`archive.provenance.index`) is
    loaded whole into memory and never queried hash by hash in SQL. `source_sha256` is the
    SHA-256 of the rendition file the hashes were read from (the step is current while it
    is the rendition's); `updated_at` tells a process its in-memory index is stale.
    """

    __tablename__ = "video_fingerprints"

    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(32), nullable=False)
    rate: Mapped[int] = mapped_column(Integer, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    planes: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    hashes: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    colours: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False,
                                                 index=True)
