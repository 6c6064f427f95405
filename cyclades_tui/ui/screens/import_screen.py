"""What the two import screens (« Importer HORS BEE », « Importer mes élèves depuis la BEE »)
share: an import service run for the school under its candidate limit, its report handed
to the screen (a refusal's faults are listed by each screen's ``failure_responses()``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

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
        under its candidate limit; the report goes to ``done``. A refusal is raised: the
        screen's ``failure_responses()`` lists its faults."""
        report = service(
            self.session.actor,
            self.session.uai,
            data,
            *choices,
            max_candidates=self.ctx.settings.max_candidates_per_school,
            **options,
        )
        deliver(self, done, report)
