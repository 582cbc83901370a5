"""xentropy.numeric.blocks shares the row blocks among threads and gives back what one thread would.

Whether the threads make the pass faster is measured by ``make bench``, never here.
"""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from xentropy.numeric import blocks

N, K = 1000, 8  # 8 bytes × K: blocks of 10 rows when BLOCK_BYTES is 640


@pytest.fixture
def shared(monkeypatch):
    """Blocks of 10 rows of an N × K matrix, shared among ``threads`` however small it is."""

    def among(threads):
        monkeypatch.setattr(blocks, "BLOCK_BYTES", 10 * 8 * K)
        monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
        monkeypatch.setattr(blocks, "WORKERS", threads)

    return among


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_the_results_come_back_in_the_order_of_the_blocks(shared, threads):
    shared(threads)

    def first_row(rows):
        time.sleep(0.001 * (rows.start % 3))  # finish out of order
        return rows.start

    assert blocks.map_row_blocks(first_row, N, K) == list(range(0, N, 10))


def test_the_blocks_are_shared_among_threads(shared):
    # Two blocks wait for each other: with one thread the barrier breaks, and so does the test.
    shared(2)
    meet = threading.Barrier(2, timeout=10)
    seen = set()

    def work(rows):
        if rows.start < 20:
            meet.wait()
        seen.add(threading.get_ident())
        return rows.start

    blocks.map_row_blocks(work, N, K)
    assert threading.get_ident() in seen  # the caller takes blocks too
    assert len(seen) == 2


def test_small_inputs_stay_in_the_calling_thread(monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 10 * 8 * K)
    monkeypatch.setattr(blocks, "WORKERS", 4)
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 8 * N * K + 1)
    threads = blocks.map_row_blocks(lambda rows: threading.get_ident(), N, K)
    assert set(threads) == {threading.get_ident()}


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_the_first_failing_block_in_order_is_the_one_reported(shared, threads):
    # Block 30 fails at once, block 20 only after a while: block 20's error must win.
    shared(threads)

    def work(rows):
        if rows.start == 200:
            time.sleep(0.05)
            raise ValueError("block 20")
        if rows.start >= 300 and rows.start % 100 == 0:
            raise ValueError(f"block {rows.start // 10}")
        return rows.start

    with pytest.raises(ValueError, match=r"^block 20$"):
        blocks.map_row_blocks(work, N, K)


def test_every_thread_runs_with_the_callers_floating_point_settings(shared):
    # NumPy keeps errstate in a context variable, which a new thread does not inherit.
    shared(2)
    meet = threading.Barrier(2, timeout=10)

    def settings(rows):
        if rows.start < 20:
            meet.wait()  # so that both threads take blocks
        return threading.get_ident(), np.geterr()["over"]

    for setting in ("raise", "ignore"):
        with np.errstate(over=setting):
            found = blocks.map_row_blocks(settings, N, K)
        assert len({thread for thread, _ in found}) == 2
        assert {over for _, over in found} == {setting}


def blas_threads():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_the_blas_is_held_to_one_thread_during_the_pass_and_restored_after(shared):
    shared(2)
    before = blas_threads()
    during = blocks.map_row_blocks(lambda rows: blas_threads(), N, K)
    assert all(threads == [1] * len(before) for threads in during)
    assert blas_threads() == before


def test_the_blas_is_restored_when_a_block_fails(shared):
    shared(2)
    before = blas_threads()

    def fail(rows):
        raise ValueError("bad block")

    with pytest.raises(ValueError, match="bad block"):
        blocks.map_row_blocks(fail, N, K)
    assert blas_threads() == before


def test_passes_from_several_threads_at_once_each_get_their_own_results(shared):
    shared(2)
    found = {}

    def one_pass(offset):
        found[offset] = blocks.map_row_blocks(lambda rows: rows.start + offset, N, K)

    callers = [threading.Thread(target=one_pass, args=(offset,)) for offset in (0, 1, 2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    for offset, starts in found.items():
        assert starts == [start + offset for start in range(0, N, 10)]


def test_workers_are_the_cores_this_process_may_use(monkeypatch):
    monkeypatch.setattr(blocks, "WORKERS", None)
    assert 1 <= blocks.workers() <= (os.cpu_count() or 1)
    monkeypatch.setattr(blocks, "WORKERS", 5)
    assert blocks.workers() == 5
