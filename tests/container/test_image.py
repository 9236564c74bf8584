#!/usr/bin/env python3
"""The container image of the Dockerfile, built and run with podman, without a registry:
the Debian 12 base image comes from deploy/container-base.sh (debootstrap, podman import).
The build stage that compiles segmentd is swapped for the .deb this build packs (the same
package, without a second compilation); the runtime stage is the Dockerfile's own text.
Checks: non-root user 10001 and the state volume; `--version`; a replay inside the
container, on a bind-mounted volume, is byte-identical to one on the host; `run` serves
/healthz and /metrics, reports not ready without a broker, and exits 0 on SIGTERM.

The podman flags fit the test machines (a VM without CAP_SYS_RESOURCE and with hybrid
cgroups): runc, and limits no higher than the current ones."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
TAG = "localhost/segmentd:ctest"
RUNTIME = ["--runtime", "runc"]
LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]


def must(*cmd, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))}: exit {result.returncode}\n" \
                                   f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result.stdout


def podman(*args, **kwargs):
    return must("podman", *RUNTIME, *args, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def runtime_dockerfile():
    """The Dockerfile with its build stage replaced by the .deb in the context."""
    text = (SOURCE / "Dockerfile").read_text()
    stages = re.split(r"^(?=FROM )", text, flags=re.MULTILINE)
    assert len(stages) == 3 and stages[1].startswith("FROM ${DEBIAN_IMAGE} AS build"), \
        "expected: preamble, build stage, runtime stage"
    assert "COPY --from=build /build/package/segmentd_*.deb" in stages[2]
    return stages[0] + "FROM ${DEBIAN_IMAGE} AS build\nCOPY segmentd_*.deb /build/package/\n\n" \
        + stages[2]


def build_image(build_dir, context):
    base = must(SOURCE / "deploy" / "container-base.sh").strip().splitlines()[-1]
    must("cpack", "--config", build_dir / "CPackConfig.cmake", "-G", "DEB", "-B", context)
    (context / "Dockerfile").write_text(runtime_dockerfile())
    podman("build", "--network", "host", *LIMITS, "--build-arg", f"DEBIAN_IMAGE={base}",
           "-t", TAG, context)


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def check_image_config():
    user = podman("image", "inspect", "--format", "{{.Config.User}}", TAG).strip()
    assert user == "10001:10001", user
    volumes = podman("image", "inspect", "--format", "{{.Config.Volumes}}", TAG)
    assert "/var/lib/segmentd" in volumes, volumes
    out = podman("run", "--rm", *LIMITS, TAG, "--version").strip()
    version = re.search(r"project\(segmentd VERSION ([0-9.]+)",
                        (SOURCE / "CMakeLists.txt").read_text()).group(1)
    assert out == f"segmentd {version}", out


def check_replay(tmp):
    data = tmp / "volume"
    data.mkdir()
    must(os.environ["E2E_GEN_BIN"], "--members", "500", "--events", "5000", "--seed", "3",
         "--output", data / "events.jsonl")
    os.chown(data, 10001, 10001)
    podman("run", "--rm", *LIMITS, "-v", f"{data}:/var/lib/segmentd", TAG, "replay",
           "--input", "events.jsonl", "--output", "out.jsonl", "--no-progress")
    must(os.environ["E2E_SEGMENTD_BIN"], "replay", "--input", data / "events.jsonl",
         "--output", tmp / "host.jsonl", "--no-progress")
    inside = (data / "out.jsonl").read_bytes()
    assert inside and inside == (tmp / "host.jsonl").read_bytes(), "replay differs in the image"
    assert (data / "out.jsonl").stat().st_uid == 10001


def check_service():
    port = free_port()
    name = f"segmentd-ctest-{os.getpid()}"
    podman("run", "-d", "--name", name, "--network", "host", *LIMITS, TAG, "run",
           "--config", "/etc/segmentd/segmentd.toml",
           "--set", f"http.listen=127.0.0.1:{port}",
           "--set", f"kafka.bootstrap.servers=127.0.0.1:{free_port()}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = http_get(port, "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, podman("logs", name)
            time.sleep(0.5)
        status, metrics = http_get(port, "/metrics")
        assert status == 200 and "segmentd_build_info" in metrics, (status, metrics[:500])
        status, _ = http_get(port, "/readyz")
        assert status == 503, f"/readyz {status} without a broker"
        podman("stop", "--time", "30", name)  # SIGTERM (STOPSIGNAL), SIGKILL after 30 s
        code = podman("inspect", "--format", "{{.State.ExitCode}}", name).strip()
        assert code == "0", f"exit {code} after SIGTERM\n{podman('logs', name)}"
    finally:
        subprocess.run(["podman", *RUNTIME, "rm", "-f", name], capture_output=True)


def main():
    with tempfile.TemporaryDirectory(prefix="segmentd-image-") as tmp:
        tmp = Path(tmp)
        context = tmp / "context"
        context.mkdir()
        build_image(Path(os.environ["E2E_BUILD_DIR"]), context)
        check_image_config()
        check_replay(tmp)
        check_service()
    print(f"{TAG}: user 10001, state volume, replay identical to the host's, "
          "serves /healthz and /metrics, exits 0 on SIGTERM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
