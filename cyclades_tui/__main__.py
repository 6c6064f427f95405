"""Allow ``python -m cyclades_tui``."""

from cyclades_tui.cli import entry

raise SystemExit(entry())
