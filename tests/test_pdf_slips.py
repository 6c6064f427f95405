"""Tests of the login-slip PDFs, read back with poppler's pdftotext and pdfinfo."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from cyclades_tui.pdf import DocumentInfo, SlipData, render_slips, sort_slips

INFO = DocumentInfo(
    title="Papillons de connexion",
    school_name="Lycée Victor Hugo",
    school_uai="0392689L",
    site_url="https://cyclades.example.fr/candidat/",
)


def make_slip(
    n: int,
    family_name: str = "Dupont",
    first_name: str = "Jean",
    *,
    usage_name: str = "",
    division: str = "3A",
    password: str = "Kp7-xQ2!",
    ine: str | None = None,
) -> SlipData:
    return SlipData(
        login=f"cand{n:04d}",
        password=password,
        family_name=family_name,
        usage_name=usage_name,
        first_name=first_name,
        ine=ine if ine is not None else f"{n:09d}AB",
        exam_code="DNB",
        exam_label="Diplôme national du brevet",
        division=division,
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdfinfo", "-enc", "UTF-8", str(path)], capture_output=True, check=True
    )
    info: dict[str, str] = {}
    for line in result.stdout.decode("utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_count(pdf: bytes, tmp_path: Path) -> int:
    return int(pdf_info(pdf, tmp_path)["Pages"])


def assert_round_trip(slips: Sequence[SlipData], text: str) -> None:
    lines = set(text.splitlines())
    for slip in slips:
        candidate = f"{slip.family_name} {slip.first_name}".strip()
        assert f"Candidat : {candidate}" in lines
        assert f"Votre identifiant de connexion : {slip.login}" in lines
        assert f"Votre mot de passe (*) : {slip.password}" in lines
        assert f"INE : {slip.ine}" in lines
        assert f"Classe : {slip.division}" in lines
        assert f"Examen : {slip.exam_code} — {slip.exam_label}" in lines
        if slip.usage_name:
            assert f"Nom d'usage : {slip.usage_name}" in lines


CP1252_SLIPS = [
    make_slip(1, "Muñoz", "María José"),
    make_slip(2, "Œuvray", "Lætitia", usage_name="L'Hôte-Bérénger"),
    make_slip(3, "Straßmann", "Jean-Baptiste"),
    make_slip(4, "O'Connor", "Zoé"),
    make_slip(5, "N'Diaye", "Aïcha", usage_name="Ségolène d'Arc"),
    make_slip(6, "Lefèvre", ""),
]

NON_WINANSI_SLIPS = [
    make_slip(1, "Żółć", "Łukasz"),
    make_slip(2, "Nguyễn", "Ngọc Ánh", usage_name="Trần"),
    make_slip(3, "Țăranu", "Ștefan"),
    make_slip(4, "Dupont", "Noël"),
]


# --- Fonts and text extraction ---------------------------------------------------------------


@pytest.mark.parametrize("layout", [1, 2])
def test_cp1252_names_use_the_same_embedded_font_and_round_trip(
    layout: int, tmp_path: Path
) -> None:
    pdf = render_slips(CP1252_SLIPS, INFO, layout)

    assert pdf.startswith(b"%PDF-")
    # Issue 16: one font for every document, whatever the names (no Helvetica for some).
    assert b"/FontFile2" in pdf and b"NotoSans" in pdf
    assert b"/Courier-Bold" in pdf
    assert_round_trip(CP1252_SLIPS, pdf_text(pdf, tmp_path))


@pytest.mark.parametrize("layout", [1, 2])
def test_non_winansi_names_embed_noto_and_round_trip(layout: int, tmp_path: Path) -> None:
    pdf = render_slips(NON_WINANSI_SLIPS, INFO, layout)

    assert b"/FontFile2" in pdf
    assert b"NotoSans" in pdf
    text = pdf_text(pdf, tmp_path)
    assert_round_trip(NON_WINANSI_SLIPS, text)
    assert "■" not in text


def test_non_winansi_school_name_alone_switches_to_embedded_font(tmp_path: Path) -> None:
    info = DocumentInfo(
        "Papillon de connexion", "Liceul Ștefan cel Mare", "0999999Z", INFO.site_url
    )
    pdf = render_slips([make_slip(1)], info, 1)

    assert b"/FontFile2" in pdf
    assert "Liceul Ștefan cel Mare — UAI 0999999Z" in pdf_text(pdf, tmp_path)


def test_passwords_with_every_symbol_round_trip(tmp_path: Path) -> None:
    passwords = ["Ab3!cD4$", "Ef5*gH6+", "Jk7-mN8=", "Pq9?rS2:", "!$*+-=?:"]
    slips = [make_slip(i, "Martin", f"Prénom{i}", password=p) for i, p in enumerate(passwords)]

    text = pdf_text(render_slips(slips, INFO, 2), tmp_path)

    assert_round_trip(slips, text)


def test_static_french_texts(tmp_path: Path) -> None:
    text = pdf_text(render_slips([make_slip(1, usage_name="Durand")], INFO, 1), tmp_path)
    lines = set(text.splitlines())

    for expected in (
        "Lycée Victor Hugo — UAI 0392689L",
        "Papillon de connexion",
        "Identifiez-vous avec le compte qui vous a été attribué :",
        "(*) Ce mot de passe est provisoire : vous devrez le changer lors de votre première "
        "connexion.",
        "Adresse du site candidat : https://cyclades.example.fr/candidat/",
        "Conservez ce papillon : il est personnel.",
    ):
        assert expected in lines


def test_usage_name_line_only_when_present(tmp_path: Path) -> None:
    text = pdf_text(render_slips([make_slip(1, first_name="")], INFO, 1), tmp_path)

    assert "Nom d'usage" not in text
    assert "Candidat : Dupont" in text.splitlines()


def test_long_values_stay_extractable(tmp_path: Path) -> None:
    slip = make_slip(
        1,
        "Wolfeschlegelsteinhausenbergerdorff-De La Tour d'Auvergne",
        "Jean-Baptiste Marie-Dieudonné Emmanuel Alexandre",
        usage_name="Saint-Exupéry de Montmorency-Laval-Bourbon",
    )
    info = DocumentInfo(
        INFO.title, INFO.school_name, INFO.school_uai, "https://example.fr/" + "a" * 150
    )

    text = pdf_text(render_slips([slip], info, 2), tmp_path)

    assert_round_trip([slip], text)
    assert "Adresse du site candidat :" in text
    assert "a" * 40 in text  # the address is cut over several lines, not dropped


# --- Pages and order ---------------------------------------------------------------------


def test_layout_1_prints_one_slip_per_page(tmp_path: Path) -> None:
    slips = [make_slip(i, division="3A" if i % 2 else "3B") for i in range(5)]

    assert page_count(render_slips(slips, INFO, 1), tmp_path) == 5


@pytest.mark.parametrize(
    ("divisions", "pages"),
    [
        (["A", "A", "A", "B"], 2),
        (["A", "A", "A", "A"], 2),
        (["A"], 1),
        (["A", "B", "C"], 2),
        (["A", "A", "B", "B", "B", "B", "C"], 4),
    ],
)
def test_layout_2_fills_every_page(divisions: list[str], pages: int, tmp_path: Path) -> None:
    slips = [make_slip(i, f"Nom{i}", division=d) for i, d in enumerate(divisions)]

    assert page_count(render_slips(slips, INFO, 2), tmp_path) == pages


def test_the_rules_describe_the_two_per_page_layout_as_it_is(tmp_path: Path) -> None:
    """The docs once said that a new class starts on a new page: it does not
    (docs/documents.md describes the slips)."""
    slips = [make_slip(i, f"Nom{i}", division=d) for i, d in enumerate(["A", "B"])]
    assert page_count(render_slips(slips, INFO, 2), tmp_path) == 1
    doc = Path(__file__).parents[1] / "docs" / "documents.md"
    text = " ".join(doc.read_text(encoding="utf-8").split())
    assert "nouvelle page" not in text
    assert "une classe peut commencer sur la moitié basse" in text


@pytest.mark.parametrize("layout", [1, 2])
def test_slips_are_printed_by_class_then_name_ignoring_accents(layout: int, tmp_path: Path) -> None:
    slips = [
        make_slip(1, "Zola", "Émile", division="3B"),
        make_slip(2, "Émond", "Paul", division="3A"),
        make_slip(3, "eluard", "Paul", division="3A"),
        make_slip(4, "Dupont", "Zoé", division="3A"),
        make_slip(5, "Dupont", "Élise", division="3A"),
        make_slip(6, "Abel", "Anne", division="3B"),
        make_slip(7, "Zola", "Emma", division="3A"),
    ]

    text = pdf_text(render_slips(slips, INFO, layout), tmp_path)
    printed = re.findall(r"Votre identifiant de connexion : (\S+)", text)

    assert printed == [
        "cand0005",
        "cand0004",
        "cand0003",
        "cand0002",
        "cand0007",
        "cand0006",
        "cand0001",
    ]


def test_sort_slips_ignores_case_and_accents() -> None:
    emile = make_slip(1, "Durand", "Émile")
    emma = make_slip(2, "durand", "Emma")
    eric = make_slip(3, "DURAND", "eric")
    other_class = make_slip(4, "Abel", "Zoé", division="4A")

    assert sort_slips([other_class, eric, emma, emile]) == [emile, emma, eric, other_class]
    assert sort_slips([]) == []


def test_sort_slips_breaks_ties_by_ine_whatever_the_input_order() -> None:
    a = make_slip(1, "Martin", "Léa", ine="222222222BB")
    b = make_slip(2, "MARTIN", "Lea", ine="111111111AA")
    c = make_slip(3, "Martin", "Léa", ine="333333333CC")

    assert sort_slips([a, b, c]) == [b, a, c]
    assert sort_slips([c, a, b]) == [b, a, c]


def test_sort_slips_treats_ligatures_like_their_letters() -> None:
    oeuvray = make_slip(1, "Œuvray", "Anne")
    odin = make_slip(2, "Odin", "Anne")
    ozanne = make_slip(3, "Ozanne", "Anne")

    assert sort_slips([ozanne, oeuvray, odin]) == [odin, oeuvray, ozanne]


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", [0, 3, -1, True])
def test_unknown_layout_is_refused(layout: int) -> None:
    with pytest.raises(ValueError, match="Mise en page"):
        render_slips([make_slip(1)], INFO, layout)


def test_empty_slip_list_is_refused() -> None:
    with pytest.raises(ValueError, match="Aucun papillon"):
        render_slips([], INFO, 1)


# --- Size, structure, determinism -----------------------------------------------------------


def test_one_slip_document_is_small() -> None:
    pdf = render_slips([make_slip(1, "Lefèvre", "Chloé")], INFO, 1)

    # The Noto Sans subset is embedded in every document (one font, issue 16): ~14 KB.
    assert len(pdf) < 16_000


def test_shared_content_is_a_single_form_per_document() -> None:
    slips = [make_slip(i, division=f"3{chr(65 + i % 3)}") for i in range(30)]

    assert render_slips(slips, INFO, 1).count(b"/Subtype /Form") == 1
    # Layout 2 adds the cut line as a second form.
    assert render_slips(slips, INFO, 2).count(b"/Subtype /Form") == 2


def test_two_thousand_slips_stay_under_six_megabytes() -> None:
    slips = [
        make_slip(i, f"Nom{i % 97}", f"Prénom{i % 13}", division=f"3{chr(65 + i % 12)}")
        for i in range(2000)
    ]

    for layout in (1, 2):
        assert len(render_slips(slips, INFO, layout)) < 6_000_000


@pytest.mark.parametrize("slips", [CP1252_SLIPS, NON_WINANSI_SLIPS])
def test_output_is_deterministic(slips: list[SlipData]) -> None:
    for layout in (1, 2):
        first = render_slips(slips, INFO, layout)
        assert render_slips(slips, INFO, layout) == first
        assert render_slips(list(reversed(slips)), INFO, layout) == first


def test_metadata(tmp_path: Path) -> None:
    info = DocumentInfo("Papillon de connexion", "Collège Jean Moulin", "0750001A", "https://x.fr")
    meta = pdf_info(render_slips([make_slip(1)], info, 1), tmp_path)

    assert meta["Title"] == "Papillon de connexion"
    assert meta["Author"] == "cyclades-tui"
    assert meta["Page size"].startswith("595.276 x 841.89")


def _font_names(pdf: bytes, tmp_path: Path, name: str) -> set[str]:
    """The base fonts pdffonts reads in ``pdf``, without their subset prefix (ABCDEF+)."""
    path = tmp_path / name
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return {line.split()[0].split("+")[-1] for line in listing}


def test_every_document_has_the_same_fonts_and_a_singular_heading(tmp_path: Path) -> None:
    """Issue 16: the slip font no longer changes with the names (Helvetica or Noto), and
    each slip of a generation reads « Papillon de connexion », not the plural."""
    plain = render_slips(CP1252_SLIPS, INFO, 2)
    rare = render_slips(NON_WINANSI_SLIPS, INFO, 2)
    assert _font_names(plain, tmp_path, "a.pdf") == _font_names(rare, tmp_path, "b.pdf")
    assert "NotoSans-Regular" in _font_names(plain, tmp_path, "a.pdf")
    text = pdf_text(plain, tmp_path)
    assert text.count("Papillon de connexion") == len(CP1252_SLIPS)
    assert "Papillons" not in text
