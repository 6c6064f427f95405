"""« Afficher le compte rendu »: the list of generated documents, save, print, preview.

Letters are text here, as in « Mes candidats »: typed in the list they go to the filter.
Every action that prints, saves or shows passwords is a ``ctrl+`` key, and printing always
asks first, naming what would be printed and where.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual import events, on, work
from textual.app import ComposeResult
from textual.widgets import Input, Static

from cyclades_tui.domain.names import local_time
from cyclades_tui.services import documents, files, printing, single_slip
from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.services.errors import Refused
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.text import size_label
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.modals import CANCELLED, ConfirmModal, PathModal, PrinterModal
from cyclades_tui.ui.widgets.slip_finder import SlipChoice, SlipFinderModal, letter_to_field
from cyclades_tui.ui.widgets.virtual_table import VirtualTable, widest
from cyclades_tui.ui.workers import SEND_GROUP, deliver

PAGE_SIZE = 10
# The table's cell padding (one column each side) and the room of a vertical scrollbar.
CELL_PADDING = 2
SCROLLBAR = 2


@dataclass(frozen=True)
class Column:
    """A column of the list: its heading and cell text."""

    label: str
    cell: Callable[[DocumentSummary], str]


# In the order they are given room: the memo's Document, Taille and Type first (they show
# at 80 columns), then date and author, then layout, slip count and pupil. A column that
# does not fit whole is left out, never cut.
COLUMNS: tuple[Column, ...] = (
    Column("Document", lambda d: d.title),
    Column("Taille", lambda d: size_label(d.size)),
    Column("Type", lambda d: d.type),
    Column("Date", lambda d: f"{local_time(d.created_at):%d/%m/%Y %H:%M}"),
    Column("Auteur", lambda d: d.created_by),
    Column("Page", lambda d: f"{d.layout}/page"),
    Column("Nb", lambda d: str(d.slips)),
    Column("Élève (classe)", lambda d: d.pupil),
)


def fitting_columns(rows: list[DocumentSummary], width: int) -> list[Column]:
    """The columns that fit whole in ``width`` cells, in priority order."""
    chosen: list[Column] = []
    used = SCROLLBAR
    for column in COLUMNS:
        need = max([len(column.label), *(len(column.cell(d)) for d in rows)]) + CELL_PADDING
        if used + need <= width:
            chosen.append(column)
            used += need
    return chosen


def range_label(offset: int, shown: int, total: int) -> str:
    """« Affichage de l'élément X à Y sur N élément(s) », as CYCLADES words it."""
    if total == 0:
        return "Affichage de l'élément 0 à 0 sur 0 élément(s)"
    return f"Affichage de l'élément {offset + 1} à {offset + shown} sur {total} élément(s)"


