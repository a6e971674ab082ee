"""An https original is read by ffmpeg with its server verified (archive.media.packets
`remote_input_options`): a remux check's signed URL is a credential, and ffmpeg's tls protocol
trusts any certificate unless told otherwise. Real ffmpeg against a real TLS server on
loopback, with a certificate authority made at test time (`trustme`): a server whose
certificate no trusted authority signed is refused, one signed by the configured bundle
(S3_CA_FILE's role) is read, and plain http and local files get no TLS options."""
from __future__ import annotations

import functools
import http.server
import ssl
import subprocess
import threading

import certifi
import pytest
import trustme

from archive.media import packets
from archive.media.runner import CommandFailed, run


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(https URL of a 2 s H.264 clip in Matroska, the PEM bundle of the authority that signed
    the server's certificate, the clip's local path)."""
    d = tmp_path_factory.mktemp("tls")
    clip = d / "clip.mkv"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=2",
                    "-c:v", "libx264", "-g", "10", str(clip)], check=True, timeout=60)
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    handler = functools.partial(_Quiet, directory=str(d))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bundle = d / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    yield f"https://127.0.0.1:{server.server_address[1]}/clip.mkv", str(bundle), str(clip)
    server.shutdown()
    server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output, not the server's access log
        pass


def _hashes(argv):
    return packets.parse_framemd5(run(argv, timeout=60, capture_stdout=True).stdout.decode()).packets


def test_a_server_no_trusted_authority_signed_is_refused(served):
    url, _bundle, _clip = served
    # certifi's bundle (the default) does not hold the test authority: the handshake fails.
    with pytest.raises(CommandFailed):
        run(packets.hash_command(url, codec="h264"), timeout=60, capture_stdout=True)


def test_a_server_the_configured_bundle_trusts_is_read_whole(served):
    url, bundle, clip = served
    remote = _hashes(packets.hash_command(url, codec="h264", ca_file=bundle))
    assert remote and remote == _hashes(packets.hash_command(clip, codec="h264"))


@pytest.mark.parametrize("source", ["http://127.0.0.1:9/clip.mkv", "/srv/clip.mkv", "https-not-a-url.mkv"])
def test_only_https_sources_get_tls_options(source):
    assert packets.remote_input_options(source) == []
    assert "-tls_verify" not in packets.hash_command(source, codec="h264")


def test_https_sources_verify_against_the_given_bundle_else_certifis():
    assert packets.remote_input_options("https://s3/x?sig=1", "/etc/ortak/ca.pem") == [
        "-tls_verify", "1", "-ca_file", "/etc/ortak/ca.pem"]
    assert packets.remote_input_options("https://s3/x?sig=1") == ["-tls_verify", "1", "-ca_file", certifi.where()]
