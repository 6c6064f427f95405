"""``import FILE``: candidates from a CSV file, or from a SIECLE export with its options."""

from __future__ import annotations

import argparse

from cyclades_tui.domain.safe_text import safe_text
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.errors import BadInput, OtherExamCandidates, PupilsWithoutIne
from cyclades_tui.services.siecle_import import SiecleReport, export_divisions, import_siecle
from cyclades_tui.settings import Settings

from .output import EXIT_OK


def cmd_import(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    """import FILE: a CSV file, else (.xml or .zip) a SIECLE export."""
    prefix = "Vérification seule : " if args.dry_run else ""
    limit = settings.max_candidates_per_school
    if args.file.suffix.lower() in (".xml", ".zip"):
        _check_siecle_options(args)
        siecle = _import_siecle(args, actor, limit)
        print(f"{prefix}{siecle.total} élève(s) : {siecle.summary()}.")
        _print_set_aside(siecle, args)
        return EXIT_OK
    _refuse_siecle_options(args)
    report = import_csv(actor, args.school, args.file, dry_run=args.dry_run, max_candidates=limit)
    print(
        f"{prefix}{report.total} ligne(s) : {report.added} ajoutée(s), "
        f"{report.updated} mise(s) à jour, {report.unchanged} inchangée(s)."
    )
    return EXIT_OK


def _refuse_siecle_options(args: argparse.Namespace) -> None:
    """A CSV file takes none of the SIECLE options: say so rather than ignore them."""
    if (
        args.exam
        or args.state
        or args.division
        or args.yes
        or args.all_divisions
        or args.other_exams
    ):
        raise BadInput(
            "--exam, --state, --division, --all-divisions, --other-exams et "
            "--yes ne valent que pour un export SIECLE (.xml ou .zip)."
        )


def _check_siecle_options(args: argparse.Namespace) -> None:
    """A SIECLE import needs its exam, its state, and the classes chosen."""
    if not args.exam or not args.state:
        raise BadInput(
            "Import SIECLE : --exam CODE et --state ETAT sont obligatoires "
            "(l'export ne dit rien des examens)."
        )
    if args.division and args.all_divisions:
        raise BadInput("Import SIECLE : --division et --all-divisions s'excluent.")
    if not args.division and not args.all_divisions:
        # Importing every class by default gave lycée pupils a DNB candidature: the
        # classes are chosen, never implied.
        found = ", ".join(d or "(sans division)" for d in export_divisions(args.file))
        raise BadInput(
            "Import SIECLE : choisissez les classes avec --division D [D …] ou "
            f"--all-divisions ; divisions de l'export : {found}."
        )


def _import_siecle(args: argparse.Namespace, actor: Actor, limit: int) -> SiecleReport:
    """The SIECLE import; what it asks to confirm is worded with this command's options."""
    try:
        return import_siecle(
            actor,
            args.school,
            args.file,
            args.exam,
            args.state,
            args.division,
            max_candidates=limit,
            skip_invalid_ine=args.yes,
            dry_run=args.dry_run,
            other_exams=args.other_exams,
        )
    except OtherExamCandidates as error:
        raise OtherExamCandidates(
            f"{len(error.pupils)} élève(s) déjà candidat(s) à un autre examen recevrai(en)t "
            f"une candidature {args.exam.upper()} : relancez avec --other-exams pour l'ajouter, "
            "rien n'a été importé.",
            error.pupils,
        ) from None
    except PupilsWithoutIne as error:
        # The service says what to confirm; how to confirm it on the command line is ours.
        raise PupilsWithoutIne(
            f"{len(error.pupils)} élève(s) sans INE valide ne peuvent pas être candidats : "
            "relancez avec --yes pour les ignorer, rien n'a été importé.",
            error.pupils,
        ) from None


def _print_set_aside(siecle: SiecleReport, args: argparse.Namespace) -> None:
    """The pupils the import left out or must be told about, each group with its reason."""
    if siecle.other_exams:
        _print_list(
            f"{len(siecle.other_exams)} élève(s) déjà candidat(s) à un autre examen"
            + (
                " (--other-exams requis pour les importer) :"
                if args.dry_run and not args.other_exams
                else " :"
            ),
            siecle.other_exams,
        )
    if siecle.skipped:
        _print_list(
            f"{len(siecle.skipped)} élève(s) ignoré(s) faute d'INE valide :", siecle.skipped
        )
    if siecle.left:
        _print_list(
            f"{len(siecle.left)} élève(s) sorti(s) de l'établissement avant l'export, "
            "laissé(s) de côté :",
            siecle.left,
        )


def _print_list(heading: str, lines: list[str]) -> None:
    """``heading``, then one pupil a line (a value's controls spelled out)."""
    print(heading)
    for line in lines:
        print(f"  - {safe_text(line)}")
