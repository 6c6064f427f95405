"""The French command line: argparse in French and the tree of subcommands."""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from cyclades_tui.domain.exams import ELIGIBLE_STATES, fold
from cyclades_tui.services import (
    account_exports,
)
from cyclades_tui.services.actor import ROLE_MANAGER, ROLE_SCHOOL

from .output import (
    EXIT_BAD_INPUT,
)

# Staff connect over SSH, where ForceCommand starts the TUI whatever they type: the way out
# is a terminal (ssh -t). The operator, on the server itself, has the subcommands.
NO_TERMINAL = (
    "cyclades-tui a besoin d'un terminal interactif : connectez-vous avec « ssh -t » "
    "(par exemple « ssh -t cyclades@serveur »)."
)

# Where the settings come from: the operator's first question on a server.
SETTINGS_HELP = (
    "Réglages : le fichier de configuration $CYCLADES_CONFIG, sinon "
    "/etc/cyclades-tui/config.toml s'il existe (le même pour l'interface, les commandes et "
    "cron), puis les variables CYCLADES_<NOM>, puis --db. « cyclades-tui config » affiche "
    "chaque réglage, sa valeur et sa source."
)

# argparse's English messages (Python 3.11 to 3.13 wordings), in French. Applied in order.
_ARGPARSE_FRENCH: tuple[tuple[str, str], ...] = (
    (
        r"invalid choice: (.*?) \(choose from (.*)\)$",
        r"choix invalide : \1 (valeurs possibles : \2)",
    ),
    (r"invalid int value: (.*)$", r"nombre entier invalide : \1"),
    (r"invalid (\w+) value: (.*)$", r"valeur invalide : \2"),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at most one argument", "au plus une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"expected (\d+) arguments?", r"\1 valeur(s) attendue(s)"),
    (r"unrecognized arguments: ", "arguments non reconnus : "),
    (r"ambiguous option: (\S+) could match (.*)$", r"option ambiguë : \1 peut désigner \2"),
    (r"not allowed with argument ", "incompatible avec "),
    (r"ignored explicit argument (.*)$", r"valeur inattendue : \1"),
    (r"one of the arguments (.*) is required", r"l'une des options \1 est obligatoire"),
)


# The names argparse gives the positional arguments in its messages (their dest).
_ARGUMENT_NAMES = {
    "command": "sous-commande",
    "action": "sous-commande",
    "name": "nom",
    "state": "état",
    "file": "fichier",
    "path": "chemin",
    "login": "identifiant",
    "id": "numéro du document",
}


def french_usage_error(message: str) -> str:
    """An argparse error message in French (names and values quoted as typed)."""
    message = re.sub(
        r"^argument ([^:]+): ", lambda m: f"« {_ARGUMENT_NAMES.get(m[1], m[1])} » : ", message
    )
    message = re.sub(
        r"the following arguments are required: (.*)$",
        lambda m: (
            "arguments obligatoires manquants : "
            + ", ".join(_ARGUMENT_NAMES.get(n, n) for n in m[1].split(", "))
        ),
        message,
    )
    for pattern, replacement in _ARGPARSE_FRENCH:
        message = re.sub(pattern, replacement, message)
    return message


class _FrenchFormatter(argparse.HelpFormatter):
    """Help text with a French « Utilisation : » line."""

    def add_usage(
        self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, "Utilisation : " if prefix is None else prefix)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        # Paths such as /etc/cyclades-tui/config.toml stay whole (never cut at a hyphen).
        text = " ".join(text.split())
        return textwrap.fill(
            text,
            width,
            initial_indent=indent,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=False,
        )


