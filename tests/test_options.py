"""spinpair.set_options: validated, process-wide, a context manager that restores; the BLAS
cap it sets; and only public APIs of other libraries anywhere in src/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import spinpair
from spinpair.errors import InputError

SRC = Path(spinpair.__file__).parent


def test_set_options_as_context_manager_restores_the_previous_values():
    before = spinpair.get_options()
    with spinpair.set_options(workers=0, blas_threads=2):
        assert spinpair.get_options()["workers"] == 0
        assert spinpair.get_options()["blas_threads"] == 2
        with spinpair.set_options(workers=3):
            assert spinpair.get_options()["workers"] == 3
        assert spinpair.get_options()["workers"] == 0
    assert spinpair.get_options() == before


def test_set_options_restores_after_an_exception():
    before = spinpair.get_options()
    with pytest.raises(RuntimeError), spinpair.set_options(debug=True):
        assert spinpair.get_options()["debug"] is True
        raise RuntimeError("boom")
    assert spinpair.get_options() == before


def test_set_options_as_a_function_lasts_until_changed_back():
    before = spinpair.get_options()["workers"]
    try:
        spinpair.set_options(workers=1)
        assert spinpair.get_options()["workers"] == 1
    finally:
        spinpair.set_options(workers=before)
    assert spinpair.get_options()["workers"] == before


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("blas_threads", 0, "integer ≥ 1"),
        ("blas_threads", 1.5, "integer ≥ 1"),
        ("blas_threads", True, "integer ≥ 1"),
        ("workers", -1, "integer ≥ 0"),
        ("workers", "2", "integer ≥ 0"),
        ("debug", 1, "True or False"),
    ],
)
def test_bad_option_values_name_the_option_and_change_nothing(name, value, allowed):
    before = spinpair.get_options()
    with pytest.raises(InputError, match=name) as err:
        spinpair.set_options(**{"debug": True, name: value})  # a good one with it
    assert allowed in str(err.value)
    assert spinpair.get_options() == before


def test_unknown_option_is_rejected_with_the_allowed_names():
    with pytest.raises(InputError, match="blas_threads, debug, workers"):
        spinpair.set_options(threads=2)


def test_blas_cap_follows_the_option():
    """The engine's decorated entry points cap BLAS at the option's value (threadpoolctl
    reports it inside), and with None run uncapped."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from spinpair._threads import current_limit, single_thread

    @single_thread
    def inside():
        # BLAS pools only: an OpenMP pool (finufft's, once the secular model has run in
        # this process) is not what the option caps
        info = threadpoolctl.threadpool_info()
        blas = [d["num_threads"] for d in info if d["user_api"] == "blas"]
        return current_limit(), blas

    limit, blas = inside()
    assert limit == 1 and blas and set(blas) == {1}
    with spinpair.set_options(blas_threads=None):
        assert inside()[0] is None


def test_the_command_line_caps_blas_once_at_start():
    """`spinpair` caps its BLAS at the option's value for the whole process, also the
    scipy BLAS loaded later (through the thread variables)."""
    code = (
        "import sys\n"
        "from spinpair._threads import cap_process\n"
        "cap_process()\n"
        "import scipy.linalg\n"
        "from threadpoolctl import threadpool_info\n"
        "print(sorted({d['num_threads'] for d in threadpool_info()"
        " if d['user_api'] == 'blas'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[1]"


#: Private names of other libraries that src/ must not use: multiprocessing's forkserver
#: internals and executor state, matplotlib's mathtext cache, fontTools' loader swap.
PRIVATE = {
    "_preload_modules": r"_preload_modules",
    "_forkserver": r"\b_forkserver",
    "._processes": r"\._processes\b",
    "_stop(": r"\b_stop\(",
    "_parse_cached": r"_parse_cached",
    "subset.load_font swap": r"subset\.load_font\s*=|setattr\(\s*subset",
    "set_forkserver_preload": r"set_forkserver_preload",
}


def test_src_uses_no_private_names_of_other_libraries():
    """No module of spinpair reads or writes multiprocessing's forkserver internals or
    an executor's process table, nor swaps matplotlib/fontTools functions."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name, pattern in PRIVATE.items():
            for m in re.finditer(pattern, text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(SRC)}:{line}: {name}")
    assert found == []


def test_the_private_name_check_finds_what_it_looks_for():
    """The patterns above match the uses they forbid (so the check above can fail)."""
    samples = {
        "_preload_modules": "getattr(forkserver._forkserver, '_preload_modules', [])",
        "_forkserver": "pid = forkserver._forkserver._forkserver_pid",
        "._processes": "executor._processes.values()",
        "_stop(": "server._stop()",
        "_parse_cached": 'MathTextParser.__dict__["_parse_cached"]',
        "subset.load_font swap": "subset.load_font = lean",
        "set_forkserver_preload": "ctx.set_forkserver_preload(['x'])",
    }
    for name, text in samples.items():
        assert re.search(PRIVATE[name], text), name


def test_blas_cap_restores_the_pools_it_changed():
    """A cap inside pools set to 2 threads sets them to 1 and gives 2 back on exit."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from spinpair._threads import blas_threads

    def blas():
        return {
            d["num_threads"] for d in threadpoolctl.threadpool_info() if d["user_api"] == "blas"
        }

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        with blas_threads(1):
            assert blas() == {1}
            with blas_threads(1):  # nested, equal: nothing changes
                assert blas() == {1}
            assert blas() == {1}
        assert blas() == {2}
