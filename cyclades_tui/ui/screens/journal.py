"""« Journal »: the audit trail of the school, newest first."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import Static

from cyclades_tui.domain.names import local_time
from cyclades_tui.domain.safe_text import safe_text
from cyclades_tui.services import audit
from cyclades_tui.services.audit import AuditEntry
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.virtual_table import VirtualTable
from cyclades_tui.ui.workers import deliver

# The detail takes the room left (it widens with the terminal); the selected event's
# whole detail shows in the message line.
COLUMNS = [("Date", 16), ("Qui", 14), ("Action", 20), ("Détail", 18)]

# Action codes of the audit trail, in the words of the screens.
ACTION_LABELS = {
    "login": "Connexion",
    "import.csv": "Import HORS BEE",
    "import.siecle": "Import BEE",
    "import.demo": "Import (démo)",
    "accounts.generate": "Génération des comptes",
    "accounts.regenerate": "Regénération",
    "document.export": "Document enregistré",
    "document.print": "Document imprimé",
    "document.preview": "Papillons consultés",
    "document.purge": "Documents purgés",
    "school.add": "Établissement ajouté",
    "school.service": "Service",
    "staff.add": "Compte personnel créé",
    "staff.reset-password": "Mot de passe personnel",
    "staff.disable": "Compte désactivé",
    "staff.enable": "Compte réactivé",
    "staff.unlock": "Compte déverrouillé",
    "staff.password": "Mot de passe changé",
}


def row(entry: AuditEntry) -> tuple[str, ...]:
    """One line of the journal (its values made terminal-safe)."""
    detail = entry.detail if entry.success else f"ÉCHEC : {entry.detail}"
    if entry.school is None:
        detail = f"{detail} (sans établissement)"
    return tuple(
        safe_text(cell)
        for cell in (
            f"{local_time(entry.at):%d/%m/%Y %H:%M}",
            entry.actor,
            ACTION_LABELS.get(entry.action, entry.action),
            detail,
        )
    )


class JournalScreen(ActivityScreen):
    """Every login, import, generation, regeneration, export, print and service change."""

    BINDINGS = bindings("reload")

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Journal", classes="heading")
        yield VirtualTable(COLUMNS, id="journal", flexible=(3,))
        yield FrenchText("Chargement…", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one("#journal", VirtualTable)
        table.focus()
        self.watch(table, "cursor", self._show_detail, init=False)
        self.action_reload()

    def _show_detail(self) -> None:
        """The selected event's whole detail, in the message line (the column may cut it)."""
        table = self.query_one("#journal", VirtualTable)
        if table.rows:
            date, who, action, detail = table.rows[table.cursor][:4]
            self.show_info(f"{date} · {who} · {action} : {detail}")

    def action_reload(self) -> None:
        """Read the journal again."""
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self) -> None:
        """Read the school's events (an exam manager also sees those of no school)."""
        events = audit.for_journal(self.session.actor, self.session.uai)
        deliver(self, self._show, events)

    def _show(self, events: list[AuditEntry]) -> None:
        self.query_one("#journal", VirtualTable).set_rows([row(e) for e in reversed(events)])
        self.show_info(f"{len(events)} événement(s), du plus récent au plus ancien.")
