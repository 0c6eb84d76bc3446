"""zhixiao (质效): court trial-management and judicial data review."""

import os

# Process-wide defaults, set before numpy and pyarrow load (a value the user set wins):
# - numpy's OpenBLAS starts a spinning thread per core on import (~0.1 s of CPU taken from the other core);
#   nothing here does heavy linear algebra.
# - Arrow's default allocator (mimalloc) hands memory back to the system eagerly; on this kind of machine
#   the page faults of re-touching it cost more system time than the work itself on a first pass
#   (a 1 M-row import: ~1.3 s vs ~0.25 s with jemalloc, see docs/NOTES.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")

__version__ = "0.1.0"
