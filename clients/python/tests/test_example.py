"""The kiosk example runs to the end against the real daemon and emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import Daemon, Emulator

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "kiosk.py"
SRC = Path(__file__).resolve().parents[1] / "src"


def test_the_kiosk_example_chats_with_the_agent_and_ends_the_contact(daemon: Daemon, emulator: Emulator) -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "Where is my order?", "--socket", daemon.socket,
         "--environment", json.dumps(emulator.environment())],
        capture_output=True, text=True, timeout=90, env={"PYTHONPATH": str(SRC)},
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "you: Where is my order?"
    assert "(you are number 1 in the queue)" in lines
    assert "(the agent is typing…)" in lines
    assert "Alex Agent: You said: Where is my order?" in lines
    assert lines[-1] == "(the conversation is closed)"
    assert lines.index("(you are number 1 in the queue)") < lines.index("Alex Agent: You said: Where is my order?")
