"""Notifications: an in-app list per user (read/unread), an optional signed webhook per
organisation, and a registry of checks the scheduler runs to raise them (`checks`)."""
