"""Logins « prénom.nom » and provisional passwords, with property tests."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyclades_tui.domain.login import MAX_LOGIN_LENGTH, first_free_login, login_base
from cyclades_tui.domain.passwords import (
    ALPHABET,
    DIGITS,
    LOWER,
    SYMBOLS,
    UPPER,
    PlainPassword,
    entropy_bits,
    generate_password,
    hash_cost,
    hash_password,
    meets_policy,
    verify_password,
)

LOGIN_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)?[0-9]*$")


@pytest.mark.parametrize(
    ("first", "family", "expected"),
    [
        ("Antoine", "Aubin", "antoine.aubin"),
        ("Jean-Baptiste", "Michel", "jean-baptiste.michel"),
        ("María José", "Garcia", "maria-jose.garcia"),
        ("Ngọc Ánh", "Nguyễn", "ngoc-anh.nguyen"),
        ("Mathis", "D'Almeida", "mathis.dalmeida"),
        ("Yann", "Le Gall", "yann.le-gall"),
        ("Łukasz", "Żółć", "lukasz.zolc"),
        ("Søren", "Strauß", "soren.strauss"),
        ("Lætitia", "Cœur", "laetitia.coeur"),
        ("François", "Ñúñez", "francois.nunez"),
        ("", "Nakamura", "nakamura"),
        ("Zoé", "O’Connor", "zoe.oconnor"),
        ("Анна", "Иванова", "anna.ivanova"),
    ],
)
def test_login_examples(first: str, family: str, expected: str) -> None:
    assert login_base(first, family) == expected


def test_other_scripts_are_transliterated_not_dropped() -> None:
    login = login_base("明", "王")
    assert login and login != "candidat"


def test_long_names_cut_the_family_part_first() -> None:
    login = login_base("Marie", "De La Fontaine-Saint-Exupéry-Montmorency-Laval")
    assert len(login) == MAX_LOGIN_LENGTH
    assert login.startswith("marie.de-la-fontaine")


def test_homonyms_get_2_then_3() -> None:
    taken: set[str] = set()
    logins = []
    for _ in range(3):
        login = first_free_login("Antoine", "Aubin", taken.__contains__)
        taken.add(login)
        logins.append(login)
    assert logins == ["antoine.aubin", "antoine.aubin2", "antoine.aubin3"]


def test_suffix_still_fits_in_40_characters() -> None:
    family = "X" * 60
    first_login = first_free_login("Anne", family, lambda _: False)
    second = first_free_login("Anne", family, lambda login: login == first_login)
    assert len(first_login) == 40 and len(second) == 40 and second.endswith("2")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_any_unicode_name_gives_a_valid_login(first: str, family: str) -> None:
    login = login_base(first, family)
    assert LOGIN_RE.match(login), login
    assert 0 < len(login) <= MAX_LOGIN_LENGTH


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=50), st.text(max_size=50), st.integers(min_value=0, max_value=30))
def test_any_homonym_login_is_valid(first: str, family: str, others: int) -> None:
    taken: set[str] = set()
    for _ in range(others + 1):
        login = first_free_login(first, family, taken.__contains__)
        assert login not in taken
        assert LOGIN_RE.match(login) and len(login) <= MAX_LOGIN_LENGTH
        taken.add(login)


def test_ten_thousand_passwords_meet_the_policy() -> None:
    passwords = [generate_password() for _ in range(10_000)]
    assert all(meets_policy(p) for p in passwords)
    assert len(set(passwords)) == 10_000
    used = set("".join(passwords))
    # Every symbol of the alphabet is drawn, and nothing else.
    assert used == set(ALPHABET)
    assert not set("0Oo1lI|'\"` ") & set(ALPHABET)
    for group in (LOWER, UPPER, DIGITS, SYMBOLS):
        assert all(any(c in group for c in p) for p in passwords)


def test_entropy_is_at_least_58_bits() -> None:
    assert 58 <= entropy_bits() < 60
    assert "-" not in ALPHABET  # a trailing hyphen reads as a line-break hyphen


def test_policy_rejects_missing_classes() -> None:
    assert not meets_policy("abcdefghij")
    assert not meets_policy("aB3!aB3!a")  # 9 characters
    assert not meets_policy("aB3!aB3!a0")  # 0 is a look-alike
    assert meets_policy("aB3!aB3!aB")


def test_hash_and_verify_with_costs() -> None:
    password = generate_password()
    hashed = hash_password(password, 10)
    assert hash_cost(hashed) == 10
    assert password not in hashed
    assert verify_password(password, hashed)
    assert not verify_password(password + "x", hashed)
    assert not verify_password("x" * 100, hashed)
    assert not verify_password(password, "not-a-hash")


def test_plain_password_never_shows_in_repr() -> None:
    password = generate_password()
    assert isinstance(password, PlainPassword)
    assert str(password) not in repr(password)
    assert str(password) not in repr({"p": password, "t": (password,)})
    assert f"{password}" == str(password)
