"""natsraw.py: just enough of the NATS client protocol (Python stdlib only) to
read the JetStream stream EVENTS back for the chaos suite's checks: connect,
request/reply with pipelining, HMSG headers. Not a general client."""
import base64
import json
import socket
import time


class Nats:
    def __init__(self, url, timeout=10.0):
        hostport = url.split("://", 1)[-1]
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.buf = b""
        self._line()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,'
                          b'"no_responders":true,"name":"chaos-verify"}\r\nPING\r\n')
        while self._line() != b"PONG":
            pass
        self.inbox = "_INBOX.chaos%d" % int(time.time() * 1000)
        self.sock.sendall(("SUB %s.* 1\r\n" % self.inbox).encode())

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("nats closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _next_msg(self):
        """(subject, headers bytes, payload bytes) of the next MSG/HMSG."""
        while True:
            line = self._line()
            if line == b"PING":
                self.sock.sendall(b"PONG\r\n")
                continue
            if line.startswith(b"-ERR"):
                raise ConnectionError(line.decode(errors="replace"))
            parts = line.split()
            if not parts:
                continue
            if parts[0] == b"MSG":
                n = int(parts[-1])
                return parts[1].decode(), b"", self._take(n)
            if parts[0] == b"HMSG":
                hlen, tlen = int(parts[-2]), int(parts[-1])
                data = self._take(tlen)
                return parts[1].decode(), data[:hlen], data[hlen:]
            # +OK, PONG, INFO: ignore

    def requests(self, items):
        """items: list of (subject, payload bytes). Sends all (pipelined, in
        chunks) and returns the replies in the same order (bytes, or None for
        no responders)."""
        out = [None] * len(items)
        chunk = 256
        for base in range(0, len(items), chunk):
            part = items[base:base + chunk]
            wire = bytearray()
            for i, (subj, payload) in enumerate(part):
                wire += ("PUB %s %s.%d %d\r\n" % (subj, self.inbox, base + i, len(payload))).encode()
                wire += payload + b"\r\n"
            self.sock.sendall(bytes(wire))
            got = 0
            while got < len(part):
                subj, hdrs, payload = self._next_msg()
                idx = int(subj.rsplit(".", 1)[1])
                if b"503" in hdrs.split(b"\r\n", 1)[0]:
                    out[idx] = None
                else:
                    out[idx] = payload
                got += 1
        return out

    def request(self, subject, payload=b""):
        return self.requests([(subject, payload)])[0]


def parse_headers(raw):
    h = {}
    for line in raw.split(b"\r\n")[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            h[k.strip().decode().lower()] = v.strip().decode()
    return h


def read_stream(url, stream="EVENTS"):
    """Every message of the stream: list of dicts {seq, subject, msg_id, data}."""
    nc = Nats(url)
    try:
        info = json.loads(nc.request("$JS.API.STREAM.INFO." + stream) or b"{}")
        if "error" in info:
            raise RuntimeError("stream info: %s" % info["error"])
        state = info.get("state", {})
        first, last = state.get("first_seq", 0), state.get("last_seq", 0)
        seqs = list(range(first, last + 1)) if last >= first and last > 0 else []
        subj = "$JS.API.STREAM.MSG.GET." + stream
        replies = nc.requests([(subj, json.dumps({"seq": s}).encode()) for s in seqs])
        msgs = []
        for s, rep in zip(seqs, replies):
            if rep is None:
                continue
            doc = json.loads(rep)
            m = doc.get("message")
            if not m:
                continue  # deleted
            hdrs = parse_headers(base64.b64decode(m.get("hdrs", "") or b""))
            msgs.append({"seq": m.get("seq", s), "subject": m.get("subject", ""),
                         "msg_id": hdrs.get("nats-msg-id", ""),
                         "data": base64.b64decode(m.get("data", "") or b"")})
        return msgs
    finally:
        nc.close()
