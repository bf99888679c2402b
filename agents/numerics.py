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


def portable() -> None:
    """Turn numpy's AVX-512 kernels off for this process and those it starts, if numpy has not
    loaded yet (on x86-64 only: elsewhere numpy would warn of targets it does not have)."""
    if "numpy" not in sys.modules and platform.machine().lower() in ("x86_64", "amd64"):
        os.environ.setdefault(VARIABLE, AVX512)


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


def warn_unless_portable() -> None:
    """Warn where a seed would give other numbers than on other machines (Python shows a warning
    once for each place it comes from)."""
    if not portable_here():
        warnings.warn(ADVICE, RuntimeWarning, stacklevel=3)
