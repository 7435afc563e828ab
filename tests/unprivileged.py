"""Run `python -m MODULE ARGS...` without the privilege to read files whatever their permissions.

    python tests/unprivileged.py generator render ...

As root (CI runs the suite as root), a file with mode 000 can still be read:
the CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH capabilities bypass permission
bits. This drops both from the capability bounding set, so that the module,
started afresh by exec, runs as root with the permissions of the files' owner
and nothing more: an unreadable file or folder really is unreadable to it.
Other users run the module unchanged (the bits already apply to them).
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2


def drop_read_override() -> None:
    """Drop the capabilities that ignore permission bits from the bounding set (effective after exec)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"cannot drop capability {capability} (prctl PR_CAPBSET_DROP)")


if __name__ == "__main__":
    drop_read_override()
    os.execv(sys.executable, [sys.executable, "-m", *sys.argv[1:]])
