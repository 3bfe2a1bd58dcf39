"""The real binaries for the tests: the emulator on a free loopback port and the daemon on a
temporary socket. Their paths come from ``$CXONE_CHATD_BIN`` and ``$CXONE_EMULATOR_BIN``
(``.ci/run`` sets them from ``cargo metadata``), else from ``$CARGO_TARGET_DIR`` or the
workspace's ``target/debug`` (``cargo build -p cxone-chatd -p cxone-emulator`` first)."""

from __future__ import annotations

import os
import socket as socketlib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]


def binary(env: str, name: str) -> Path:
    if os.environ.get(env):
        path = Path(os.environ[env])
    else:
        target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        path = target / "debug" / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `cargo build -p cxone-chatd -p cxone-emulator` or set {env}")
    return path


class Emulator:
    def __init__(self, config: str | None, tmp: Path) -> None:
        args = [str(binary("CXONE_EMULATOR_BIN", "cxone-emulator")), "--listen", "127.0.0.1:0"]
        if config is not None:
            path = tmp / "emulator.toml"
            path.write_text(config)
            args += ["--config", str(path)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        assert first.startswith("listening on "), first
        self.base = first.removeprefix("listening on ")

    def environment(self) -> dict[str, Any]:
        """The ``environment`` param of ``session.prepare`` for this emulator."""
        return {"chatUrl": f"{self.base}/chat", "socketUrl": self.base.replace("http://", "ws://") + "/"}

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


class Daemon:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.socket = str(directory / "rpc.sock")
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(binary("CXONE_CHATD_BIN", "cxone-chatd")), "--socket", self.socket,
             "--state-dir", str(self.dir / "state")],
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socketlib.socket(socketlib.AF_UNIX) as s:
                    s.connect(self.socket)
                return
            except OSError:
                assert time.monotonic() < deadline, "the daemon did not start"
                time.sleep(0.02)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self.kill()
        self.start()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    e = Emulator(None, tmp_path)
    yield e
    e.stop()


@pytest.fixture
def daemon() -> Iterator[Daemon]:
    # Not tmp_path: a socket path must stay under 108 bytes, whatever the test's name.
    with tempfile.TemporaryDirectory(prefix="cxc-") as directory:
        d = Daemon(Path(directory))
        yield d
        d.kill()
