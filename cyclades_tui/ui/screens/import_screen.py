"""What the two import screens (« Importer HORS BEE », « Importer mes élèves depuis la BEE »)
share: an import service run for the school under its candidate limit, its report handed
to the screen, a refusal's faults listed under the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cyclades_tui.services.errors import BadInput
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.workers import deliver

Report = TypeVar("Report")


class ImportScreen(ActivityScreen):
    """An activity that checks (dry run) then imports a file of pupils."""

    def run_service(
        self,
        service: Callable[..., Report],
        data: bytes,
        done: Callable[[Report], None],
        *choices: Any,
        **options: Any,
    ) -> None:
        """From a worker: ``service(actor, uai, data, *choices, **options)`` for this school,
        under its candidate limit; the report goes to ``done``, a refusal to ``_faults``."""
        try:
            report = service(
                self.session.actor,
                self.session.uai,
                data,
                *choices,
                max_candidates=self.ctx.settings.max_candidates_per_school,
                **options,
            )
        except BadInput as error:
            deliver(self, self._faults, error)
            return
        deliver(self, done, report)

    def _faults(self, error: BadInput) -> None:
        """Show why the file was refused (each screen lists its faults its own way)."""
        raise NotImplementedError
