"""``accounts …``: the candidates' accounts from the command line (one function per action)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from cyclades_tui.services import (
    account_exports,
    account_generation,
    account_regeneration,
    accounts,
    documents,
    slip_documents,
)
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.errors import ServiceError
from cyclades_tui.settings import Settings

from .output import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_REFUSED,
    check_out_dir,
    print_json,
    progress_printer,
    read_secret_lines,
)


def cmd_accounts(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    """accounts status | generate | regenerate | verify | ldap-sync | export | change-password."""
    return _ACTIONS[args.action](args, actor, settings)


def _status(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    st = account_generation.status(actor, args.school)
    if args.json:
        print_json(
            {
                "school": st.school.uai,
                "eligible": st.eligible,
                "with_account": st.with_account,
                "without_account": st.without_account,
            }
        )
        return EXIT_OK
    print(f"{st.school.name} ({st.school.uai})")
    print(f"  candidats éligibles : {st.eligible}")
    print(f"  avec compte : {st.with_account}")
    print(f"  sans compte : {st.without_account}")
    if st.eligible and not st.without_account:
        print(account_generation.ALL_GENERATED)
    return EXIT_OK


def _generate(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    out = check_out_dir(args.out)
    result = account_generation.generate(
        actor, args.school, progress=progress_printer(sys.stderr), settings=settings
    )
    return _run_result(actor, result, out, args.json)


def _regenerate(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    out = check_out_dir(args.out)
    result = account_regeneration.regenerate(
        actor, args.school, args.ine, args.state, settings=settings
    )
    return _run_result(actor, result, out, args.json)


def _verify(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    (password,) = read_secret_lines(1, ["Mot de passe : "])
    verdict = accounts.verify(args.login, password, settings=settings)
    if not verdict.ok:
        print("Identifiant ou mot de passe incorrect.", file=sys.stderr)
        return EXIT_REFUSED
    print(
        "Mot de passe correct."
        + (
            " Mot de passe provisoire : il doit être changé à la première connexion."
            if verdict.must_change
            else ""
        )
    )
    return EXIT_OK


def _ldap_sync(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    # ldap3 takes about 0.3 s to import: loaded for this command only, not for the TUI.
    from cyclades_tui.services import directory

    report = directory.ldap_sync(actor, settings, args.school, args.all, dry_run=args.dry_run)
    print(report.message)
    return EXIT_OK


def _export(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    exported = account_exports.export(
        actor,
        args.format,
        args.path,
        args.school,
        args.all,
        base_dn=args.base_dn,
        pwdreset=settings.ldap_pwdreset,
    )
    print(
        f"{exported.accounts} compte(s) de {exported.schools} établissement(s) écrit(s) "
        f"({args.format}, lisible par vous seul) : {exported.path}"
    )
    return EXIT_OK


def _change_password(args: argparse.Namespace, actor: Actor, settings: Settings) -> int:
    current, new = read_secret_lines(2, ["Mot de passe actuel : ", "Nouveau mot de passe : "])
    accounts.change_password(args.login, current, new, settings=settings)
    print("Mot de passe changé.")
    return EXIT_OK


_ACTIONS: dict[str, Callable[[argparse.Namespace, Actor, Settings], int]] = {
    "status": _status,
    "generate": _generate,
    "regenerate": _regenerate,
    "verify": _verify,
    "ldap-sync": _ldap_sync,
    "export": _export,
    "change-password": _change_password,
}


def _run_result(
    actor: Actor, result: slip_documents.RunResult, out: Path | None, as_json: bool
) -> int:
    """Print a generation's outcome (and write its documents into ``out``, if given)."""
    files, failure = _export_documents(actor, result, out)
    code = EXIT_BAD_INPUT if failure else EXIT_OK
    if failure:
        print(failure, file=sys.stderr)
    if as_json:
        print_json(
            {
                "run": result.run_id,
                "created": result.created,
                "documents": [
                    {
                        "id": d.id,
                        "title": d.title,
                        "layout": d.layout,
                        "slips": d.slips,
                        "size": d.size,
                    }
                    for d in result.documents
                ],
                "files": files,
            }
        )
        return code
    print(result.message)
    for d in result.documents:
        print(
            f"  document {d.id} : {d.title} ({d.layout} par page, {d.slips} papillon(s), "
            f"{d.size} octets)"
        )
    for f in files:
        print(f"  écrit : {f}")
    return code


def _export_documents(
    actor: Actor, result: slip_documents.RunResult, out: Path | None
) -> tuple[list[str], str | None]:
    """The files written into ``out`` (none without it), and what went wrong, if anything."""
    files: list[str] = []
    failure = None
    for d in result.documents:
        if out is None:
            break
        try:
            files.append(str(documents.export(actor, d.id, out / d.file_name)))
        except ServiceError as error:
            # The accounts and documents are committed: say so, and how to get the files.
            failure = (
                f"{error.message} Les documents sont enregistrés en base : "
                f"« cyclades-tui documents export ID CHEMIN »."
            )
    return files, failure
