"""The memory a process may use: a cap set at start, and what is said when it is reached.

On an academy server every staff member of every school can start sessions; one file or one
input that makes a process grow would take the server's memory from everyone. Each process
caps its own address space (``memory_limit_mb``), so that a runaway allocation fails inside
that process with MemoryError, which the CLI and the TUI turn into ``OUT_OF_MEMORY``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import threading

OUT_OF_MEMORY = (
    "Mémoire épuisée : l'opération demandait plus que la limite de mémoire de la session "
    "(réglage memory_limit_mb) ; elle est abandonnée, rien n'a été enregistré. Vérifiez le "
    "fichier utilisé, ou demandez à l'administrateur d'augmenter la limite."
)
# Exit status after running out of memory (as for a refused operation).
EXIT_OUT_OF_MEMORY = 1


# glibc's mallopt parameter for the number of malloc arenas.
_M_ARENA_MAX = -8
# Each thread's stack (glibc reserves 8 MB by default).
THREAD_STACK = 2 * 1024 * 1024  # as CPython itself uses where the default is small (musl)


def _fit_threads_in_the_cap() -> None:
    """Make each thread reserve little address space, so that many hashing threads (the
    ``workers`` setting, one a processor) still start under the cap.

    RLIMIT_AS counts what is reserved, not what is used: glibc gives each thread its own
    64 MB malloc arena and an 8 MB stack, so 32 threads would reserve 2.3 GB and fail to
    start (« can't start new thread ») under a 1 GB cap.
    """
    threading.stack_size(THREAD_STACK)
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(_M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc: its allocator reserves as it likes
        return


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` (never above a hard limit set by
    the system: it can only be lowered)."""
    _fit_threads_in_the_cap()
    wanted = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
