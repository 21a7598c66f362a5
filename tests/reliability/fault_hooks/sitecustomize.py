"""Test-only faults for an adue subprocess (put this folder on PYTHONPATH).

ADUE_TEST_FS_FAULT="ENOSPC:<folder>:<n>"  the (n+1)-th and later atomic replaces into
    <folder> fail with ENOSPC, as on a disk that filled up during a run;
ADUE_TEST_FS_FAULT="EROFS:<folder>"        creating or replacing any file in <folder>
    fails with EROFS, as in a read-only folder (root ignores chmod, so tests cannot
    rely on it);
ADUE_TEST_RAISE="<module>:<attribute>"     that callable raises a RuntimeError whose
    message carries $ADUE_ACCESS_TOKEN and a JWT-looking string (a crash report must
    not);
ADUE_TEST_RESOLVE="<host name>"            that name resolves to 127.0.0.1.
"""

from __future__ import annotations

import errno
import importlib
import os
from pathlib import Path
from typing import Any

_fault = os.environ.get("ADUE_TEST_FS_FAULT", "")
if _fault:
    _name, _folder, *_rest = _fault.split(":")
    _code = getattr(errno, _name)
    _root = Path(_folder).resolve()
    _allowed = int(_rest[0]) if _rest else 0
    _done = [0]

    def _inside(path: Any) -> bool:
        try:
            return Path(os.fsdecode(path)).resolve().parent == _root
        except (TypeError, ValueError):
            return False

    def _fail(path: Any) -> None:
        raise OSError(_code, os.strerror(_code), os.fsdecode(path))

    _real_replace = os.replace
    _real_open = os.open

    def _replace(src: Any, dst: Any, **kwargs: Any) -> None:
        if _inside(dst):
            if _done[0] >= _allowed:
                _fail(dst)
            _done[0] += 1
        _real_replace(src, dst, **kwargs)

    def _open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if _code == errno.EROFS and flags & os.O_CREAT and _inside(path):
            _fail(path)
        return _real_open(path, flags, *args, **kwargs)

    os.replace = _replace
    os.open = _open

_raise = os.environ.get("ADUE_TEST_RAISE", "")
if _raise:
    _module, _attribute = _raise.split(":")

    def _boom(*_args: Any, **_kwargs: Any) -> Any:
        token = os.environ.get("ADUE_ACCESS_TOKEN", "")
        raise RuntimeError(
            f"simulated bug; Authorization: Bearer {token} "
            "id_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"
        )

    setattr(importlib.import_module(_module), _attribute, _boom)

_resolve = os.environ.get("ADUE_TEST_RESOLVE", "")
if _resolve:
    # "<name>": that host name resolves to 127.0.0.1, as a server elsewhere would resolve
    # to its own address (tests cannot rely on DNS or on a second machine).
    import socket

    _real_getaddrinfo = socket.getaddrinfo

    def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, (str, bytes)) and os.fsdecode(host).lower() == _resolve.lower():
            host = "127.0.0.1"
        return _real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = _getaddrinfo
