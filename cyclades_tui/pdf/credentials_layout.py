"""The contract between the slip (``slips.py``) and its readback (``readback.py``).

A slip draws exactly two strings in a Courier font, and in this order: the login, then the
provisional password (every other text of the slip is in the document's text font). The
readback relies on nothing else: it collects the Courier strings of each page in drawing order
and pairs them two by two. Changing the order, adding a Courier string to a slip, or drawing a
credential in another font breaks the readback; ``tests/test_slip_readback.py`` proves the
round trip and catches those changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

#: Prefix of the PDF ``/BaseFont`` names that carry credentials (Courier, Courier-Bold...).
CREDENTIAL_FONT_PREFIX: Final = "/Courier"

#: The credentials each slip draws in the credential font, in drawing order.
CREDENTIAL_ORDER: Final = ("login", "password")


def pair_credentials(strings: Sequence[str]) -> list[tuple[str, str]]:
    """(login, password) pairs from one page's credential strings, in drawing order."""
    per_slip = len(CREDENTIAL_ORDER)
    return list(zip(strings[0::per_slip], strings[1::per_slip], strict=False))
