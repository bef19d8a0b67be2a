"""Mastodon, through its client REST API (also spoken by servers compatible with it)."""
