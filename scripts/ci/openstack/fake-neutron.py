#!/usr/bin/python3
"""Neutron stand-in for a test stack with no networking: every list is empty, every item is missing.

Nova needs a `network` endpoint even for servers created with `"networks": "none"` (it lists ports and
security groups while showing and deleting servers). Listens on 127.0.0.1, port from argv[1] (9696).
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drain(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def do_GET(self):
        self._drain()
        path = self.path.split("?", 1)[0].rstrip("/")
        parts = [p for p in path.split("/") if p]
        if not parts:
            self._send(200, {"versions": [{"id": "v2.0", "status": "CURRENT", "links": []}]})
            return
        if parts[0] == "v2.0" and len(parts) == 2:
            collection = parts[1].removesuffix(".json").replace("-", "_")
            self._send(200, {collection: []})
            return
        self._send(404, {"NeutronError": {"type": "NotFound", "message": "not found", "detail": ""}})

    def do_POST(self):
        self._drain()
        self._send(404, {"NeutronError": {"type": "NotFound", "message": "not supported", "detail": ""}})

    do_PUT = do_POST

    def do_DELETE(self):
        self._drain()
        self._send(204, None)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
