#!/usr/bin/env python3
"""The Debian package: `cpack -G DEB` on the build, extracted into a scratch root with
`dpkg-deb -x` (the machine's own dpkg database is left alone). Checks its control data,
runs the installed `segmentd --version`, applies its sysusers.d file to the scratch root
the way postinst does, and runs `systemd-analyze verify` and `security` on its unit with
--root (verify needs the base units: the host's are copied into the scratch root)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
UNIT = "segmentd.service"
MAX_EXPOSURE = 2.0  # systemd-analyze security: 0 (locked down) to 10; "OK" below 3


def run(*cmd, **kwargs):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)


def must(*cmd, **kwargs):
    result = run(*cmd, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))}: exit {result.returncode}\n" \
                                   f"{result.stdout}{result.stderr}"
    return result.stdout


def project_version():
    text = (SOURCE / "CMakeLists.txt").read_text(encoding="utf-8")
    return re.search(r"project\(segmentd VERSION ([0-9.]+)", text).group(1)


def build_package(build_dir, out_dir):
    must("cpack", "--config", build_dir / "CPackConfig.cmake", "-G", "DEB", "-B", out_dir)
    debs = list(out_dir.glob("segmentd_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


def check_control(deb, version, tmp):
    assert must("dpkg-deb", "-f", deb, "Package").strip() == "segmentd"
    assert must("dpkg-deb", "-f", deb, "Version").strip() == version
    depends = must("dpkg-deb", "-f", deb, "Depends")
    # RocksDB is linked from its static archive (state/CMakeLists.txt): the package needs
    # the compression libraries the archive calls, not librocksdb.
    for library in ("librdkafka", "libsimdjson", "liblz4", "libzstd", "libsnappy"):
        assert library in depends, f"Depends lacks {library}: {depends}"
    assert "librocksdb" not in depends, f"Depends names librocksdb: {depends}"
    control = tmp / "control"
    must("dpkg-deb", "-e", deb, control)
    assert (control / "conffiles").read_text().split() == ["/etc/segmentd/segmentd.toml"]
    for script in ("postinst", "prerm", "postrm"):
        assert os.access(control / script, os.X_OK), f"{script} is not executable"
        must("sh", "-n", control / script)


def check_files(root, version, deb):
    out = must(root / "usr/bin/segmentd", "--version")
    assert out.strip() == f"segmentd {version}", out
    # The malloc the executable links (SEGMENTD_ALLOCATOR; sanitizer builds link none).
    if "libjemalloc" in must("readelf", "-d", root / "usr/bin/segmentd"):
        depends = must("dpkg-deb", "-f", deb, "Depends")
        assert "libjemalloc2" in depends, f"Depends lacks libjemalloc2: {depends}"
    shipped = (root / "etc/segmentd/segmentd.toml").read_bytes()
    assert shipped == (SOURCE / "deploy/package/segmentd.toml").read_bytes()
    for path in ("usr/lib/systemd/system/segmentd.service", "usr/lib/sysusers.d/segmentd.conf",
                 "usr/share/segmentd/schemas/transition.schema.json",
                 "usr/share/segmentd/prometheus/alerts.yml",
                 "usr/share/segmentd/grafana/segmentd.json",
                 "usr/share/segmentd/kubernetes/statefulset.yaml",
                 "usr/share/doc/segmentd/README.md"):
        assert (root / path).is_file(), f"the package lacks /{path}"


def check_service_user(root):
    """What postinst does (systemd-sysusers segmentd.conf), on the scratch root."""
    must("systemd-sysusers", f"--root={root}", "segmentd.conf")
    users = [line.split(":") for line in (root / "etc/passwd").read_text().splitlines()]
    user = next((u for u in users if u[0] == "segmentd"), None)
    assert user, "systemd-sysusers created no segmentd user"
    assert int(user[2]) < 1000 and user[5] == "/var/lib/segmentd" and \
        user[6] == "/usr/sbin/nologin", user


def check_unit(root):
    units = root / "usr/lib/systemd/system"
    for base in Path("/usr/lib/systemd/system").iterdir():
        if not (units / base.name).exists() and not base.is_symlink():
            if base.is_dir():
                shutil.copytree(base, units / base.name, symlinks=True)
            else:
                shutil.copy2(base, units / base.name)
    verify = run("systemd-analyze", f"--root={root}", "verify", UNIT)
    assert verify.returncode == 0 and not verify.stderr.strip() and not verify.stdout.strip(), \
        f"systemd-analyze verify: exit {verify.returncode}\n{verify.stdout}{verify.stderr}"

    # verify reads the scratch root: without the package's binary it must fail.
    binary = root / "usr/bin/segmentd"
    binary.rename(binary.with_suffix(".away"))
    missing = run("systemd-analyze", f"--root={root}", "verify", UNIT)
    binary.with_suffix(".away").rename(binary)
    assert missing.returncode != 0 and "/usr/bin/segmentd" in missing.stderr, missing

    security = must("systemd-analyze", "security", "--offline=true", f"--root={root}", UNIT)
    exposure = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", security).group(1))
    assert exposure <= MAX_EXPOSURE, f"exposure {exposure} > {MAX_EXPOSURE}\n{security}"
    unit = (units / UNIT).read_text()
    for setting in ("User=segmentd", "StateDirectory=segmentd", "ProtectSystem=strict",
                    "NoNewPrivileges=yes", "Restart=on-failure", "KillSignal=SIGTERM",
                    "TimeoutStopSec="):
        assert setting in unit, f"the unit lacks {setting}"
    return exposure


def main():
    build_dir = Path(os.environ["E2E_BUILD_DIR"])
    version = project_version()
    with tempfile.TemporaryDirectory(prefix="segmentd-deb-") as tmp:
        tmp = Path(tmp)
        deb = build_package(build_dir, tmp / "pkg")
        check_control(deb, version, tmp)
        root = tmp / "root"
        must("dpkg-deb", "-x", deb, root)
        check_files(root, version, deb)
        check_service_user(root)
        exposure = check_unit(root)
        print(f"{deb.name}: installs, runs `segmentd --version`, unit verifies, "
              f"exposure {exposure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
