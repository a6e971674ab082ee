"""HTTP for co-production: the JSON API (`api`) and the web pages (`pages`). HTTP only: each
view parses, calls one service and responds; no SQL, storage or media here."""
