"""The staged writer: bytes and hash exact at any offset and size, direct I/O and its fallbacks, errors."""
import contextlib
import errno
import fcntl
import hashlib
import os
import resource
import signal
import tempfile
from pathlib import Path

import pytest

from archive.ingest.staged_writer import ALIGN, StagedWriter

SHM = Path("/dev/shm")


@pytest.fixture(params=["direct", "page-cache", "tmpfs"])
def where(request, tmp_path):
    """(directory, direct wanted): the test directory with O_DIRECT, without, and a tmpfs that refuses it."""
    if request.param == "tmpfs":
        if not SHM.is_dir():
            pytest.skip("no /dev/shm tmpfs here")
        with tempfile.TemporaryDirectory(dir=SHM) as d:
            yield Path(d), True
    else:
        yield tmp_path, request.param == "direct"


def pieces(total: int, sizes=(1, 4095, 4097, 3 * ALIGN, 777, 65536 + 5)):
    """Deterministic bytes cut in awkward sizes that straddle every alignment."""
    data = bytes((i * 7919) % 251 for i in range(total))
    out, at, i = [], 0, 0
    while at < total:
        n = min(sizes[i % len(sizes)], total - at)
        out.append(data[at:at + n])
        at, i = at + n, i + 1
    return data, out


@pytest.mark.parametrize("kept", [0, 1, ALIGN - 1, ALIGN, 3 * ALIGN + 17])
def test_appends_exactly_at_any_offset(where, kept):
    directory, direct = where
    path = directory / "staged"
    old = os.urandom(kept)
    path.write_bytes(old)
    data, parts = pieces(300_000)
    digest = hashlib.sha256()
    with StagedWriter(path, kept, digest, direct=direct, buffer_size=4 * ALIGN, depth=2) as out:
        for i, part in enumerate(parts):
            out.write(part)
            if i % 5 == 4:
                out.sync()  # a mid-body commit point: the partial block is carried and rewritten
        out.sync()
        assert out.offset == kept + len(data)
    assert path.read_bytes() == old + data
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()  # only the new bytes


def test_direct_io_off_writes_through_the_page_cache(tmp_path):
    path = tmp_path / "staged"
    path.write_bytes(b"")
    with StagedWriter(path, 0, direct=False) as out:
        out.write(b"cached")
        out.sync()
        assert not out.direct
    assert path.read_bytes() == b"cached"


# No filesystem here refuses O_DIRECT (ext4 and, since Linux 6.6, tmpfs accept it), so the
# refusals of older tmpfs, FUSE and some network filesystems are played by wrapping os calls.
def test_a_filesystem_refusing_o_direct_at_open_falls_back(tmp_path, monkeypatch):
    real_open = os.open

    def refusing_open(path, flags, *args):
        if flags & os.O_DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing_open)
    path = tmp_path / "staged"
    path.write_bytes(b"abc")
    data, parts = pieces(100_000)
    with StagedWriter(path, 3, buffer_size=4 * ALIGN, depth=2) as out:
        assert not out.direct
        for part in parts:
            out.write(part)
        out.sync()
    assert path.read_bytes() == b"abc" + data


def test_a_filesystem_refusing_direct_writes_falls_back(tmp_path, monkeypatch):
    real_pwrite, refused = os.pwrite, []

    def refusing_pwrite(fd, data, offset):
        if os.get_blocking(fd) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT:
            refused.append(offset)
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", refusing_pwrite)
    path = tmp_path / "staged"
    path.write_bytes(b"")
    data, parts = pieces(100_000)
    digest = hashlib.sha256()
    with StagedWriter(path, 0, digest, buffer_size=4 * ALIGN, depth=2) as out:
        for part in parts:
            out.write(part)
        out.sync()
        assert not out.direct
    assert refused == [0]
    assert path.read_bytes() == data and digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_several_digests_see_the_same_bytes(tmp_path):
    path = tmp_path / "staged"
    path.write_bytes(b"")
    a, b = hashlib.sha256(), hashlib.sha256()
    data, parts = pieces(2 * 1024 * 1024 + 3)
    with StagedWriter(path, 0, a, None, b) as out:
        for part in parts:
            out.write(part)
        out.sync()
    assert a.hexdigest() == b.hexdigest() == hashlib.sha256(data).hexdigest()


def test_truncate_drops_what_followed(tmp_path):
    path = tmp_path / "staged"
    path.write_bytes(b"kept")
    with StagedWriter(path, 4, buffer_size=ALIGN, depth=2) as out:
        out.write(b"x" * (3 * ALIGN))
        out.truncate(4)
    assert path.read_bytes() == b"kept"


def test_a_staged_file_shorter_than_the_offset_is_an_error(tmp_path):
    path = tmp_path / "staged"
    path.write_bytes(b"abc")
    with pytest.raises(OSError):
        StagedWriter(path, 10)


def test_a_failing_digest_is_raised_and_nothing_blocks(tmp_path):
    class Broken:
        def update(self, data):
            raise RuntimeError("boom")

    path = tmp_path / "staged"
    path.write_bytes(b"")
    with pytest.raises(RuntimeError):
        with StagedWriter(path, 0, Broken(), buffer_size=ALIGN, depth=2) as out:
            for _ in range(20):  # more buffers than exist: they keep coming back after the failure
                out.write(b"y" * ALIGN)
            out.sync()


@contextlib.contextmanager
def file_size_limit(limit: int):
    """A real write error: RLIMIT_FSIZE makes the kernel answer EFBIG past `limit` bytes."""
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)


@pytest.mark.parametrize("direct", [True, False])
def test_a_disk_error_on_the_helper_reaches_the_request(tmp_path, direct):
    path = tmp_path / "staged"
    path.write_bytes(b"")
    with file_size_limit(8 * ALIGN):
        with pytest.raises(OSError) as err:
            with StagedWriter(path, 0, direct=direct, buffer_size=4 * ALIGN, depth=2) as out:
                for _ in range(10):
                    out.write(b"z" * (4 * ALIGN))
                out.sync()
    assert err.value.errno == errno.EFBIG
