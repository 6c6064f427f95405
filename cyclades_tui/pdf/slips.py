"""Login slips (« papillons de connexion ») rendered to PDF.

Each candidate gets a slip with their identity, their login, their provisional password and
the address of the candidate site (also as a QR code). Slips are printed one per A4 page
(top half) or two per A4 page (top and bottom halves, with a dashed cut line).

Everything that is the same on every slip (frame, French texts and labels, school header,
QR code) is drawn once per document into a PDF form XObject that each slip reuses; only the
candidate's own values are drawn per slip. This keeps 2,000-slip documents fast to build
and small.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from cyclades_tui.domain.names import fold

from . import slip_layout as geo
from .credentials_layout import CREDENTIAL_ORDER
from .fonts import FontSet, document_fonts, is_standard_encodable
from .text_writer import TextWriter, fit, wrap_chars

__all__ = ["DocumentInfo", "SlipData", "render_slips", "sort_slips"]


@dataclass(frozen=True)
class SlipData:
    """What one candidate's slip shows."""

    login: str
    password: str  # plain provisional password, ASCII only
    family_name: str  # nom de famille
    usage_name: str  # nom d'usage, may be ""
    first_name: str  # prénom, may be "" (pupil with no first name)
    ine: str
    exam_code: str  # e.g. "DNB"
    exam_label: str  # e.g. "Diplôme national du brevet"
    division: str  # class, e.g. "3EB"
    # « JJ/MM/AAAA » for a pupil who shares first and family name with another pupil of the
    # school (homonyms must tell their slips apart), else "".
    birth_date: str = ""


@dataclass(frozen=True)
class DocumentInfo:
    """What is common to every slip of a document."""

    title: str  # e.g. "Papillons de connexion" or "Papillon de connexion"
    school_name: str
    school_uai: str
    site_url: str  # address of the candidate site, also encoded as a QR code


# --- Sorting -------------------------------------------------------------------------------


def _sort_key(slip: SlipData) -> tuple[str, ...]:
    # The raw fields after the INE only matter for duplicated INEs: they make the order
    # independent of the input order.
    return (
        fold(slip.division),
        fold(slip.family_name),
        fold(slip.first_name),
        slip.ine,
        *astuple(slip),
    )


def sort_slips(slips: Iterable[SlipData]) -> list[SlipData]:
    """Return the slips in printing order.

    Order by division (class), then family name, then first name, ignoring case and accents
    (« Émile » sorts like « emile »); ties are broken by INE so the order is deterministic.
    """
    return sorted(slips, key=_sort_key)


# --- Drawing helpers -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """Per-document drawing choices: fonts, and where values start after their labels."""

    fonts: FontSet
    name_x: float
    ine_x: float
    division_x: float
    exam_x: float
    usage_name_x: float
    login_x: float
    password_x: float

    @classmethod
    def for_fonts(cls, fonts: FontSet) -> _Style:
        def after(label: str, x: float = geo.LEFT) -> float:
            # A full space after the label so that text extraction sees two words.
            width: float = stringWidth(label + " ", fonts.regular, geo.LABEL_SIZE)
            return x + width + 1

        return cls(
            fonts=fonts,
            name_x=after(geo.LABEL_CANDIDATE),
            ine_x=after(geo.LABEL_INE),
            division_x=after(geo.LABEL_DIVISION, geo.DIVISION_LABEL_X),
            exam_x=after(geo.LABEL_EXAM),
            usage_name_x=after(geo.LABEL_USAGE_NAME),
            login_x=after(geo.LABEL_LOGIN),
            password_x=after(geo.LABEL_PASSWORD),
        )


def _school_line(info: DocumentInfo) -> str:
    parts = [info.school_name] if info.school_name else []
    if info.school_uai:
        parts.append(f"UAI {info.school_uai}")
    return " — ".join(parts)


def _draw_qr_code(canvas: Canvas, value: str) -> None:
    widget = QrCodeWidget(value, barLevel="M", barWidth=geo.QR_SIZE, barHeight=geo.QR_SIZE)
    drawing = Drawing(geo.QR_SIZE, geo.QR_SIZE)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, geo.QR_X, geo.QR_Y)


