#!/usr/bin/env python3
"""Generates ``src/cxone_chat/_generated.py`` from the published API, ``protocol/openrpc.json``.

One method per API method (async and blocking), with the OpenRPC summary, description, params
and errors as its docstring, and one exception class per error of ``components.errors``.

    python3 scripts/generate.py          # rewrite the file
    python3 scripts/generate.py --check  # exit 1 if the committed file is stale (tests run this)
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OPENRPC = HERE.parents[2] / "protocol" / "openrpc.json"
TARGET = HERE.parent / "src" / "cxone_chat" / "_generated.py"


def snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).replace(".", "_").lower()
    return s + "_" if keyword.iskeyword(s) else s


def camel_class(kind: str) -> str:
    """The exception class of an error kind (``threadClosed`` → ``ThreadClosedError``)."""
    if kind == "timeout":  # not the builtin TimeoutError, which the client raises for its own
        return "OperationTimeoutError"
    name = kind[0].upper() + kind[1:]
    return name if name.endswith("Error") else name + "Error"


def py_type(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    if "$ref" in schema:
        target = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        if target.get("type") == "string" or "enum" in target or (
            "oneOf" in target and all("const" in o for o in target["oneOf"])
        ):
            return "str"
        if target.get("type") == "integer":
            return "int"
        return "dict[str, Any]"
    if "anyOf" in schema:
        parts = [py_type(s, schemas) for s in schema["anyOf"]]
        return " | ".join(dict.fromkeys(parts))
    t = schema.get("type")
    if isinstance(t, list):
        return " | ".join(py_type({**schema, "type": x}, schemas) for x in t)
    return {
        "string": "str",
        "integer": "int",
        "number": "float",
        "boolean": "bool",
        "null": "None",
        "array": f"list[{py_type(schema['items'], schemas)}]" if "items" in schema else "list[Any]",
        "object": "dict[str, Any]",
    }.get(t or "", "Any")


def docstring(method: dict[str, Any], indent: str) -> str:
    lines = [method.get("summary", "")]
    if method.get("description"):
        lines += ["", *textwrap.wrap(method["description"], 92)]
    if method["params"]:
        lines += ["", "Args:"]
        for p in method["params"]:
            desc = p.get("description", "")
            wrapped = textwrap.wrap(f"{snake(p['name'])}: {desc}", 88) or [snake(p["name"])]
            lines += ["    " + wrapped[0], *("        " + w for w in wrapped[1:])]
    if method.get("errors"):
        lines += ["", "Raises:"]
        for e in method["errors"]:
            kind = e["data"]["kind"]
            lines.append(f"    {camel_class(kind)}: {e['code']} {kind}.")
    body = "\n".join((indent + line).rstrip() for line in lines)
    return f'{indent}"""{body.lstrip()}\n{indent}"""\n'


def method_source(method: dict[str, Any], schemas: dict[str, Any], is_async: bool) -> str:
    name = snake(method["name"])
    params = sorted(method["params"], key=lambda p: not p.get("required", False))
    args = []
    for p in params:
        t = py_type(p["schema"], schemas)
        if p.get("required"):
            args.append(f"{snake(p['name'])}: {t}")
        else:
            opt = t if "None" in t.split(" | ") else f"{t} | None"
            args.append(f"{snake(p['name'])}: {opt} = None")
    result = method["result"]["schema"]
    rtype = py_type(result, schemas) if "$ref" not in result or "#/components" in result["$ref"] else "dict[str, Any]"
    parts = ["self", *(["*", *args] if args else [])]
    signature = ", ".join(parts)
    if len(signature) + len(name) + len(rtype) > 80:
        signature = "\n" + "".join(f"        {a},\n" for a in parts) + "    "
    mapping = ", ".join(f'"{p["name"]}": {snake(p["name"])}' for p in params)
    call = f'self._call("{method["name"]}", _params({{{mapping}}}))'
    if not params:
        call = f'self._call("{method["name"]}", {{}})'
    prefix, aw = ("async ", "await ") if is_async else ("", "")
    return (
        f"    {prefix}def {name}({signature}) -> {rtype}:\n"
        + docstring(method, "        ")
        + f"        return cast({rtype!r}, {aw}{call})\n"
    )


def generate(doc: dict[str, Any]) -> str:
    schemas = doc["components"]["schemas"]
    out = [
        '"""The API methods and error classes, generated from protocol/openrpc.json by',
        "scripts/generate.py. Do not edit: run the script (tests fail when this file is stale).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any, cast",
        "",
        "from .errors import RpcError",
        "",
        f'API_VERSION = "{doc["info"]["version"]}"',
        '"""The version of the OpenRPC document this module was generated from."""',
        "",
        "",
        "def _params(p: dict[str, Any]) -> dict[str, Any]:",
        '    """Leaves out the parameters that were not given."""',
        "    return {k: v for k, v in p.items() if v is not None}",
        "",
    ]
    errors = doc["components"]["errors"]
    for kind, e in sorted(errors.items(), key=lambda kv: kv[1]["code"]):
        out += [
            "",
            f"class {camel_class(kind)}(RpcError):",
            *docstring({"summary": f'{e["code"]} {kind}.', "description": e["message"], "params": []}, "    ").splitlines(),
            "",
        ]
    out += [
        "",
        "__all__ = [",
        *(f'    "{camel_class(kind)}",' for kind in sorted(errors)),
        "]",
        '"""The generated error classes (re-exported by the package)."""',
        "",
        "ERRORS_BY_CODE: dict[int, type[RpcError]] = {",
        *(
            f"    {e['code']}: {camel_class(kind)},"
            for kind, e in sorted(errors.items(), key=lambda kv: kv[1]["code"])
        ),
        "}",
        '"""The exception class for each error code of the API."""',
        "",
    ]
    for cls, is_async, doc_line in [
        ("AsyncMethods", True, "Every API method as a coroutine; AsyncClient provides _call."),
        ("SyncMethods", False, "Every API method, blocking; Client provides _call."),
    ]:
        out += ["", f"class {cls}:", f'    """{doc_line}"""', ""]
        prefix = "async " if is_async else ""
        out += [
            f"    {prefix}def _call(self, method: str, params: dict[str, Any]) -> Any:",
            "        raise NotImplementedError",
            "",
        ]
        for m in doc["methods"]:
            out.append(method_source(m, schemas, is_async))
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    text = generate(json.loads(OPENRPC.read_text()))
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(f"{TARGET} is stale: run python3 {Path(__file__).name} in {HERE}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
