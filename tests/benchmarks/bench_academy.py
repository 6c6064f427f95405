"""Benchmark: one school's screens and commands in an academy of 200 schools on PostgreSQL.

    python tests/benchmarks/bench_academy.py [--db postgresql://…/test] [--schools 200]
        [--per-school 1500] [--json]

Builds two fresh PostgreSQL schemas: one with a single school, one with ``--schools``
schools of ``--per-school`` candidates each (300,000 by default), with accounts, stored
documents, slips and audit events. Then times, for one school, what its screens and
commands do (median of several runs) in both, and prints the ratio: with the indexes on
what is filtered, the academy should cost the same as the lone school.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date

import peewee

from cyclades_tui.domain.identifiers import check_letter
from cyclades_tui.domain.passwords import hash_password
from cyclades_tui.pdf import DocumentInfo, SlipData, render_slips
from cyclades_tui.services import (
    account_generation,
    account_regeneration,
    audit,
    candidates,
    documents,
)
from cyclades_tui.services.actor import operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.db_session import connect
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import (
    Account,
    AuditEvent,
    Candidate,
    Candidature,
    Document,
    Run,
    School,
    Slip,
)

CHUNK = 2000


def ine(number: int) -> str:
    digits = f"{number:010d}"
    return digits + check_letter(digits)


def school_uai(index: int) -> str:
    digits = f"{index + 100000:07d}"
    return digits + check_letter(digits)


def seed(count: int, per_school: int) -> None:
    """Schools, candidates (80 % with an account), one stored document each, audit events."""
    dummy_hash = hash_password("Bench-mark1!", 4)
    pdf = render_slips(
        [
            SlipData(
                login="prenom.nom",
                password="Ab3$Ab3$Ab",
                family_name="Nom",
                usage_name="",
                first_name="Prénom",
                ine=ine(1),
                exam_code="DNB",
                exam_label="Diplôme national du brevet",
                division="3A",
            )
        ],
        DocumentInfo("Papillon de connexion", "Lycée", "0000000A", "https://x/"),
        1,
    )
    db = School._meta.database
    for s in range(count):
        with db.atomic():
            school = School.create(uai=school_uai(s), name=f"Lycée {s}", service_enabled=True)
            base = s * per_school
            Candidate.insert_many(
                [
                    {
                        "school": school.id,
                        "ine": ine(base + i),
                        "family_name": f"Nom{i % 300}",
                        "first_name": f"Prénom{i % 97}",
                        "birth_date": date(2010, 1, 1),
                        "division": f"3{chr(65 + i % 8)}",
                    }
                    for i in range(per_school)
                ]
            ).execute()
            ids = [
                row[0]
                for row in Candidate.select(Candidate.id)
                .where(Candidate.school == school)
                .order_by(Candidate.id)
                .tuples()
            ]
            for start in range(0, len(ids), CHUNK):
                Candidature.insert_many(
                    [
                        {"candidate": cid, "school": school.id, "exam": "DNB", "state": "Inscrit"}
                        for cid in ids[start : start + CHUNK]
                    ]
                ).execute()
            with_account = ids[: per_school * 4 // 5]
            for start in range(0, len(with_account), CHUNK):
                Account.insert_many(
                    [
                        {
                            "candidate": cid,
                            "login": f"eleve{s}.{n}",
                            "login_base": f"eleve{s}.{n}",
                            "password_hash": dummy_hash,
                        }
                        for n, cid in enumerate(with_account[start : start + CHUNK], start)
                    ]
                ).execute()
            run = Run.create(
                school=school, kind="generate", created_by="bench", accounts=len(with_account)
            )
            document = Document.create(
                school=school,
                run=run,
                title="Papillons de connexion",
                layout=1,
                slips=len(with_account),
                size=len(pdf),
                created_by="bench",
                data=pdf,
            )
            account_ids = [
                row[0]
                for row in Account.select(Account.id)
                .join(Candidate)
                .where(Candidate.school == school)
                .tuples()
            ]
            for start in range(0, len(account_ids), CHUNK):
                Slip.insert_many(
                    [
                        {"document": document.id, "account": aid, "password_version": 1}
                        for aid in account_ids[start : start + CHUNK]
                    ]
                ).execute()
            AuditEvent.insert_many(
                [
                    {
                        "actor": "bench",
                        "school": school.id,
                        "action": "login",
                        "detail": "connexion",
                    }
                    for _ in range(20)
                ]
            ).execute()
    db.execute_sql("ANALYZE")


def median_seconds(action: Callable[[], object], runs: int = 5) -> float:
    """Median wall time of ``action`` over ``runs`` runs (after one warm-up)."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(per_school: int) -> dict[str, float]:
    """Time one school's operations (the last school seeded)."""
    op = operator()
    school = School.select().order_by(School.id.desc()).get()
    uai = school.uai
    some_ine = (
        Candidate.select(Candidate.ine).join(Account).where(Candidate.school == school).first().ine
    )
    document_id = Document.select(Document.id).where(Document.school == school).get().id
    figures = {
        "status": median_seconds(lambda: account_generation.status(op, uai)),
        "pending (Générer)": median_seconds(lambda: account_generation.pending_candidates(op, uai)),
        "Mes candidats": median_seconds(lambda: candidates.list_candidates(op, uai)),
        "compte rendu (page)": median_seconds(
            lambda: (documents.count_documents(op, uai), documents.list_documents(op, uai, 0, 10))
        ),
        "recherche INE": median_seconds(
            lambda: account_regeneration.find_for_regeneration(op, uai, some_ine)
        ),
        "slips of a document": median_seconds(lambda: documents.preview(op, document_id)),
        "journal": median_seconds(lambda: audit.for_school(op, uai)),
    }
    rows = [f"{ine(10**9 + n)};Tard;;Élève{n};;02/02/2010;3A;DNB;Inscrit" for n in range(10)]
    header = "INE;Nom;Nom d'usage;Prénom;Autres prénoms;Date de naissance;Division;Examen;Etat"
    import_csv(op, uai, ("\n".join([header, *rows]) + "\n").encode())
    start = time.perf_counter()
    account_generation.generate(op, uai, settings=Settings(provisional_cost=4))
    figures["generate 10 (cost 4)"] = time.perf_counter() - start
    return figures


