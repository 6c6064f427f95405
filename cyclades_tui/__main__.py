"""Allow ``python -m cyclades_tui``."""

from cyclades_tui.cli import main

raise SystemExit(main())