class FrenchParser(argparse.ArgumentParser):
    """argparse with help and usage errors in French and exit status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _FrenchFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="afficher cette aide et quitter",
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"Erreur d'utilisation : {french_usage_error(message)}\n")


def _add_db(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # --db is accepted before and after the subcommand; the subcommand's copy must not
    # overwrite a value given before it, hence SUPPRESS there.
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None if top else argparse.SUPPRESS,
        help="base de données : sqlite:///chemin.db ou postgresql://utilisateur@hôte:port/nom "
        "(sinon $CYCLADES_DB, sinon la clé db du fichier de configuration, sinon un "
        "fichier SQLite dans le dossier de données)",
    )


def _add_scope(parser: argparse.ArgumentParser) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--school", metavar="UAI")
    scope.add_argument("--all", action="store_true", help="tous les établissements")


KEEP_HELP = (
    "le mot de passe est saisi par son titulaire lui-même : pas de changement "
    "imposé à la première connexion"
)


# Options several subcommands share, each declared once.
_SHARED_OPTIONS: dict[str, dict[str, Any]] = {
    "--school": {"required": True, "metavar": "UAI"},
    "--out": {"type": Path, "metavar": "DIR"},
    "--json": {"action": "store_true"},
    "--dry-run": {"action": "store_true", "help": "tout vérifier sans rien écrire"},
    "--keep-password": {"action": "store_true", "help": KEEP_HELP},
}


def _shared(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """Add the shared options ``names`` to ``parser``, in that order (the order of --help)."""
    for name in names:
        parser.add_argument(name, **_SHARED_OPTIONS[name])
    return parser


_Command = Callable[..., argparse.ArgumentParser]


def _group(command: _Command, name: str, help_text: str) -> _Command:
    """The command ``name`` whose subcommand (``args.action``) is required; returns how to
    add one of its subcommands: ``action(name, help)``."""
    parent = command(name, help_text)
    sub = parent.add_subparsers(dest="action", required=True, parser_class=FrenchParser)

    def action(action_name: str, action_help: str) -> argparse.ArgumentParser:
        return command(action_name, action_help, sub)

    return action


def _add_school(command: _Command) -> None:
    """school add | service | list."""
    school = _group(command, "school", "gérer les établissements")
    p = school("add", "ajouter un établissement")
    p.add_argument("uai")
    p.add_argument("name", nargs="+")
    p = school("service", "positionner ou retirer le service de gestion des candidats")
    p.add_argument("uai")
    p.add_argument("state", choices=["on", "off"])
    school("list", "lister les établissements")


def _add_import(command: _Command) -> None:
    """import FILE: CSV or SIECLE."""
    p = command("import", "importer des candidats : CSV « HORS BEE » ou export SIECLE (BEE)")
    p.add_argument("file", type=Path, help="fichier .csv, ou export SIECLE .xml / .zip")
    _shared(p, "--school", "--dry-run")
    p.add_argument("--exam", metavar="CODE", help="SIECLE : examen des élèves importés")
    p.add_argument(
        "--state", metavar="ETAT", help="SIECLE : état initial (inscrit, pre-inscrit, …)"
    )
    p.add_argument(
        "--division",
        action="extend",
        nargs="+",
        metavar="D",
        help="SIECLE : n'importer que ces divisions (ou --all-divisions)",
    )
    p.add_argument(
        "--all-divisions",
        action="store_true",
        help="SIECLE : importer toutes les divisions de l'export",
    )
    p.add_argument(
        "--other-exams",
        action="store_true",
        help="SIECLE : ajouter aussi la candidature aux élèves déjà candidats à un autre examen",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="SIECLE : confirmer que les élèves sans INE valide sont ignorés",
    )


def _add_accounts(command: _Command) -> None:
    """accounts status, generate, regenerate, verify, change-password, ldap-sync, export."""
    accounts = _group(command, "accounts", "comptes des candidats")
    _shared(accounts("status", "candidats éligibles, avec et sans compte"), "--school", "--json")
    p = accounts("generate", "créer les comptes manquants et leurs papillons")
    _shared(p, "--school", "--out", "--json")
    p = _shared(
        accounts("regenerate", "nouveau mot de passe pour le compte d'un candidat"), "--school"
    )
    p.add_argument("--ine", required=True)
    # The states that can give an account, in the short form parse_state reads.
    p.add_argument("--state", choices=[fold(s.value) for s in ELIGIBLE_STATES])
    _shared(p, "--out", "--json")
    p = accounts("verify", "vérifier un mot de passe (lu sur l'entrée standard)")
    p.add_argument("login")
    p = accounts(
        "change-password", "changer un mot de passe (actuel puis nouveau sur l'entrée standard)"
    )
    p.add_argument("login")
    p = accounts("ldap-sync", "écrire les comptes dans l'annuaire LDAP (réglages ldap_*)")
    _add_scope(p)
    _shared(p, "--dry-run")
    p = accounts("export", "écrire les comptes (hachés) pour un site : LDIF ou htpasswd")
    p.add_argument("--format", required=True, choices=list(account_exports.FORMATS))
    _add_scope(p)
    p.add_argument("--base-dn", metavar="DN", help="ldif : base des entrées (ou=UAI,DN)")
    p.add_argument("path", metavar="CHEMIN", help="fichier à créer (jamais remplacé)")


def _add_documents(command: _Command) -> None:
    """documents list | export | purge."""
    documents = _group(command, "documents", "documents générés")
    _shared(documents("list", "lister les documents d'un établissement"), "--school", "--json")
    p = documents("export", "écrire un document dans un fichier (ou un dossier finissant par /)")
    p.add_argument("id", type=int)
    p.add_argument("path")
    p.add_argument(
        "--ine",
        help="le papillon de cet élève seul (une page ; le document enregistré n'est pas modifié)",
    )
    p = documents("purge", "supprimer les documents anciens (ils contiennent des mots de passe)")
    p.add_argument("--older-than", type=int, required=True, metavar="JOURS")
    p.add_argument("--school", metavar="UAI", help="un seul établissement (sinon tous)")


def _add_staff(command: _Command) -> None:
    """staff add | list | reset-password | disable | enable | unlock."""
    staff = _group(command, "staff", "comptes du personnel")
    p = staff("add", "créer un compte du personnel")
    p.add_argument("login")
    p.add_argument("--school", metavar="UAI")
    p.add_argument("--role", choices=[ROLE_SCHOOL, ROLE_MANAGER], default=ROLE_SCHOOL)
    _shared(p, "--keep-password")
    staff("list", "lister les comptes du personnel")
    p = staff("reset-password", "nouveau mot de passe pour un compte du personnel")
    p.add_argument("login")
    _shared(p, "--keep-password")
    p = staff("disable", "désactiver un compte du personnel")
    p.add_argument("login")
    p = staff("enable", "réactiver un compte du personnel désactivé")
    p.add_argument("login")
    p = staff("unlock", "lever le verrouillage d'un compte (et ses échecs comptés)")
    p.add_argument("login")


def _add_others(command: _Command) -> None:
    """audit, config, backup."""
    p = command(
        "audit", "journal des actions (sans --school : tous, y compris ceux sans établissement)"
    )
    p.add_argument("--school", metavar="UAI")
    p.add_argument("--since", metavar="AAAA-MM-JJ")
    p.add_argument("--json", action="store_true")

    command("config", "afficher chaque réglage effectif, sa valeur et sa source")
    p = command(
        "backup",
        "copie cohérente de la base (SQLite : nouveau fichier en 0600 ; PostgreSQL : pg_dump -Fc)",
    )
    p.add_argument("path", type=Path, metavar="CHEMIN", help="fichier à créer (jamais remplacé)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar (docs/cli.md)."""
    parser = FrenchParser(
        prog="cyclades-tui",
        description="Comptes candidats CYCLADES et papillons de connexion.",
        epilog=SETTINGS_HELP,
    )
    _add_db(parser, top=True)
    parser.add_argument(
        "--demo", action="store_true", help="ouvrir l'interface sur la base de démonstration"
    )
    sub = parser.add_subparsers(dest="command", parser_class=FrenchParser)

    def command(name: str, help_text: str, parent: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_text, description=help_text)
        _add_db(p)
        return p

    command("init", "créer ou mettre à jour le schéma de la base")
    p = command("demo", "créer l'établissement de démonstration et ses candidats")
    p.add_argument("--candidates", type=int, default=300, metavar="N")
    p.add_argument("--seed", type=int, default=2026, metavar="S")
    p.add_argument(
        "--reset-password",
        action="store_true",
        help="donner un nouveau mot de passe au compte du personnel de démo",
    )
    for add in (_add_school, _add_import, _add_accounts, _add_documents, _add_staff, _add_others):
        add(command)
    return parser
