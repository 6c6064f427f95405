"""Logins that clash across homonym series are reassigned instead of blocking a generation."""

from __future__ import annotations

from cyclades_tui.services import account_generation, schools
from cyclades_tui.services.actor import operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.store.models import Account
from tests.helpers import FAST_SETTINGS, bea, csv_bytes


def school(uai: str, *rows: tuple[str, str]) -> None:
    schools.add_school(operator(), uai, uai)
    schools.set_service(operator(), uai, True)
    start = int(uai[:7]) * 10
    import_csv(
        operator(),
        uai,
        csv_bytes(
            *[
                f"{bea(start + i)};{family};;{first};;02/02/2010;3A;DNB;Inscrit"
                for i, (first, family) in enumerate(rows)
            ]
        ),
    )


def test_a_digit_in_a_name_and_a_homonym_suffix(db_url: str) -> None:
    school("0392689L", ("Jean", "Dupont"), ("Jean", "Dupont"))
    assert account_generation.generate(operator(), "0392689L", settings=FAST_SETTINGS).created == 2
    # « Jean Dupont2 » would naturally get jean.dupont2, already the second Jean Dupont.
    school("0750001U", ("Jean", "Dupont2"))
    assert account_generation.generate(operator(), "0750001U", settings=FAST_SETTINGS).created == 1
    logins = sorted(a.login for a in Account.select())
    assert logins == ["jean.dupont", "jean.dupont2", "jean.dupont22"]


def test_long_names_cut_for_the_suffix(db_url: str) -> None:
    # 40 characters with « li. »: the second of a series is cut to make room for « 2 »,
    # and then both series' second logins are the same.
    long_a, long_b = "A" * 36 + "B", "A" * 36 + "C"
    school("0392689L", ("Li", long_a), ("Li", long_a))
    assert account_generation.generate(operator(), "0392689L", settings=FAST_SETTINGS).created == 2
    school("0750001U", ("Li", long_b), ("Li", long_b))
    assert account_generation.generate(operator(), "0750001U", settings=FAST_SETTINGS).created == 2
    logins = [a.login for a in Account.select()]
    assert len(logins) == len(set(logins)) == 4
    assert all(len(login) <= 40 for login in logins)
