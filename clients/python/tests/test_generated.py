"""The method layer is generated from protocol/openrpc.json and must not drift from it."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

from cxone_chat import AsyncClient, Client, ERRORS_BY_CODE

HERE = Path(__file__).resolve().parents[1]
OPENRPC = json.loads((HERE.parents[1] / "protocol" / "openrpc.json").read_text())


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).replace(".", "_").lower()


def test_the_generated_file_is_up_to_date() -> None:
    r = subprocess.run([sys.executable, str(HERE / "scripts" / "generate.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_every_method_and_error_of_the_document_is_there_with_its_docs() -> None:
    for m in OPENRPC["methods"]:
        for cls in (AsyncClient, Client):
            fn = getattr(cls, snake(m["name"]))
            assert (fn.__doc__ or "").startswith(m["summary"]), m["name"]
            params = inspect.signature(fn).parameters
            assert {snake(p["name"]) for p in m["params"]} == set(params) - {"self"}, m["name"]
            for p in m["params"]:
                default = params[snake(p["name"])].default
                assert (default is inspect.Parameter.empty) == bool(p.get("required")), (m["name"], p["name"])
    assert inspect.iscoroutinefunction(AsyncClient.thread_send)
    assert set(ERRORS_BY_CODE) == {e["code"] for e in OPENRPC["components"]["errors"].values()}
