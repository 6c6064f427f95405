"""The memory a process may use: a cap set at start, and what is said when it is reached.

On an academy server every staff member of every school can start sessions; one file or one
input that makes a process grow would take the server's memory from everyone. Each process
caps its own address space (``memory_limit_mb``), so that a runaway allocation fails inside
that process with MemoryError, which the CLI and the TUI turn into ``OUT_OF_MEMORY``.
"""

from __future__ import annotations

import resource

OUT_OF_MEMORY = (
    "Mémoire épuisée : l'opération demandait plus que la limite de mémoire de la session "
    "(réglage memory_limit_mb) ; elle est abandonnée, rien n'a été enregistré. Vérifiez le "
    "fichier utilisé, ou demandez à l'administrateur d'augmenter la limite."
)
# Exit status after running out of memory (as for a refused operation).
EXIT_OUT_OF_MEMORY = 1


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` (never above a hard limit set by
    the system: it can only be lowered)."""
    wanted = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
