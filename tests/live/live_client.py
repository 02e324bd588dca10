"""GET /v1/live with a real WebSocket client (websockets, from PyPI), against a gateway of the
integration suite's stack. Run by tests/integration/live_test.cpp through tests/support/python.sh:

    live_client.py --port P --secret S [--dispatcher] [--queue-limit BYTES]

Each check prints its name; any failure raises, and the exit status is 1.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import socket
import struct
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

ARGS = None
RECV_TIMEOUT = 30


# ---- HTTP and tokens -------------------------------------------------------------------------

def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token(user_id: str) -> str:
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"sub": user_id, "role": "user", "iat": now, "exp": now + 3600}).encode())
    signature = hmac.new(ARGS.secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64url(signature)}"


def http(method, path, user=None, body=None, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{ARGS.port}{path}", method=method)
    if user:
        request.add_header("Authorization", "Bearer " + user.token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class User:
    def __init__(self, name, settings=None):
        self.id = str(uuid.uuid4())
        self.token = token(self.id)
        body = {"display_name": name}
        if settings:
            body["settings"] = settings
        status, reply = http("POST", "/v1/users", self, body)
        assert status == 201, (status, reply)
        status, reply = http("POST", "/v1/chats", self, {"title": "Coach"})
        assert status == 201, (status, reply)
        self.chat = reply["id"]

    def post(self, content, wait=False):
        headers = {} if wait else {"Prefer": "respond-async"}
        status, reply = http("POST", f"/v1/chats/{self.chat}/messages", self, {"content": content}, headers)
        assert status in (201, 202), (status, reply)
        return reply


def live_url(user=None, resume=None, query_token=True):
    url = f"ws://127.0.0.1:{ARGS.port}/v1/live"
    params = []
    if user and query_token:
        params.append("access_token=" + user.token)
    if resume is not None:
        params.append("resume=" + resume)
    return url + ("?" + "&".join(params) if params else "")


def receive(ws):
    frame = json.loads(ws.recv(timeout=RECV_TIMEOUT))
    assert frame["type"] in ("ready", "fact"), frame
    return frame


def message_contents(frame):
    return [e["data"]["content"] for e in frame["events"] if e["type"] == "message.posted"]


def expect_contents(ws, expected):
    """Receives frames until `expected` message contents have arrived; they must come in order and
    nothing else may arrive in between."""
    got, last = [], None
    while len(got) < len(expected):
        frame = receive(ws)
        assert frame["type"] == "fact", frame
        got.extend(message_contents(frame))
        last = frame
    assert got == expected, f"expected {expected}, got {got}"
    return last


def expect_silence(ws, seconds=1.0):
    try:
        frame = ws.recv(timeout=seconds)
    except TimeoutError:
        return
    raise AssertionError(f"expected no frame, got {frame}")


def connect_unbounded(url):
    """A connection that buffers any number of unread frames: the client's flow control (pausing
    reads past max_queue) would otherwise hold its close handshake up until close_timeout when a
    check drops a connection with frames unread."""
    return connect(url, max_queue=None)


def refused(url, headers=None):
    """The status and JSON body of a refused handshake."""
    try:
        with connect(url, additional_headers=headers or {}, open_timeout=10):
            pass
    except InvalidStatus as e:
        return e.response.status_code, json.loads(e.response.body or b"null")
    raise AssertionError(f"handshake to {url} was accepted")


# ---- checks ----------------------------------------------------------------------------------

def wait_for_feed():
    """The gateway answers 503 live_unavailable until its tail of the facts topic runs."""
    user = User("Probe")
    deadline = time.monotonic() + 60
    while True:
        try:
            with connect(live_url(user), open_timeout=10) as ws:
                receive(ws)
                return
        except InvalidStatus as e:
            if e.response.status_code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def check_refusals():
    ann = User("Ann")
    # Not a WebSocket handshake: a JSON error, not a hang or a 5xx.
    status, reply = http("GET", "/v1/live", ann)
    assert status == 400 and reply["error"]["code"] == "websocket_upgrade_required", (status, reply)
    status, reply = refused(live_url())
    assert status == 401 and reply["error"]["code"] == "missing_token", (status, reply)
    bad = User("Mallory").token[:-2] + "xx"
    status, reply = refused(f"ws://127.0.0.1:{ARGS.port}/v1/live?access_token={bad}")
    assert status == 401 and reply["error"]["code"] == "invalid_token", (status, reply)
    with connect(live_url(ann)) as ws:
        ready = receive(ws)
    partition, offset, origin = (int(x) for x in ready["position"].split(":"))
    cases = ["x", "1:2", "1:2:3:4", "-1:0:0", "01:0:0", "0:-2:0", f"{partition}:a:0", "9" * 30 + ":0:0",
             f"{partition + 1}:0:0", f"{partition}:{offset + 1000000}:0"]
    for resume in cases:
        status, reply = refused(live_url(ann, resume))
        assert status == 400, (resume, status, reply)
        assert reply["error"]["code"] == "invalid_resume_position", (resume, reply)
        assert reply["error"]["field"] == "resume", (resume, reply)
    # Generated garbage: never accepted, never a 5xx.
    rng = random.Random(7)
    alphabet = "0123456789:-+ ab%"
    for _ in range(40):
        resume = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        if resume.count(":") == 2 and all(p.lstrip("-").isdigit() for p in resume.split(":")):
            continue  # could be a valid position
        status, reply = refused(live_url(ann, urllib.request.quote(resume)))
        assert status == 400, (resume, status, reply)


def check_live_messages():
    ann, bob = User("Ann"), User("Bob")
    # One connection authenticates with the query, the other with the header.
    with connect(live_url(ann)) as ws, connect(live_url(bob, query_token=False),
                                               additional_headers={"Authorization": "Bearer " + bob.token}) as wb:
        assert receive(ws)["type"] == "ready"
        assert receive(wb)["type"] == "ready"
        for i in range(5):
            ann.post(f"ann {i}")
            bob.post(f"bob {i}")
        frame = expect_contents(ws, [f"ann {i}" for i in range(5)])
        expect_contents(wb, [f"bob {i}" for i in range(5)])
        event = frame["events"][0]
        assert frame["resource"]["type"] == "message", frame
        assert frame["resource"]["state"]["content"] == "ann 4", frame
        assert event["applied"]["resource_id"] == frame["resource"]["id"], frame
        expect_silence(ws, 0.5)
        # A message posted with read-your-writes (201) arrives too, with the same id.
        reply = ann.post("ann sync", wait=True)
        frame = expect_contents(ws, ["ann sync"])
        assert frame["resource"]["id"] == reply["id"], (frame, reply)


def check_resume():
    ann = User("Ann")
    sent = [f"note {i}" for i in range(30)]
    with connect_unbounded(live_url(ann)) as ws:
        ready = receive(ws)
        for text in sent[:10]:
            ann.post(text)
        frames = []
        while sum(len(message_contents(f)) for f in frames) < 4:
            frames.append(receive(ws))
        kept = [c for f in frames for c in message_contents(f)]
        position = frames[-1]["position"]
    # Disconnected: more happens.
    for text in sent[10:20]:
        ann.post(text)
    with connect_unbounded(live_url(ann, position)) as ws:
        assert receive(ws) == {"type": "ready", "position": position}
        expect_contents(ws, sent[len(kept):20])
        ann.post(sent[20])
        last = expect_contents(ws, [sent[20]])
        expect_silence(ws, 0.5)
    # Resuming from the first connection's ready position replays everything from the start.
    with connect_unbounded(live_url(ann, ready["position"])) as ws:
        receive(ws)
        expect_contents(ws, sent[:21])
    # Resuming from the very last position: nothing old, then only what is new.
    with connect_unbounded(live_url(ann, last["position"])) as ws:
        receive(ws)
        expect_silence(ws, 0.5)
        for text in sent[21:]:
            ann.post(text)
        last = expect_contents(ws, sent[21:])
    # Many reconnects while messages keep coming: every message exactly once, in order.
    received, position = [], last["position"]
    pending = [f"burst {i}" for i in range(60)]
    posted = []
    while pending or len(received) < len(posted):
        with connect_unbounded(live_url(ann, position)) as ws:
            receive(ws)
            for _ in range(min(len(pending), 7)):
                text = pending.pop(0)
                ann.post(text)
                posted.append(text)
            # Take a few frames, then drop the connection mid-stream.
            for _ in range(random.randint(1, 5)):
                if len(received) >= len(posted):
                    break
                frame = receive(ws)
                received.extend(message_contents(frame))
                position = frame["position"]
    assert received == posted, f"lost or repeated: {received} vs {posted}"


def check_reminder():
    if not ARGS.dispatcher:
        return
    ann = User("Ann", {"reminders": {"offsets_minutes": [120]}})
    with connect(live_url(ann)) as ws:
        receive(ws)
        start = datetime.now(timezone.utc) + timedelta(hours=2, seconds=4)
        status, reply = http("POST", "/v1/calendar-events", ann,
                             {"title": "Run", "start": start.strftime("%Y-%m-%dT%H:%M:%S"), "time_zone": "UTC"})
        assert status == 201, (status, reply)
        while True:
            frame = receive(ws)
            types = [e["type"] for e in frame["events"]]
            if "reminder.delivered" in types:
                break
        assert "message.posted" in types, frame
        delivered = next(e for e in frame["events"] if e["type"] == "reminder.delivered")
        assert delivered["data"]["calendar_event_id"] == reply["calendar_event_id"], (frame, reply)
        assert frame["resource"]["type"] == "message" and frame["resource"]["state"]["role"] == "assistant", frame


def check_assistant_reply():
    """The assistant's reply to a message arrives live, after the message, naming it."""
    ann = User("Ann")
    with connect(live_url(ann)) as ws:
        assert receive(ws)["type"] == "ready"
        posted = ann.post("remind me to stretch in 2 hours", wait=True)
        frame = expect_contents(ws, ["remind me to stretch in 2 hours"])
        assert frame["resource"]["id"] == posted["id"], (frame, posted)
        frame = receive(ws)
        state = frame["resource"]["state"]
        assert state["role"] == "assistant", frame
        assert state["metadata"]["reply_to"]["message_id"] == posted["id"], frame
        assert "stretch" in state["content"], frame
        assert state["seq"] == posted["seq"] + 1, (frame, posted)