def pages_of(doc: DocumentSummary) -> int:
    """How many A4 pages the document prints on (one or two slips a page)."""
    return -(-doc.slips // doc.layout)


def print_question(what: str, slips: int, pages: int, queue: str | None) -> str:
    """The question asked before anything is sent to a printer."""
    where = f"l'imprimante « {queue} »" if queue else "l'imprimante par défaut du serveur"
    return (
        f"Imprimer {what} : {slips} papillon(s) sur {pages} page(s), avec les mots de "
        f"passe, sur {where} ?"
    )


class DocumentsScreen(ActivityScreen):
    """« Liste des documents générés », ten a page."""

    # Short labels: the footer must show every binding in 80 columns.
    BINDINGS = bindings(
        "next-page", "previous-page", "filter", "save", "print", "preview", "one-slip"
    )

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.page_start = 0
        self.total = 0
        self.rows: list[DocumentSummary] = []
        self.search = ""

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Liste des documents générés", classes="heading")
        yield Input(
            id="search",
            placeholder="Filtrer par élève (nom, INE) ou classe ; Entrée : liste",
            compact=True,
            # A letter typed in the list lands here: selecting it on focus would
            # let the next letter replace it.
            select_on_focus=False,
        )
        # Letters typed in the list go to the filter (on_key), as in « Mes candidats ».
        yield VirtualTable([], id="documents")
        yield Static("", id="range")
        yield FrenchText("", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#documents", VirtualTable).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self) -> None:
        """Read one page of documents."""
        actor, uai, search = self.session.actor, self.session.uai, self.search
        total = documents.count_documents(actor, uai, search)
        offset = min(self.page_start, max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE))
        rows = documents.list_documents(actor, uai, offset, PAGE_SIZE, search)
        deliver(self, self._show, offset, total, rows)

    def _show(self, offset: int, total: int, rows: list[DocumentSummary]) -> None:
        self.page_start, self.total, self.rows = offset, total, rows
        self._draw()
        self.query_one("#range", Static).update(range_label(offset, len(rows), total))
        if not rows:
            self.show_info(
                "Aucun document ne correspond au filtre."
                if self.search
                else "Aucun document généré pour l'instant."
            )
        else:
            self.show_info("")

    def _draw(self) -> None:
        """Fill the table with the columns that fit whole at the present width."""
        shown = fitting_columns(self.rows, self.size.width or self.app.size.width)
        cells = [tuple(c.cell(doc) for c in shown) for doc in self.rows]
        table = self.query_one("#documents", VirtualTable)
        table.set_columns(widest([c.label for c in shown], cells))
        table.set_rows(cells)  # the cursor stays on its row (the last one at most)

    def on_resize(self, event: events.Resize) -> None:
        """A wider terminal shows more columns, a narrower one fewer (never cut)."""
        if self.rows:
            self._draw()

    def on_key(self, event: events.Key) -> None:
        """A letter typed in the list goes to the filter: letters are text, never actions."""
        letter_to_field(event, self.query_one("#search", Input), self.focused)

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        """Filter the documents as the pupil's name or class is typed (back to page 1)."""
        self.search = event.value.strip()
        self.page_start = 0
        self.load()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Entrée in the filter: go to the list."""
        self.query_one("#documents", VirtualTable).focus()

    def action_focus_filter(self) -> None:
        """Move to the filter."""
        self.query_one("#search", Input).focus()

    def action_next_page(self) -> None:
        """Show the next ten documents."""
        if self.page_start + PAGE_SIZE < self.total:
            self.page_start += PAGE_SIZE
            self.load()

    def action_previous_page(self) -> None:
        """Show the previous ten documents."""
        if self.page_start > 0:
            self.page_start = max(0, self.page_start - PAGE_SIZE)
            self.load()

    def selected(self) -> DocumentSummary | None:
        """The document under the cursor, if any."""
        cursor = self.query_one("#documents", VirtualTable).cursor
        if not self.rows or cursor >= len(self.rows):
            self.show_error("Aucun document sélectionné.")
            return None
        return self.rows[cursor]

    def action_save(self) -> None:
        """Ask where to save the selected document (in the school's folder), then write it."""
        doc = self.selected()
        if doc is not None:
            self.prepare_save(doc)

    @work(
        thread=True, exclusive=True, exit_on_error=False, name="prepare-save", group="prepare-save"
    )
    def prepare_save(self, doc: DocumentSummary) -> None:
        """Offer a free name in the school's documents folder."""
        folder = files.school_folder(self.ctx.files_root, self.session.uai)
        proposed = files.proposed_name(self.session.actor, doc.id, folder)
        self.ask_where(
            f"Enregistrer « {doc.title} » ({doc.layout} par page) dans "
            f"« {folder / files.DOCUMENTS} »",
            proposed,
            partial(self.save, doc.id),
        )

    def ask_where(self, question: str, proposed: str, save: Callable[[str], object]) -> None:
        """From a worker: ask for the file's name, ``proposed`` filled in; ``save`` it there,
        or say « Annulé. »."""

        def chosen(path: str | None) -> None:
            if path:
                save(path)
            else:
                self.show_info(CANCELLED)

        deliver(self, self.app.push_screen, PathModal(question, proposed), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, name="save", group="save")
    def save(self, document_id: int, path: str) -> None:
        """Write the document into the school's folder; a folder gets an automatic name."""
        folder = files.school_folder(self.ctx.files_root, self.session.uai)
        written = files.save_document(self.session.actor, document_id, folder, path)
        deliver(
            self,
            self.show_info,
            f"Document enregistré : {files.shown(folder, written)} (dans « {folder} »)",
        )

    def action_print(self) -> None:
        """Ask (document, slips, pages, printer), then print the selected document."""
        doc = self.selected()
        if doc is not None:
            self.prepare_print(doc, None)

    @work(thread=True, exclusive=True, exit_on_error=False, name="print", group="print")
    def prepare_print(self, doc: DocumentSummary, slip: SlipPreview | None) -> None:
        """Find the printers; let the person choose one when CUPS knows several."""
        if not printing.printing_available():
            raise Refused(printing.NO_CUPS)
        printers, default = printing.list_printers()
        if len(printers) > 1:

            def chosen(printer: str | None) -> None:
                if printer:
                    self.ask_print(doc, slip, printer)
                else:
                    self.show_info(CANCELLED)

            deliver(self, self.app.push_screen, PrinterModal(printers, default), chosen)
            return
        deliver(self, self.ask_print, doc, slip, printers[0] if printers else None)

    def ask_print(
        self, doc: DocumentSummary, slip: SlipPreview | None, printer: str | None
    ) -> None:
        """The question before printing; « Annuler » is Entrée's default."""
        queue = printer or printing.default_queue()
        if slip is None:
            question = print_question(
                f"« {doc.title} » (document n° {doc.id})", doc.slips, pages_of(doc), queue
            )
        else:
            question = print_question(
                f"le papillon de {slip.name} ({slip.division}, INE "
                f"{slip.ine}) seul, du document n° {doc.id}",
                1,
                1,
                queue,
            )

        def answered(yes: bool | None) -> None:
            if not yes:
                self.show_info(CANCELLED)
            elif slip is None:
                self.send_to_printer(doc.id, printer)
            else:
                self.send_slip_to_printer(doc.id, slip.ine, printer)

        self.app.push_screen(ConfirmModal(question, "Imprimer"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, name="send", group=SEND_GROUP)
    def send_to_printer(self, document_id: int, printer: str | None) -> None:
        """Hand the document to lp."""
        job = printing.print_document(self.session.actor, document_id, printer)
        deliver(self, self.show_info, job.message)

    @work(thread=True, exclusive=True, exit_on_error=False, name="send", group=SEND_GROUP)
    def send_slip_to_printer(self, document_id: int, ine: str, printer: str | None) -> None:
        """Hand one pupil's slip, alone, to lp."""
        job = single_slip.print_slip(
            self.session.actor, document_id, ine, self.ctx.settings.site_url, printer
        )
        deliver(self, self.show_info, job.message)

    def action_one_slip(self) -> None:
        """Find one pupil's slip in the selected document."""
        doc = self.selected()
        if doc is not None:
            # The name typed to find the document is the pupil looked for in it.
            self.load_finder(doc, self.query_one("#search", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False, name="preview", group="preview")
    def load_finder(self, doc: DocumentSummary, search: str = "") -> None:
        """Read the document's slips, then let the person find the pupil."""
        slips = documents.preview(self.session.actor, doc.id)

        def chosen(choice: SlipChoice | None) -> None:
            if choice is None:
                return
            what, slip = choice
            if what == "preview":
                self.app.push_screen(PreviewScreen(self.ctx, doc, [slip]))
            elif what == "print":
                self.prepare_print(doc, slip)
            else:
                self.prepare_slip_save(doc, slip)

        deliver(self, self.app.push_screen, SlipFinderModal(doc, slips, search), chosen)

    @work(
        thread=True, exclusive=True, exit_on_error=False, name="prepare-save", group="prepare-save"
    )
    def prepare_slip_save(self, doc: DocumentSummary, slip: SlipPreview) -> None:
        """Offer a free name for the pupil's slip in the school's documents folder."""
        folder = files.school_folder(self.ctx.files_root, self.session.uai)
        proposed = single_slip.proposed_name(self.session.actor, doc.id, slip.ine, folder)
        self.ask_where(
            f"Enregistrer le papillon de {slip.name} seul (une page) dans "
            f"« {folder / files.DOCUMENTS} »",
            proposed,
            partial(self.save_slip, doc.id, slip.ine),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, name="save", group="save")
    def save_slip(self, document_id: int, ine: str, path: str) -> None:
        """Write the pupil's slip alone into the school's folder."""
        folder = files.school_folder(self.ctx.files_root, self.session.uai)
        written = single_slip.save_in_school(
            self.session.actor, document_id, ine, folder, path, self.ctx.settings.site_url
        )
        deliver(
            self,
            self.show_info,
            f"Papillon enregistré : {files.shown(folder, written)} (dans « {folder} »)",
        )

    def action_preview(self) -> None:
        """Entrée: in the filter, go to the list; in the list, show the selected document's
        slips as text."""
        if self.focused is self.query_one("#search", Input):
            self.search_submitted()
            return
        doc = self.selected()
        if doc is not None:
            self.load_preview(doc)

    @work(thread=True, exclusive=True, exit_on_error=False, name="preview", group="preview")
    def load_preview(self, doc: DocumentSummary) -> None:
        """Read the slips back from the stored PDF."""
        slips = documents.preview(self.session.actor, doc.id)
        deliver(self, self._open_preview, doc, slips)

    def _open_preview(self, doc: DocumentSummary, slips: list[SlipPreview]) -> None:
        self.app.push_screen(PreviewScreen(self.ctx, doc, slips))
