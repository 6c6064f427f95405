"""The slip/readback contract (cyclades_tui/pdf/credentials_layout.py), proved in one place.

Slips rendered with known logins and passwords are read back to the same pairs, in print
order; a slip that drew its credentials in another order, or a third Courier string, would
give different pairs and fail these tests.
"""

from __future__ import annotations

import pytest

from cyclades_tui.pdf import DocumentInfo, SlipData, render_slips, sort_slips
from cyclades_tui.pdf.credentials_layout import CREDENTIAL_ORDER, pair_credentials
from cyclades_tui.pdf.readback import read_credentials

INFO = DocumentInfo(
    title="Papillons de connexion",
    school_name="Lycée Victor Hugo",
    school_uai="0392689L",
    site_url="https://cyclades.example.fr/candidat/",
)


def slip(n: int, password: str) -> SlipData:
    """One candidate's slip; the login and the password cannot be mistaken for each other."""
    return SlipData(
        login=f"cand{n:04d}",
        password=password,
        family_name=f"Nom{n:03d}",
        usage_name="",
        first_name="Jeanne",
        ine=f"{n:09d}AB",
        exam_code="DNB",
        exam_label="Diplôme national du brevet",
        division="3A" if n % 2 else "3B",
    )


# Passwords with the characters a PDF literal string escapes: ( ) \ and cp1252 octal.
PASSWORDS = ["Kp7-xQ2!", "a(b)c\\d", "Zz9%~^_", "(((", "x\\)y", "Mm1#@$&*"]


@pytest.mark.parametrize("layout", [1, 2])
def test_the_credentials_drawn_are_the_credentials_read_back(layout: int) -> None:
    slips = [slip(n, password) for n, password in enumerate(PASSWORDS, start=1)]
    pdf = render_slips(slips, INFO, layout)
    expected = [(s.login, s.password) for s in sort_slips(slips)]
    assert read_credentials(pdf) == expected


def test_a_login_is_read_as_login_and_a_password_as_password() -> None:
    """The order is the contract: swapped, every pair would come back reversed."""
    pdf = render_slips([slip(7, "Mot-de-passe-7")], INFO, 1)
    assert read_credentials(pdf) == [("cand0007", "Mot-de-passe-7")]
    assert CREDENTIAL_ORDER == ("login", "password")


def test_pairs_are_made_two_by_two_in_drawing_order() -> None:
    strings = ["login1", "pass1", "login2", "pass2"]
    assert pair_credentials(strings) == [("login1", "pass1"), ("login2", "pass2")]
