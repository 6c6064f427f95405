"""PDF documents of cyclades-tui: the candidates' login slips (« papillons de connexion »).

This layer is pure: it takes plain data and returns PDF bytes. It depends on reportlab and
the Noto Sans font package only, never on the UI or the database layers.
"""

from __future__ import annotations

from .slips import DocumentInfo, SlipData, render_slips, sort_slips

__all__ = ["DocumentInfo", "SlipData", "render_slips", "sort_slips"]
