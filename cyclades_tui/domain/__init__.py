"""Pure rules of the CYCLADES account domain: no database, no UI, no I/O."""
