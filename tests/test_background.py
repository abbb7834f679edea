"""The workbook writer beside the main process (model/background.py): its file is there when the
block ends, its error is raised in the main process, and it never outlives a failed block or
runs the main process's clean-up."""

import os
import signal
import sys
import time

import pytest

from model.background import Shared, beside

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the forked writer is Linux only")


def test_the_work_is_done_when_the_block_ends(tmp_path):
    path = tmp_path / "book.txt"
    with beside(lambda: path.write_text("written")):
        pass
    assert path.read_text() == "written"


def test_what_the_work_returns_is_had_in_the_main_process():
    with beside(lambda: {"drawn": [1, 2]}) as child:
        assert child.result() == {"drawn": [1, 2]}
        assert child.result() == {"drawn": [1, 2]}   # asked again: the same value, no second wait


def test_shared_items_are_taken_once_each_by_one_of_the_two_processes():
    def take(left):
        taken = []
        for item in left:
            taken.append(item)
            time.sleep(0.002)   # both processes are taking at once
        return taken

    with Shared(list(range(200))) as left, beside(lambda: take(left)) as child:
        mine = take(left)
        theirs = child.result()
    assert sorted(mine + theirs) == list(range(200))
    assert mine and theirs   # the work was shared


def test_shared_items_are_taken_in_the_order_given():
    with Shared([10, 0, 3]) as left:
        assert list(left) == [10, 0, 3]


def test_an_error_of_the_work_is_raised_in_the_main_process_and_only_there(tmp_path):
    clean_ups = tmp_path / "clean-ups.txt"

    def failing():
        raise ValueError("results.xlsx: disk full")

    with pytest.raises(ValueError, match="disk full"):
        try:
            with beside(failing):
                time.sleep(0.2)
        finally:   # the caller's clean-up (removing a staging folder) runs in the main process once
            with clean_ups.open("a") as file:
                file.write(f"{os.getpid()}\n")
    assert clean_ups.read_text().split() == [str(os.getpid())]


def test_an_error_that_cannot_be_pickled_arrives_as_its_words():
    class Odd(Exception):
        def __reduce__(self):
            raise TypeError("not picklable")

    def failing():
        raise Odd("strange")

    with pytest.raises(RuntimeError, match="Odd: strange"):
        with beside(failing):
            pass


class TwoParts(Exception):
    def __init__(self, where, why):
        super().__init__(f"{where}: {why}")


def test_an_error_that_cannot_be_rebuilt_arrives_as_its_words():
    def failing():
        raise TwoParts("outputs/base", "cannot be written here")

    # As its words; or as itself where a library has taught pickle to rebuild exceptions
    # without their __init__ (tblib, installed by dask.distributed once a sweep test ran).
    with pytest.raises((RuntimeError, TwoParts), match="outputs/base: cannot be written here"):
        with beside(failing):
            pass


def test_an_interrupted_writer_ends_at_once_and_the_main_process_says_so():
    with pytest.raises(RuntimeError, match="ended with status -2"):
        with beside(lambda: os.kill(os.getpid(), signal.SIGINT)):   # default handling: ended by SIGINT
            pass


def test_a_failed_block_stops_the_writer_before_the_error_goes_on(tmp_path):
    late = tmp_path / "late.txt"

    def slow():
        time.sleep(1.5)
        late.write_text("too late")

    with pytest.raises(KeyError):
        with beside(slow):
            raise KeyError("the charts failed")
    time.sleep(2)
    assert not late.exists()
