"""The benchmarks' memory figure is the child's own peak, not inherited from a large parent."""

from zhixiao.bench._util import measure

MB = 2**20


def _allocate(n_mb: int) -> int:
    block = bytearray(n_mb * MB)
    block[::4096] = b"x" * len(block[::4096])  # touch every page so it is resident
    return len(block)


def test_child_peak_is_its_own_not_the_parents():
    # The parent holds ~400 MB resident when the child is spawned; ru_maxrss would report at least that much
    # for a child that allocates almost nothing (Linux keeps it across fork + exec).
    ballast = bytearray(400 * MB)
    ballast[::4096] = b"x" * len(ballast[::4096])
    _, small, _ = measure(_allocate, 1)
    _, large, n = measure(_allocate, 300)
    assert n == 300 * MB
    assert small < 200 * MB
    assert large > small + 250 * MB  # the 300 MB the child touched are seen
    del ballast
