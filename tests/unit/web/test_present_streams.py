"""The technical metadata's streams as page rows (archive.web.present), as data."""
import pytest

from archive.web.present import language_name, stream_rows, technical_rows


@pytest.mark.parametrize("code, locale, name", [
    ("az", "tr", "Azerbaycan dili"), ("tr", "az", "türk"), ("az", "en", "Azerbaijani"),
    ("en-US", "en", "English (United States)"), ("ast", "tr", "Asturyasça"),
    ("afa", "tr", "Afrika-Asya dilleri"),  # no CLDR name: pycountry's translation of ISO 639-5
    ("nbb", "az", "Ndoe"),  # ISO 639-3 only and translated nowhere: its English name
    ("xyz", "en", None),  # not an ISO 639 code
    ("qaa", "en", None), ("xx", "en", None), (None, "en", None), ("AZ", "en", None),
])
def test_language_names_come_from_cldr_then_iso_639(code, locale, name):
    assert language_name(code, locale) == name


STREAMS = [
    {"type": "video", "index": 0, "codec": "hevc", "profile": "Main 10", "width": 3840, "height": 2160,
     "frame_rate_float": 25.0, "bit_depth": 10, "hdr": "hlg", "color_primaries": "bt2020", "closed_captions": True},
    {"type": "video", "index": 1, "codec": "mjpeg", "width": 300, "height": 300, "cover_art": True},
    {"type": "audio", "index": 2, "codec": "aac", "profile": "LC", "channels": 2, "channel_layout": "stereo",
     "sample_rate": 48000, "language": "tur", "language_code": "tr", "title": "Türkçe", "default": True},
    {"type": "audio", "index": 3, "codec": "ac3", "channels": 6, "channel_layout": "5.1(side)",
     "sample_rate": 44100, "language": "aze", "language_code": "az", "forced": True, "default": False},
    {"type": "audio", "index": 4, "codec": "pcm_s24le", "channels": 1, "language": "und"},
    {"type": "audio", "index": 5, "language": "xyz"},
    {"type": "subtitle", "index": 6, "codec": "subrip", "language": "ger", "language_code": "de",
     "hearing_impaired": True},
    {"type": "data", "index": 7, "codec": "tmcd", "timecode": "10:00:00:00"},
    {"type": "attachment", "index": 8, "codec": "ttf", "filename": "font.ttf", "mimetype": "font/ttf"},
]


def test_one_row_per_stream_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rows = stream_rows({"streams": STREAMS})
    assert rows == [
        ("Video 1", "HEVC Main 10, 3840 × 2160, 25 fps, 10-bit, HDR · HLG (ARIB STD-B67), BT.2020, closed captions"),
        ("Cover art", "MJPEG, 300 × 300"),
        ("Audio 1", "AAC LC, 2 ch (stereo), 48 kHz, Turkish (tur), “Türkçe”, default"),
        ("Audio 2", "AC3, 6 ch (5.1(side)), 44.1 kHz, Azerbaijani (aze), forced"),
        ("Audio 3", "PCM_S24LE, 1 ch"),
        ("Audio 4", "xyz"),
        ("Subtitles 1", "SUBRIP, German (ger), for the hard of hearing"),
        ("Data 1", "TMCD, timecode 10:00:00:00"),
        ("Attachment 1", "TTF, font.ttf (font/ttf)"),
    ]


def test_rows_in_turkish_and_azerbaijani(app):
    with app.test_request_context(headers={"Accept-Language": "tr"}):
        tr = dict(stream_rows({"streams": STREAMS}))
        flat = dict(technical_rows({"video_codec": "hevc", "hdr": "pq", "bit_depth": 10, "color_range": "tv",
                                    "color_primaries": "bt2020", "color_transfer": "smpte2084",
                                    "color_space": "bt2020nc"}))
    assert tr["Ses 2"] == "AC3, 6 kanal (5.1(side)), 44,1 kHz, Azerbaycan dili (aze), zorunlu"
    assert tr["Kapak görseli"] == "MJPEG, 300 × 300"
    assert flat["Dinamik aralık"] == "HDR · PQ (SMPTE ST 2084)" and flat["Bit derinliği"] == "10 bit"
    assert flat["Renk"] == "BT.2020 · PQ · BT.2020 NCL · sınırlı aralık"
    with app.test_request_context(headers={"Accept-Language": "az"}):
        az = dict(stream_rows({"streams": STREAMS}))
    assert az["Səs 1"] == "AAC LC, 2 kanal (stereo), 48 kHz, türk (tur), “Türkçe”, əsas"
    assert az["Altyazı 1"] == "SUBRIP, alman (ger), eşitmə qüsurlu şəxslər üçün"


@pytest.mark.parametrize("technical", [None, "x", [], {}, {"streams": "x"}, {"streams": [None, 3, "a", []]},
                                       {"streams": [{"type": "laser"}, {"no": "type"}]},
                                       {"streams": [{"type": "audio", "channels": "2", "sample_rate": "x",
                                                     "language": 5, "title": ["t"], "codec": 3}]}])
def test_malformed_records_never_break_the_page(app, technical):
    with app.test_request_context():
        rows = stream_rows(technical)
    assert all(isinstance(label, str) and isinstance(value, str) for label, value in rows)


def test_dynamic_range_only_where_the_record_says(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        old = dict(technical_rows({"video_codec": "h264", "width": 640, "height": 360}))
        sdr = dict(technical_rows({"video_codec": "h264", "hdr": None}))
        audio = dict(technical_rows({"audio_codec": "aac", "hdr": None}))
    assert "Dynamic range" not in old and sdr["Dynamic range"] == "SDR" and "Dynamic range" not in audio
