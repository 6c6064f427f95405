"""cyclades-tui: CYCLADES candidate accounts, login slips and documents in a terminal."""

__version__ = "0.2.0"