def in_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def main() -> int:
    """Seed both databases, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--per-school", type=int, default=1500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    admin = peewee.PostgresqlDatabase(
        args.db.rsplit("/", 1)[1].split("?")[0], user="postgres", host="127.0.0.1", port=5432
    )
    results: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    for label, count in (("1 établissement", 1), (f"{args.schools} établissements", args.schools)):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin.execute_sql(f'CREATE SCHEMA "{schema}"')
        try:
            connect(in_schema(args.db, schema))
            start = time.perf_counter()
            seed(count, args.per_school)
            seconds[label] = time.perf_counter() - start
            results[label] = measure(args.per_school)
            School._meta.database.close()
        finally:
            admin.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
    one, many = results.values()
    if args.json:
        print(
            json.dumps(
                {
                    "per_school": args.per_school,
                    "schools": args.schools,
                    "seed_seconds": seconds,
                    "results": results,
                },
                indent=2,
            )
        )
        return 0
    print(
        f"{args.schools} établissements x {args.per_school} candidats "
        f"(remplissage : {seconds[f'{args.schools} établissements']:.0f} s)"
    )
    print(
        f"{'opération pour un établissement':<28} {'1 étab.':>10} "
        f"{f'{args.schools} étab.':>10} {'ratio':>7}"
    )
    for name in one:
        print(
            f"{name:<28} {one[name] * 1000:>8.1f}ms {many[name] * 1000:>8.1f}ms "
            f"{many[name] / one[name]:>7.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
