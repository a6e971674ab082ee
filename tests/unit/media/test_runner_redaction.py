"""A command that read a signed URL fails without naming its signature (archive.media.runner)."""
from __future__ import annotations

import pytest

from archive.media import runner

BASE = "https://s3.internal:9000/bucket/originals/ab/abcd"
URL = (f"{BASE}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=key%2F20261201%2Fus-east-1%2Fs3%2Faws4_request"
       "&X-Amz-Date=20261201T115231Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=d0c0353")


@pytest.mark.parametrize("message", [
    "{url}: Server returned 403 Forbidden (access denied)",
    # As it might be printed decoded, or cut: the signature parameters are blanked anyway.
    "GET {base}?X-Amz-Credential=key/20261201/us-east-1/s3/aws4_request&X-Amz-Signature=abc123: I/O error",
])
def test_a_signed_url_is_kept_out_of_the_message(message):
    out = runner.redacted(message.format(url=URL, base=BASE))
    assert BASE in out and "abc123" not in out and "d0c0353" not in out and "key%2F" not in out
    assert "key/2026" not in out, out
    assert runner.redacted(URL) == f"{BASE}?…"
    assert runner.redacted("/data/originals/ab/abcd") == "/data/originals/ab/abcd"


def test_a_failed_command_names_no_signature():
    with pytest.raises(runner.CommandFailed) as caught:
        runner.run(["ffmpeg", "-v", "error", "-i", URL.replace("https://s3.internal:9000", "http://127.0.0.1:9"),
                    "-f", "null", "-"], timeout=30)
    said = " ".join([str(caught.value), caught.value.stderr_tail, *caught.value.argv])
    assert "d0c0353" not in said and "X-Amz-Credential=key" not in said and "127.0.0.1:9/bucket" in said
