"""zhixiao (质效): court trial-management and judicial data review."""

import os

# numpy's OpenBLAS starts a spinning thread per core when numpy is imported (~0.1 s of CPU taken from the other
# core); nothing here does heavy linear algebra. A value set by the user wins. (The import process also picks
# its Arrow allocator: ``zhixiao.ingest.split.import_process``.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
