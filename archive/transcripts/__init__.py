"""Transcripts and subtitles: timecoded text per asset and language, read from SRT or WebVTT,
stored as segments and searched as timecoded hits."""
