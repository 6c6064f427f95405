"""« Afficher le compte rendu »: the list of generated documents, save, print, preview."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Input, Static

from cyclades_tui.domain.names import local_time
from cyclades_tui.services import documents, files, printing
from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.text import literal, size_label
from cyclades_tui.ui.widgets.modals import PathModal, PrinterModal
from cyclades_tui.ui.workers import deliver

PAGE_SIZE = 10
# A long name is cut: the date must stay on an 80-column screen.
PUPIL_WIDTH = 26


def range_label(offset: int, shown: int, total: int) -> str:
    """« Affichage de l'élément X à Y sur N élément(s) », as CYCLADES words it."""
    if total == 0:
        return "Affichage de l'élément 0 à 0 sur 0 élément(s)"
    return f"Affichage de l'élément {offset + 1} à {offset + shown} sur {total} élément(s)"


class DocumentsScreen(ActivityScreen):
    """« Liste des documents générés », ten a page."""

    # Short labels: the footer must show every binding in 80 columns.
    BINDINGS = bindings("next-page", "previous-page", "next-page-key", "previous-page-key",
                        "filter", "save", "print", "preview")

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.page_start = 0
        self.total = 0
        self.rows: list[DocumentSummary] = []
        self.search = ""

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Liste des documents générés", classes="heading")
        yield Input(id="search", placeholder="Filtrer par élève (nom, INE) ou classe ; "
                                             "Entrée : liste", compact=True)
        table: DataTable[object] = DataTable(id="documents", cursor_type="row",
                                             zebra_stripes=True)
        yield table
        yield Static("", id="range")
        yield Static("", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one("#documents", DataTable)
        # Most telling first: at 80 columns the layout and the pupil always show; wider
        # terminals also show author, size and type.
        table.add_column("Document", key="title")
        table.add_column("Page", key="layout")
        table.add_column("Nb", key="slips")
        table.add_column("Élève (classe)", key="pupil")
        table.add_column("Date", key="date")
        table.add_column("Auteur", key="author")
        table.add_column("Taille", key="size")
        table.add_column("Type", key="type")
        table.focus()
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
        table = self.query_one("#documents", DataTable)
        table.clear()
        for doc in rows:
            table.add_row(
                literal(doc.title), literal(f"{doc.layout}/page"), literal(str(doc.slips)),
                literal(doc.pupil[:PUPIL_WIDTH]),
                literal(f"{local_time(doc.created_at):%d/%m/%Y %H:%M}"), literal(doc.created_by),
                literal(size_label(doc.size)), literal(doc.type), key=str(doc.id),
            )
        self.query_one("#range", Static).update(range_label(offset, len(rows), total))
        if not rows:
            self.show_info("Aucun document ne correspond au filtre." if self.search else
                           "Aucun document généré pour l'instant.")
        else:
            self.show_info("")

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        """Filter the documents as the pupil's name or class is typed (back to page 1)."""
        self.search = event.value.strip()
        self.page_start = 0
        self.load()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Entrée in the filter: go to the list."""
        self.query_one("#documents", DataTable).focus()

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
        table = self.query_one("#documents", DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            self.show_error("Aucun document sélectionné.")
            return None
        return self.rows[table.cursor_row]

    def action_save(self) -> None:
        """Ask where to save the selected document (in the school's folder), then write it."""
        doc = self.selected()
        if doc is not None:
            self.prepare_save(doc)

    @work(thread=True, exclusive=True, exit_on_error=False, name="prepare-save",
          group="prepare-save")
    def prepare_save(self, doc: DocumentSummary) -> None:
        """Offer a free name in the school's documents folder."""
        folder = files.folder_for(self.ctx.db_url, self.session.uai, self.ctx.settings)
        proposed = files.proposed_name(self.session.actor, doc.id, folder)

        def chosen(path: str | None) -> None:
            if path:
                self.save(doc.id, path)

        deliver(
            self, self.app.push_screen,
            PathModal(f"Enregistrer « {doc.title} » ({doc.layout} par page) dans "
                      f"« {folder / files.DOCUMENTS} »", proposed),
            chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, name="save", group="save")
    def save(self, document_id: int, path: str) -> None:
        """Write the document into the school's folder; a folder gets an automatic name."""
        folder = files.folder_for(self.ctx.db_url, self.session.uai, self.ctx.settings)
        written = files.save_document(self.session.actor, document_id, folder, path)
        deliver(self, self.show_info, f"Document enregistré : "
                                  f"{files.shown(folder, written)} (dans « {folder} »)")

    def action_print(self) -> None:
        """Choose a printer (when CUPS knows several) and print the selected document."""
        doc = self.selected()
        if doc is not None:
            self.prepare_print(doc.id)

    @work(thread=True, exclusive=True, exit_on_error=False, name="print", group="print")
    def prepare_print(self, document_id: int) -> None:
        """Find the printers, then ask or print at once."""
        if not printing.printing_available():
            deliver(self, self.show_error, printing.NO_CUPS)
            return
        printers, default = printing.list_printers()
        if len(printers) > 1:
            def chosen(printer: str | None) -> None:
                if printer:
                    self.send_to_printer(document_id, printer)

            deliver(self, self.app.push_screen, PrinterModal(printers, default),
                                      chosen)
            return
        deliver(self, self.send_to_printer, document_id,
                                  printers[0] if printers else None)

    @work(thread=True, exclusive=True, exit_on_error=False, name="send", group="send")
    def send_to_printer(self, document_id: int, printer: str | None) -> None:
        """Hand the document to lp."""
        job = printing.print_document(self.session.actor, document_id, printer)
        deliver(self, self.show_info, job.message)

    def action_preview(self) -> None:
        """Show the slips of the selected document as text."""
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
