"""Persistence: Peewee models, database opening from a URL, and numbered migrations."""
