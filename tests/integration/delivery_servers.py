#!/usr/bin/python3
# delivery_servers.py: the servers the delivery transport suite sends to: a
# real SMTP server (Debian's python3-aiosmtpd) that requires STARTTLS and
# AUTH LOGIN/PLAIN with one user, and an HTTP endpoint that takes SMS as JSON
# and answers 503 to its first --sms-fail requests (to exercise retries),
# 400 to any number ending in 0400, 503 to any ending in 0503, and 503 to
# all while DIR/sms-down exists.
# Each accepted email is written to DIR/mail-<n>.eml (with X-Envelope-To
# and X-Auth-User lines first), each SMS to DIR/sms-<n>.json with its
# headers. The chosen ports go to DIR/ports as "smtp <port>\nsms <port>\n"
# once both listen. Runs until killed.
import argparse
import json
import os
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

p = argparse.ArgumentParser()
p.add_argument("--dir", required=True)
p.add_argument("--cert", required=True)
p.add_argument("--key", required=True)
p.add_argument("--user", required=True)
p.add_argument("--password", required=True)
p.add_argument("--sms-fail", type=int, default=0)
a = p.parse_args()
os.makedirs(a.dir, exist_ok=True)
lock = threading.Lock()
count = {"mail": 0, "sms": 0, "sms_seen": 0}


def next_name(kind, ext):
    with lock:
        count[kind] += 1
        return os.path.join(a.dir, "%s-%d.%s" % (kind, count[kind], ext))


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        head = "X-Envelope-To: %s\r\nX-Auth-User: %s\r\nX-Mail-From: %s\r\n" % (
            ",".join(envelope.rcpt_tos),
            (session.auth_data.login.decode() if session.auth_data else ""),
            envelope.mail_from,
        )
        write(next_name("mail", "eml"), head.encode() + envelope.original_content)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == a.user
        and auth_data.password.decode() == a.password
    )
    return AuthResult(success=ok, auth_data=auth_data)


def free_port():
    # aiosmtpd's Controller cannot listen on port 0 (it connects to itself
    # to check), so ask the kernel for a free port first
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(a.cert, a.key)
smtp = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=free_port(),
    tls_context=ctx,
    require_starttls=True,
    authenticator=authenticator,
    auth_required=True,
)
smtp.start()
smtp_port = smtp.port


class Sms(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with lock:
            count["sms_seen"] += 1
            seen = count["sms_seen"]
        to = json.loads(body).get("to", "")
        if to.endswith("0400"):  # refused for good
            self.send_response(400)
            self.end_headers()
            return
        down = os.path.exists(os.path.join(a.dir, "sms-down"))  # down while the file is there
        if seen <= a.sms_fail or to.endswith("0503") or down:  # down for now / for ever
            self.send_response(503)
            self.end_headers()
            return
        doc = {
            "body": json.loads(body),
            "authorization": self.headers.get("Authorization", ""),
            "idempotency-key": self.headers.get("Idempotency-Key", ""),
            "attempt": seen,
        }
        write(next_name("sms", "json"), json.dumps(doc).encode())
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


http = ThreadingHTTPServer(("127.0.0.1", 0), Sms)
threading.Thread(target=http.serve_forever, daemon=True).start()
write(
    os.path.join(a.dir, "ports"),
    ("smtp %d\nsms %d\n" % (smtp_port, http.server_address[1])).encode(),
)
while True:
    time.sleep(3600)
