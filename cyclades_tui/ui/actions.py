"""The one registry of the TUI's activities and keys.

The « Mon établissement » menu, every screen's ``BINDINGS`` (hence its footer), the command
palette and the key table of README.md are all made from what is declared here: a key is
changed in one place. One action has one key wherever it is offered; a ``ctrl+`` key means one
thing in the whole app (screens with a text field cannot use plain letters, so the ``ctrl+``
keys are the app-wide vocabulary; plain letters are each screen's own mnemonics).

Here: the activities (``ACTIVITIES``), every key (``ACTIONS``) and how the README names a
key. The words of README's key table, screen by screen, are in ``screen_keys.py``; the
table is made here from them and the registry's keys (``key_table``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from cyclades_tui.ui.screen_keys import KEY_TABLE


@dataclass(frozen=True)
class Activity:
    """An activity of the « Mon établissement » menu (and of the command palette)."""

    id: str
    title: str  # CYCLADES' own words: the menu line and the palette entry
    help: str  # the palette's and the footer tooltip's explanation
    key: str | None = None  # the menu letter; None: menu and palette only
    short: str = ""  # footer label: the menu shows ``title``, the footer must fit 80 columns


@dataclass(frozen=True)
class Action:
    """A key of a screen: what it does, its footer label and its explanation."""

    id: str  # the Textual binding id
    key: str
    action: str  # the Textual action it runs
    label: str  # footer label
    tooltip: str = ""
    show: bool = True  # False: a synonym or a key that needs no footer entry
    priority: bool = False  # True: the key wins over the focused widget (a text field…)

    def binding(self) -> Binding:
        """The Textual binding of this action."""
        return Binding(
            self.key,
            self.action,
            self.label,
            show=self.show,
            priority=self.priority,
            id=self.id,
            tooltip=self.tooltip,
        )


def _unlisted(action_id: str, key: str, action: str, label: str, tooltip: str) -> Action:
    """A key the footer does not list that wins over the focused widget (a text field, a
    table that would take it for itself)."""
    return Action(action_id, key, action, label, tooltip, show=False, priority=True)


# In menu order. Every line has its letter, shown in the menu; only the activities with a
# ``short`` label are in the footer (all of them would not fit 80 columns).
ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        "generate",
        "Générer les comptes Cyclades de mes élèves",
        "Créer les comptes des candidats éligibles et leurs papillons",
        "g",
        "Générer",
    ),
    Activity(
        "regenerate",
        "Regénérer le mot de passe d'un compte d'un élève",
        "Nouveau mot de passe et papillon pour un candidat",
        "r",
        "Regénérer",
    ),
    Activity(
        "documents",
        "Afficher le compte rendu",
        "Liste des documents générés : enregistrer, imprimer, consulter",
        "d",
        "Documents",
    ),
    Activity(
        "candidates",
        "Mes candidats",
        "Tous les candidats de l'établissement, filtrables",
        "c",
        "Candidats",
    ),
    Activity(
        "import_siecle",
        "Importer mes élèves depuis la BEE",
        "Importer un export SIECLE (ElevesSansAdresses .zip ou .xml)",
        "b",
    ),
    Activity(
        "import_csv", "Importer HORS BEE", "Importer des candidats depuis un fichier CSV", "h"
    ),
    Activity("journal", "Journal", "Qui a fait quoi et quand dans cet établissement", "j"),
    Activity(
        "password",
        "Changer mon mot de passe",
        "Votre mot de passe actuel, puis le nouveau deux fois",
        "m",
    ),
)
ACTIVITY_BY_ID = {activity.id: activity for activity in ACTIVITIES}

_ACTIONS: tuple[Action, ...] = (
    # Everywhere (the app's own keys).
    Action("quit", "ctrl+q", "quit", "Quitter", "Quitter cyclades-tui", priority=True),
    # Declared here (Textual would add its own, in English).
    _unlisted(
        "palette", "ctrl+p", "command_palette", "Commandes", "Ouvrir la palette de commandes"
    ),
    Action("back", "escape", "back", "Retour", "Revenir à l'écran précédent"),
    Action("logout", "ctrl+d", "logout", "Déconnexion", "Se déconnecter (demande confirmation)"),
    # Connexion.
    Action(
        "connect",
        "enter",
        "enter",
        "Se connecter",
        "Entrée : champ suivant, puis connexion",
        priority=True,
    ),
    # Changer mon mot de passe (imposé après un mot de passe choisi par un autre: Échap
    # y déconnecte, il ne passe pas outre).
    Action(
        "password-enter",
        "enter",
        "enter",
        "Valider",
        "Entrée : champ suivant, puis enregistrer le nouveau mot de passe",
        priority=True,
    ),
    Action(
        "password-logout",
        "escape",
        "logout_now",
        "Déconnexion",
        "Se déconnecter sans changer le mot de passe (il reste à changer)",
    ),
    # Mon établissement.
    *(
        Action(
            f"open-{a.id}", a.key, f"open('{a.id}')", a.short or a.title, a.help, show=bool(a.short)
        )
        for a in ACTIVITIES
        if a.key
    ),
    Action(
        "home-back",
        "escape",
        "back",
        "Retour",
        "Revenir au choix de l'établissement (gestionnaire)",
        show=False,
    ),
    # Choix de l'établissement (gestionnaire).
    # A ctrl+ key: it changes data, and a letter in a list is text.
    Action(
        "toggle-service",
        "ctrl+k",
        "toggle_service",
        "Positionner / retirer le service",
        "Positionner ou retirer le service de gestion des candidats",
    ),
    # Générer / Regénérer.
    Action(
        "generate",
        "ctrl+g",
        "generate",
        "Générer",
        "Créer les comptes manquants et leurs papillons",
    ),
    Action(
        "regenerate-one",
        "ctrl+g",
        "generate",
        "Générer",
        "Nouveau mot de passe pour le candidat affiché",
    ),
    Action("report", "ctrl+r", "report", "Afficher le compte rendu", "Liste des documents générés"),
    # Afficher le compte rendu, and the preview of a document. Its list takes letters as
    # text (they filter): printing, saving and revealing passwords are ctrl+ keys only.
    # Priority: the table would take PgSuiv/PgPréc to scroll its ten rows.
    _unlisted(
        "next-page",
        "pagedown",
        "next_page",
        "Page suiv.",
        "Page suivante",
    ),
    _unlisted(
        "previous-page",
        "pageup",
        "previous_page",
        "Page préc.",
        "Page précédente",
    ),
    Action("filter", "ctrl+f", "focus_filter", "Filtrer", "Filtrer par nom d'élève, INE ou classe"),
    Action(
        "save",
        "ctrl+s",
        "save",
        "Enregistrer",
        "Enregistrer le document sélectionné dans un fichier",
        priority=True,
    ),
    Action(
        "print",
        "ctrl+e",
        "print",
        "Imprimer",
        "Imprimer avec CUPS (demande confirmation)",
        priority=True,
    ),
    # Priority: the table would take Entrée for itself, and the footer would not show it.
    Action(
        "preview",
        "enter",
        "preview",
        "Voir",
        "Voir les papillons en texte, mots de passe masqués",
        priority=True,
    ),
    Action(
        "one-slip",
        "ctrl+u",
        "one_slip",
        "Un élève",
        "Le papillon d'un seul élève : le voir, l'imprimer ou l'enregistrer",
        priority=True,
    ),
    # Priority: the search field and the list would take Entrée, and the footer hide it.
    Action(
        "one-preview",
        "enter",
        "one_preview",
        "Voir",
        "Voir le papillon de cet élève seul",
        priority=True,
    ),
    Action(
        "toggle-passwords",
        "ctrl+a",
        "toggle_passwords",
        "Afficher les mots de passe",
        "Les mots de passe restent masqués par défaut",
    ),
    Action("close", "escape", "close", "Fermer", "Fermer l'aperçu"),
    # Mes candidats.
    Action(
        "candidates-filter",
        "ctrl+f",
        "focus_filter",
        "Filtrer",
        "Saisir un nom, un INE, une classe…",
    ),
    Action("table", "ctrl+t", "focus_table", "Liste", "Aller dans la liste"),
    Action(
        "import-bee",
        "ctrl+b",
        "import_siecle",
        "Import BEE",
        "Importer mes élèves depuis la BEE (export SIECLE)",
    ),
    Action("import-csv", "ctrl+n", "import_csv", "Import CSV", "Importer HORS BEE (fichier CSV)"),
    # The two imports.
    Action("check", "ctrl+o", "check", "Vérifier", "Vérifier le fichier sans rien écrire"),
    Action("import", "ctrl+l", "import_file", "Importer", "Importer ce qui a été vérifié"),
    # Journal and the BEE import's list of files: F5, « actualiser » in every browser. Not a
    # letter (in a list a letter is text), not ctrl+r (« Afficher le compte rendu »), not
    # ctrl+u (a text field's « delete to the start »).
    Action(
        "reload", "f5", "reload", "Actualiser", "Relire la liste (le journal, les fichiers déposés)"
    ),
    # Dialogs.
    Action("cancel", "escape", "cancel", "Annuler", "Fermer sans rien faire"),
    # ctrl+y (« yes »): a letter typed by mistake into a dialog must not confirm anything.
    Action("confirm", "ctrl+y", "confirm", "Confirmer", "Confirmer l'action proposée"),
)
ACTIONS: dict[str, Action] = {action.id: action for action in _ACTIONS}
assert len(ACTIONS) == len(_ACTIONS), "two actions share an identifier"


def bindings(*ids: str) -> list[BindingType]:
    """The Textual bindings of the registry actions ``ids``, in that order."""
    return [ACTIONS[action_id].binding() for action_id in ids]


# Key names as the README writes them.
KEY_NAMES = {
    "escape": "Échap",
    "enter": "Entrée",
    "pagedown": "PgSuiv",
    "pageup": "PgPréc",
    "f5": "F5",
}


def key_name(key: str) -> str:
    """A key as README and the hints write it (`ctrl+d`, `Échap`)."""
    return f"`{KEY_NAMES.get(key, key)}`"


def key_table() -> str:
    """README's key table, made from the registry (tests compare it with README.md)."""
    lines = ["| écran | touches |", "| --- | --- |"]
    for row in KEY_TABLE:
        keys = {action_id: key_name(ACTIONS[action_id].key) for action_id in row.actions}
        lines.append(f"| {row.screen} | {row.text.format_map(keys)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m cyclades_tui.ui.actions: print README's key table
    print(key_table(), end="")