def _draw_static(canvas: Canvas, info: DocumentInfo, style: _Style) -> None:
    """Draw what every slip shares, in slip-local coordinates (done once, into a form)."""
    _draw_frame(canvas, info)
    canvas.setStrokeGray(0)
    canvas.setFillGray(0)
    # The title gets its own text object: a larger size needs a thicker fake-bold stroke.
    canvas.setLineWidth(geo.FAKE_BOLD_TITLE_STROKE)
    title = TextWriter(canvas, style.fonts)
    # Each slip is one pupil's: its heading is singular whatever the document's title.
    title.bold(geo.LEFT, geo.Y_TITLE, geo.SLIP_HEADING, 16, geo.TEXT_WIDTH)
    title.draw()

    canvas.setLineWidth(geo.FAKE_BOLD_STROKE)
    w = TextWriter(canvas, style.fonts)
    w.gray(0.3)
    w.regular(geo.LEFT, geo.Y_SCHOOL, _school_line(info), 9.5, geo.TEXT_WIDTH)
    w.gray(0)
    for label, x, y in (
        (geo.LABEL_CANDIDATE, geo.LEFT, geo.Y_CANDIDATE),
        (geo.LABEL_INE, geo.LEFT, geo.Y_INE),
        (geo.LABEL_DIVISION, geo.DIVISION_LABEL_X, geo.Y_INE),
        (geo.LABEL_EXAM, geo.LEFT, geo.Y_EXAM),
        (geo.LABEL_LOGIN, geo.LEFT, geo.Y_LOGIN),
        (geo.LABEL_PASSWORD, geo.LEFT, geo.Y_PASSWORD),
    ):
        w.regular(x, y, label, geo.LABEL_SIZE, geo.TEXT_WIDTH)
    w.bold(geo.LEFT, geo.Y_IDENTIFY, geo.TEXT_IDENTIFY, geo.LABEL_SIZE, geo.TEXT_WIDTH)
    w.regular(geo.LEFT, geo.Y_PROVISIONAL, geo.TEXT_PROVISIONAL, 9, geo.TEXT_WIDTH)
    w.oblique(geo.LEFT, geo.Y_KEEP, geo.TEXT_KEEP, 9, geo.QR_X - geo.LEFT)
    _write_site_address(w, info.site_url, style.fonts)
    w.draw()


def _draw_frame(canvas: Canvas, info: DocumentInfo) -> None:
    """Draw the slip's lines and shapes: frame, rule, credentials background, QR code."""
    c = canvas
    c.setLineWidth(0.8)
    c.setStrokeGray(0.25)
    c.roundRect(geo.FRAME_X, geo.FRAME_Y, geo.FRAME_W, geo.FRAME_H, 8, stroke=1, fill=0)
    c.setLineWidth(0.5)
    c.setStrokeGray(0.55)
    c.line(geo.LEFT, geo.Y_RULE, geo.RIGHT, geo.Y_RULE)
    # Light background that makes the credentials the obvious part of the slip.
    c.setFillGray(0.93)
    box_height = geo.Y_IDENTIFY + 20 - geo.Y_CREDENTIALS_BOX
    c.roundRect(
        geo.LEFT - 6, geo.Y_CREDENTIALS_BOX, geo.TEXT_WIDTH + 12, box_height, 5, stroke=0, fill=1
    )
    if info.site_url:
        _draw_qr_code(c, info.site_url)


def _write_site_address(w: TextWriter, site_url: str, fonts: FontSet) -> None:
    """Write the candidate site's address left of the QR code.

    On the label's line when it fits readably, otherwise cut over the following lines.
    """
    site_width = geo.QR_X - 8 - geo.LEFT
    site_line = f"{geo.LABEL_SITE} {site_url}"
    size, scale = fit(site_line, fonts.regular, 10.5, site_width)
    if size >= 8.5 and scale == 100:
        w.regular(geo.LEFT, geo.Y_SITE, site_line, 10.5, site_width)
        return
    w.regular(geo.LEFT, geo.Y_SITE, geo.LABEL_SITE, 10.5, site_width)
    pieces = list(wrap_chars(site_url, fonts.regular, 9, site_width))
    leading = min(12.0, (geo.Y_SITE - geo.Y_KEEP - 14) / len(pieces))
    for i, piece in enumerate(pieces, start=1):
        w.regular(geo.LEFT, geo.Y_SITE - i * leading, piece, 9, site_width)


def _draw_cut_line(canvas: Canvas) -> None:
    """Draw the dashed line between the two halves of a page (once, into a form)."""
    c = canvas
    c.setDash(5, 3)
    c.setLineWidth(0.6)
    c.setStrokeGray(0.45)
    c.line(12, geo.SLIP_HEIGHT, geo.PAGE_WIDTH - 12, geo.SLIP_HEIGHT)
    # Scissors (ZapfDingbats is a standard font too: nothing to embed), on a white patch
    # that interrupts the dashes.
    c.setFillGray(1)
    c.rect(22, geo.SLIP_HEIGHT - 6, 16, 12, stroke=0, fill=1)
    c.setFillGray(0.45)
    c.setFont("ZapfDingbats", 12)
    c.drawString(23, geo.SLIP_HEIGHT - 4, "\u2702")


