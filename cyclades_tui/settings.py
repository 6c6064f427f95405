"""Settings read from the environment, with the defaults the README explains."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cyclades_tui.domain.passwords import CHOSEN_COST, PROVISIONAL_COST


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(
            f"Réglage {name} invalide : « {raw} » n'est pas un nombre entier."
        ) from None


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """Tunable values; every field has an environment variable ``CYCLADES_<FIELD>``."""

    provisional_cost: int = PROVISIONAL_COST
    chosen_cost: int = CHOSEN_COST
    site_url: str = "https://exacyc.orion.education.fr/cyccandidat/"
    workers: int = field(default_factory=_default_workers)
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    cursor_blink: bool = False


def load_settings() -> Settings:
    """Settings from the environment, falling back on the defaults."""
    base = Settings()
    return Settings(
        provisional_cost=_int_env("CYCLADES_PROVISIONAL_COST", base.provisional_cost),
        chosen_cost=_int_env("CYCLADES_CHOSEN_COST", base.chosen_cost),
        site_url=os.environ.get("CYCLADES_SITE_URL", "").strip() or base.site_url,
        workers=max(1, _int_env("CYCLADES_WORKERS", base.workers)),
        lockout_attempts=_int_env("CYCLADES_LOCKOUT_ATTEMPTS", base.lockout_attempts),
        lockout_minutes=_int_env("CYCLADES_LOCKOUT_MINUTES", base.lockout_minutes),
        cursor_blink=os.environ.get("CYCLADES_CURSOR_BLINK", "").strip().lower()
        in ("1", "true", "yes", "oui", "on"),
    )
