"""What the tests that start real servers share: a free port on 127.0.0.1 and the commands they need (``oxigraph``,
``dask``), found beside this Python first; a missing one skips the test, or fails it under CI."""
from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(name: str, what: str) -> str:
    """The path of the command ``name`` (in this Python's bin folder, else on PATH)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found:
        return found
    reason = f"the `{name}` {what} is not installed (pip install '.[test]')"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
