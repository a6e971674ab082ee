"""Progressive HLS as data: the first chunk's own HLS command, the EVENT playlists published
while a make runs, and the VOD playlists that end it."""
from __future__ import annotations

import m3u8
import pytest

from archive.media import chunks, commands, player_files
from archive.media.profiles import HLS
from archive.media.runner import MediaError
from archive.renditions.live import event_playlist, live_prefix
from tests.unit.media.test_commands import _multitrack

FFMPEG_EVENT = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="init.mp4"
#EXTINF:6.000000,
seg_00000.m4s
#EXTINF:6.000000,
seg_00001.m4s
#EXTINF:1.500000,
seg_00002.m4s
#EXT-X-ENDLIST
"""


def test_the_published_playlist_is_an_event_playlist_of_the_published_segments_only():
    text = event_playlist(m3u8.loads(FFMPEG_EVENT), 2, 6)
    parsed = m3u8.loads(text)
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text and "#EXT-X-ENDLIST" not in text and not parsed.is_endlist
    assert [s.uri for s in parsed.segments] == ["seg_00000.m4s", "seg_00001.m4s"]
    assert parsed.segments[0].init_section.uri == "init.mp4" and parsed.target_duration == 6


def test_an_ended_playlist_becomes_vod_and_one_not_ended_is_refused(tmp_path):
    path = tmp_path / "index.m3u8"
    path.write_text(FFMPEG_EVENT)
    player_files.close_media_playlist(str(path))
    text = path.read_text()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and "EVENT" not in text
    assert text.replace("VOD", "EVENT") == FFMPEG_EVENT  # nothing else changed
    path.write_text(FFMPEG_EVENT.replace("#EXT-X-ENDLIST\n", ""))
    with pytest.raises(MediaError, match="did not end"):
        player_files.close_media_playlist(str(path))


def test_ffmpeg_writes_event_playlists_so_they_are_rewritten_after_each_segment():
    assert ("hls_playlist_type", "event") in commands.hls_muxer_options(HLS, "/out/hls/720p")


def test_the_first_chunk_alone_copies_each_rung_and_encodes_the_audio_up_to_its_end():
    probe = _multitrack()
    rungs = commands.ladder(probe, HLS)
    argv = chunks.preview_command("/src/master.mov", probe, HLS, chunks.Chunk(0, 0.0, 60.0), "/s/chunk_00000",
                                  "/s/preview")
    inputs = [argv[i + 1] for i, a in enumerate(argv) if a == "-i"]
    assert inputs == [f"file:/s/chunk_00000/{r.folder}.mp4" for r in rungs] + ["file:/src/master.mov"]
    src_at = argv.index("file:/src/master.mov")
    assert argv[src_at - 3:src_at - 1] == ["-t", "60.000"]  # the source is read up to the chunk's end
    outputs = [a for a in argv if a.startswith("file:/s/preview/") and a.endswith(".m3u8")]
    tracks = len(commands.audio_inputs(probe))
    assert outputs == ([f"file:/s/preview/{r.folder}/index.m3u8" for r in rungs]
                       + [f"file:/s/preview/audio_{n}/index.m3u8" for n in range(tracks)])
    assert argv.count("copy") == len(rungs)  # pictures copied, never encoded again
    maps = [argv[i + 1] for i, a in enumerate(argv) if a == "-map"]
    assert maps[:len(rungs)] == [f"{n}:v:0" for n in range(len(rungs))]
    assert all(m.startswith(f"{len(rungs)}:") for m in maps[len(rungs):]) and len(maps) == len(rungs) + tracks
    assert argv.count("event") == len(rungs) + tracks


def test_the_live_prefix_is_the_makes_own():
    assert live_prefix("renditions/a/hls/abc-def") == "renditions/a/hls/abc-def-live"
