"""Notifications over HTTP: the API (`api`) and the page (`pages`)."""
