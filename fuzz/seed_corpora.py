#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into a directory (default: ./seeds), from
../../shared/cxone/fixtures, ../../shared/cxone/websdk-traces, the JSON-RPC 2.0 specification's
examples and systemd/config.toml. The committed corpora (fuzz/corpus/) are these seeds
minimized with `cargo fuzz cmin`; see fuzz/README.md. Standard library only."""

import hashlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "cxone"
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "seeds"

# The JSON-RPC 2.0 specification's examples (https://www.jsonrpc.org/specification §7), and
# calls of this daemon's own API.
RPC_EXAMPLES = [
    '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
    '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}',
    '{"jsonrpc": "2.0", "method": "foobar"}',
    '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]',
    "[]",
    "[1]",
    "[1,2,3]",
    '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, '
    '{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}, '
    '{"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"}, {"foo": "boo"}, '
    '{"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"}, '
    '{"jsonrpc": "2.0", "method": "get_data", "id": "9"}]',
    '[{"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]}, '
    '{"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}]',
    '{"jsonrpc":"2.0","id":1,"method":"daemon.info"}',
    '{"jsonrpc":"2.0","id":"a","method":"thread.send","params":{"threadId":"t","text":"hi",'
    '"attachments":[{"path":"/tmp/x.png"},{"data":"aGk=","fileName":"a.txt","mimeType":"text/plain"}]}}',
    '{"jsonrpc":"2.0","id":null,"method":"events.poll","params":{"timeoutMs":10}}',
    '{"jsonrpc":"2.0","id":1.5e3,"method":"session.prepare","params":{"environment":{"chatUrl":"http://127.0.0.1:1/chat"}}}',
]

CONFIGS = [
    "",
    '[socket]\nmode = "0660"\nallowed_uids = [1000, 65534]\nallowed_gids = [1001]\nallowed_groups = ["chat"]\n',
    '[log]\nlevel = "info,cxone_chatd=debug"\nformat = "json"\n[limits]\nmax_line_length = 1024\n',
    '[oauth]\nclient_secret_file = "/etc/cxone-chatd/secret"\n[shutdown]\ndrain_timeout_ms = 5000\n',
    "[socket]\nunknown = 1\n",
    "[limits]\nmax_clients = -1\n",
]


def write(target: str, data: bytes) -> None:
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main() -> None:
    if not SHARED.is_dir():
        sys.exit(f"error: {SHARED} is missing; keep shared/ beside the checkout")
    docs = [p.read_bytes() for p in sorted((SHARED / "fixtures").rglob("*.json"))]
    frames, bodies = [], []
    for trace in sorted((SHARED / "websdk-traces").glob("*.jsonl")):
        for line in trace.read_text().splitlines():
            step = json.loads(line)
            for f in step.get("frames", []):
                if "json" in f:
                    frames.append(json.dumps(f["json"], separators=(",", ":")).encode())
            for h in step.get("http", []):
                body = h.get("responseBody")
                if body is not None:
                    text = body if isinstance(body, str) else json.dumps(body)
                    bodies.append(text.encode())
    for d in docs + frames:
        write("cxone_frame", d)
        write("cxone_document", d)
    for d in docs + bodies:
        write("rest_body", d)
    for r in RPC_EXAMPLES:
        write("rpc_envelope", r.encode())
    # ndjson_codec: byte 0 = line limit, byte 1 = chunk size, then the stream.
    stream = "\n".join(RPC_EXAMPLES[:4]).encode() + b"\r\n   \n" + b"x" * 300 + b"\n{}\n\xff\xfe\n"
    for limit, chunk in [(63, 15), (15, 0), (40, 3)]:
        write("ndjson_codec", bytes([limit, chunk]) + stream)
    for c in CONFIGS + [(REPO / "systemd" / "config.toml").read_text()]:
        write("config_toml", c.encode())


if __name__ == "__main__":
    main()
