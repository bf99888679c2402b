"""The numbers a seed gives do not depend on the machine it runs on.

numpy picks its kernels by the CPU. On x86-64 machines with AVX-512 its vectorised float64 ``exp``
and ``log`` differ from the C library's in the last bit for a few values in a hundred, so the same
seed gave other ledgers there than on x86-64 machines without AVX-512. Those kernels are turned off
before numpy loads (``NPY_DISABLE_CPU_FEATURES``, which numpy reads once, at its import), in this
process and the ones it starts: every run then gets the C library's numbers. A value the user set
is kept. Nothing here imports numpy.
"""

from __future__ import annotations

import functools
import os
import platform
import sys
import warnings

VARIABLE = "NPY_DISABLE_CPU_FEATURES"
#: numpy's AVX-512 dispatch targets (its names since 2.4).
AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
#: OpenBLAS picks its kernels by the CPU too, and its dot products sum in another order on each
#: (a citizens' mean view, a consultation's audience: another ledger on an AVX-512 machine). One
#: kernel for every x86-64 machine that has AVX2 and FMA, which OpenBLAS reads once, at its load.
BLAS_VARIABLE = "OPENBLAS_CORETYPE"
BLAS_CORE = "Haswell"


def portable() -> None:
    """Turn numpy's AVX-512 kernels off, and give OpenBLAS one kernel, for this process and those it
    starts, if numpy has not loaded yet (on x86-64 only: elsewhere numpy would warn of targets it
    does not have, and OpenBLAS has other kernels)."""
    if "numpy" not in sys.modules and platform.machine().lower() in ("x86_64", "amd64"):
        os.environ.setdefault(VARIABLE, AVX512)
        if has_features("avx2", "fma"):
            os.environ.setdefault(BLAS_VARIABLE, BLAS_CORE)


def has_features(*flags: str) -> bool:
    """Whether the CPU has these features (Linux's ``/proc/cpuinfo``; elsewhere: not known, no)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(flags) <= set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return False


def as_c_library() -> bool:
    """Whether numpy's vectorised ``exp`` and ``log`` give the C library's numbers in this process."""
    import math

    import numpy as np

    x = np.linspace(0.01, 20.0, 2001)
    values = x.tolist()
    return np.exp(x).tolist() == [math.exp(v) for v in values] and np.log(x).tolist() == [
        math.log(v) for v in values
    ]


@functools.cache
def portable_here() -> bool:
    """:func:`as_c_library`, asked once a process."""
    return as_c_library()


#: What to do where numpy loaded with its AVX-512 kernels on.
ADVICE = (
    "numpy's AVX-512 kernels are on in this process (numpy loaded before parltwin, or "
    f"{VARIABLE} set otherwise): seeded runs give other numbers here than on other machines; "
    f"import parltwin first, or set {VARIABLE}='{AVX512}' before Python starts"
)


#: What to do where OpenBLAS loaded with a kernel of its own choice.
BLAS_ADVICE = (
    f"OpenBLAS runs a kernel of its own choice in this process (numpy loaded before parltwin, or "
    f"{BLAS_VARIABLE} set otherwise): seeded runs give other numbers here than on other machines; "
    f"import parltwin first, or set {BLAS_VARIABLE}={BLAS_CORE} before Python starts"
)


def warn_unless_portable() -> None:
    """Warn where a seed would give other numbers than on other machines (Python shows a warning
    once for each place it comes from)."""
    if not portable_here():
        warnings.warn(ADVICE, RuntimeWarning, stacklevel=3)