def _draw_slip(canvas: Canvas, slip: SlipData, style: _Style) -> None:
    """Draw one candidate's own values, in slip-local coordinates."""
    w = TextWriter(canvas, style.fonts)
    candidate = f"{slip.family_name} {slip.first_name}" if slip.first_name else slip.family_name
    if slip.birth_date:
        candidate += f", né(e) le {slip.birth_date}"
    w.bold(style.name_x, geo.Y_CANDIDATE, candidate, geo.NAME_SIZE, geo.RIGHT - style.name_x)
    w.bold(
        style.ine_x, geo.Y_INE, slip.ine, geo.VALUE_SIZE, geo.DIVISION_LABEL_X - 10 - style.ine_x
    )
    w.bold(style.division_x, geo.Y_INE, slip.division, geo.VALUE_SIZE, geo.RIGHT - style.division_x)
    exam = f"{slip.exam_code} — {slip.exam_label}" if slip.exam_label else slip.exam_code
    w.regular(style.exam_x, geo.Y_EXAM, exam, geo.VALUE_SIZE, geo.RIGHT - style.exam_x)
    if slip.usage_name:
        w.regular(geo.LEFT, geo.Y_USAGE_NAME, geo.LABEL_USAGE_NAME, geo.LABEL_SIZE, geo.TEXT_WIDTH)
        w.bold(
            style.usage_name_x,
            geo.Y_USAGE_NAME,
            slip.usage_name,
            geo.VALUE_SIZE,
            geo.RIGHT - style.usage_name_x,
        )
    _draw_credentials(w, slip, style)
    w.draw()


def _draw_credentials(w: TextWriter, slip: SlipData, style: _Style) -> None:
    """Draw the login and the password in Courier, in the order the readback relies on.

    The order and the font are the contract of :mod:`.credentials_layout`.
    """
    places = {
        "login": (style.login_x, geo.Y_LOGIN, slip.login, geo.LOGIN_SIZE),
        "password": (style.password_x, geo.Y_PASSWORD, slip.password, geo.PASSWORD_SIZE),
    }
    for field in CREDENTIAL_ORDER:
        x, y, text, size = places[field]
        if is_standard_encodable(text):
            w.mono(x, y, text, size, geo.RIGHT - x)
        else:
            # Courier cannot show it (a login outside cp1252): fall back to the text font;
            # a slip drawn so cannot be read back.
            w.bold(x, y, text, size, geo.RIGHT - x)


def _pages(slips: Sequence[SlipData], layout: int) -> Iterator[Sequence[SlipData]]:
    """Group sorted slips into pages of ``layout`` slips.

    With two per page every page is full (but perhaps the last): a class may end on the top
    half and the next begin on the bottom one; each slip prints its class, and the order by
    class keeps each class's slips together for cutting.
    """
    for start in range(0, len(slips), layout):
        yield slips[start : start + layout]


# --- Entry point ---------------------------------------------------------------------------


def render_slips(slips: Sequence[SlipData], info: DocumentInfo, layout: int) -> bytes:
    """Render login slips to a PDF document and return its bytes.

    ``layout`` is the number of slips per A4 page: 1 (top half of each page) or 2 (top and
    bottom halves, separated by a dashed cut line; every page is full but perhaps the last).
    Slips are printed in :func:`sort_slips` order, each with its class.

    Texts are drawn in Noto Sans, embedded (as a subset) in every document. Output is
    deterministic: same input, same bytes.

    Raises ``ValueError`` (French message) when ``layout`` is not 1 or 2 or ``slips`` is
    empty.
    """
    if isinstance(layout, bool) or layout not in (1, 2):
        raise ValueError(
            f"Mise en page inconnue : {layout!r}. Choisissez 1 ou 2 papillons par page."
        )
    if not slips:
        raise ValueError("Aucun papillon à imprimer : la liste des candidats est vide.")

    ordered = sort_slips(slips)
    style = _Style.for_fonts(document_fonts())

    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=(geo.PAGE_WIDTH, geo.PAGE_HEIGHT), pageCompression=1, invariant=1
    )
    canvas.setTitle(info.title)
    canvas.setAuthor("cyclades-tui")
    canvas.setCreator("cyclades-tui")
    canvas.setSubject(_school_line(info))

    canvas.beginForm(geo.FORM_SLIP, 0, 0, geo.PAGE_WIDTH, geo.SLIP_HEIGHT)
    _draw_static(canvas, info, style)
    canvas.endForm()
    if layout == 2:
        canvas.beginForm(geo.FORM_CUT, 0, 0, geo.PAGE_WIDTH, geo.PAGE_HEIGHT)
        _draw_cut_line(canvas)
        canvas.endForm()

    # Layout 1 prints on the top half; layout 2 fills the top half first, then the bottom.
    offsets = (geo.PAGE_HEIGHT - geo.SLIP_HEIGHT,) if layout == 1 else (geo.SLIP_HEIGHT, 0.0)
    for page in _pages(ordered, layout):
        if layout == 2:
            canvas.doForm(geo.FORM_CUT)
        if style.fonts.fake_bold:
            canvas.setLineWidth(geo.FAKE_BOLD_STROKE)
        for slip, offset in zip(page, offsets, strict=False):
            canvas.saveState()
            canvas.translate(0, offset)
            canvas.doForm(geo.FORM_SLIP)
            _draw_slip(canvas, slip, style)
            canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
