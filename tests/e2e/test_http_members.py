#!/usr/bin/env python3
"""GET /members/{id} and bearer-token auth on a live `segmentd demo` (embedded Kafka):
  - with http.auth_token_file, /metrics and /members need "Authorization: Bearer
    <token>" (401 with WWW-Authenticate: Bearer without), /healthz and /readyz do not,
    and the token never shows in the output;
  - /members/m-N answers the member's explanation, with the partition Kafka's murmur2
    (computed here independently) gives its id, and known members a rule per family;
  - a non-loopback http.listen without a token, and an unreadable token file, stop the
    start with an error naming http.auth_token_file."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SEGMENTD = os.environ["E2E_SEGMENTD_BIN"]
TOKEN = "t0k3n-for-the-test"
PARTITIONS = 3


def murmur2(data):
    """Kafka's Utils.murmur2, as a non-negative 32-bit value before the sign mask."""
    m, r, mask = 0x5BD1E995, 24, 0xFFFFFFFF
    h = (0x9747B28C ^ len(data)) & mask
    for i in range(0, len(data) // 4 * 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = (h * m) & mask
        h ^= k
    tail = len(data) % 4
    base = len(data) // 4 * 4
    if tail == 3:
        h ^= data[base + 2] << 16
    if tail >= 2:
        h ^= data[base + 1] << 8
    if tail >= 1:
        h ^= data[base]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.headers, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def refused_start(*settings):
    result = subprocess.run([SEGMENTD, "demo", "--events", "10", *settings],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0, result
    assert "http.auth_token_file" in result.stdout + result.stderr, result
    return result


def main():
    with tempfile.TemporaryDirectory() as tmp:
        token_file = Path(tmp) / "token"
        token_file.write_text(TOKEN + "\n")
        port = free_port()
        out = Path(tmp) / "demo.out"
        demo = subprocess.Popen(
            [SEGMENTD, "demo", "--members", "300", "--events", "400000", "--rate", "3000",
             "--partitions", str(PARTITIONS), "--set", f"http.listen=127.0.0.1:{port}",
             "--set", f"http.auth_token_file={token_file}"],
            stdout=open(out, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if get(port, "/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline and demo.poll() is None, out.read_text()
                time.sleep(0.3)
            assert get(port, "/healthz")[0] == 200
            status, headers, _ = get(port, "/metrics")
            assert status == 401 and headers["WWW-Authenticate"] == "Bearer", status
            assert get(port, "/metrics", "wrong")[0] == 401
            assert get(port, "/members/m-1")[0] == 401
            assert get(port, "/metrics", TOKEN)[0] == 200
            time.sleep(2)  # let members arrive
            known = 0
            for n in range(1, 41):
                member = f"m-{n}"
                status, _, body = get(port, f"/members/{member}", TOKEN)
                assert status == 200, (member, status, body)
                e = json.loads(body)
                assert e["schema"] == "segmentd.member_explanation.v1", e
                assert e["member_id"] == member, e
                assert e["partition"] == (murmur2(member.encode()) & 0x7FFFFFFF) % PARTITIONS, e
                if e["known"]:
                    known += 1
                    assert e["families"] and all(f["rule"] for f in e["families"]), e
            assert known > 0, "no member of m-1..m-40 known after the demo ran"
        finally:
            demo.terminate()
            demo.wait(timeout=30)
        assert TOKEN not in out.read_text(), "the token was printed"

        refused_start("--set", f"http.listen=0.0.0.0:{free_port()}")
        refused_start("--set", f"http.listen=127.0.0.1:{free_port()}",
                      "--set", f"http.auth_token_file={Path(tmp) / 'missing'}")
    print(f"auth enforced; {known} of 40 members explained with the murmur2 partition")
    return 0


if __name__ == "__main__":
    sys.exit(main())
