#!/usr/bin/env python3
"""A webhook receiver for taskbox's tests, on loopback, that checks every delivery with the
`standardwebhooks` library (so the signing format is verified by code written by others).

  receiver.py --ready-file F --log L

Writes the chosen port to F once listening. `POST /secrets/<name>` (body: the secret) and
`POST /behaviour/<name>` (body: ok | fail2 | fail | hang | redirect) configure a receiver name;
`POST /hooks/<name>` is a delivery: it is verified, logged as one JSON line in L, and answered
as the name's behaviour says (fail2: 500 to the first two attempts of each webhook-id).
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

lock = threading.Lock()
secrets = {}
behaviours = {}
seen = {}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--hang-seconds", type=float, default=20)
    args = parser.parse_args()
    log = open(args.log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def answer(self, status, location=None):
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[0] in ("secrets", "behaviour"):
                with lock:
                    (secrets if parts[0] == "secrets" else behaviours)[parts[1]] = body.decode()
                return self.answer(204)
            if len(parts) != 2 or parts[0] != "hooks":
                return self.answer(404)
            name = parts[1]
            received = time.time()
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                secret = secrets.get(name)
                behaviour = behaviours.get(name, "ok")
                key = (name, headers.get("webhook-id"))
                seen[key] = seen.get(key, 0) + 1
                count = seen[key]
            verified, error = False, None
            try:
                if secret is None:
                    raise ValueError("no secret registered for " + name)
                Webhook(secret).verify(body, headers)
                verified = True
            except Exception as e:  # noqa: BLE001 - any failure is what the test reports
                error = f"{type(e).__name__}: {e}"
            status = {"ok": 200, "fail": 503, "hang": 200, "redirect": 302}.get(behaviour, 200)
            if behaviour == "fail2":
                status = 500 if count <= 2 else 200
            record = {
                "name": name, "id": headers.get("webhook-id"), "timestamp": headers.get("webhook-timestamp"),
                "signature": headers.get("webhook-signature"), "verified": verified, "error": error,
                "status": 0 if behaviour == "hang" else status, "attempt": count, "received_at": received, "body": body.decode(),
            }
            with lock:
                log.write(json.dumps(record) + "\n")
            if behaviour == "hang":
                time.sleep(args.hang_seconds)
            self.answer(status, location="/hooks/" + name if status == 302 else None)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    with open(args.ready_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.ready_file + ".tmp", args.ready_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