def check_slow_client():
    """A client that stops reading: the gateway closes it with 1008 and a reason once its queue is
    past the limit, instead of buffering without bound."""
    ann = User("Ann")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    sock.connect(("127.0.0.1", ARGS.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /v1/live?access_token={ann.token} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    # Far more than the queue limit plus what the kernel buffers hold, without reading.
    payload = "x" * 8000
    total = 0
    while total < 6 * ARGS.queue_limit + (1 << 20):
        ann.post(payload)
        total += len(payload)
    time.sleep(2)
    sock.settimeout(30)
    data = b""
    close = None
    while close is None:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        while len(data) >= 2:  # server frames are unmasked
            length, at = data[1] & 0x7F, 2
            if length == 126:
                if len(data) < 4:
                    break
                length, at = struct.unpack(">H", data[2:4])[0], 4
            elif length == 127:
                if len(data) < 10:
                    break
                length, at = struct.unpack(">Q", data[2:10])[0], 10
            if len(data) < at + length:
                break
            opcode, body = data[0] & 0x0F, data[at:at + length]
            data = data[at + length:]
            if opcode == 0x8:
                close = (struct.unpack(">H", body[:2])[0], body[2:].decode())
                break
    assert close is not None, "the connection ended without a close frame"
    assert close[0] == 1008 and close[1].startswith("client too slow"), close
    sock.close()


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--dispatcher", action="store_true")
    parser.add_argument("--queue-limit", type=int, default=1 << 20)
    parser.add_argument("--assistant", action="store_true",
                        help="only the assistant's live reply (an aimi-assistant runs: every message gets a reply)")
    ARGS = parser.parse_args()
    checks = (wait_for_feed, check_refusals, check_live_messages, check_resume, check_reminder, check_slow_client)
    if ARGS.assistant:
        checks = (wait_for_feed, check_assistant_reply)
    for check in checks:
        started = time.monotonic()
        check()
        print(f"ok {check.__name__} ({time.monotonic() - started:.1f} s)", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - the traceback is the report
        import traceback
        traceback.print_exc()
        sys.exit(1)
