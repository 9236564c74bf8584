#!/usr/bin/env python3
"""deploy/kubernetes: the core resources validate offline and strictly against the
Kubernetes API schemas that the kubernetes-validate package ships (installed by
deploy/install-deps.sh into SEGMENTD_TOOLS_VENV); the ServiceMonitor (a CRD, no schema in
that package) and the cross-references are checked here: probes, ports, volumes, the
Service, the ConfigMap's config (loaded by segmentd itself) and the image's user."""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parents[2]
MANIFESTS = SOURCE / "deploy" / "kubernetes"
CORE = ["configmap.yaml", "service.yaml", "statefulset.yaml", "poddisruptionbudget.yaml"]
COMMIT_GRACE_SECONDS = 30  # a commit must fit in the SIGTERM grace period with room to spare


def validator():
    venv = Path(os.environ.get("SEGMENTD_TOOLS_VENV", "/opt/segmentd-tools"))
    tool = venv / "bin" / "kubernetes-validate"
    assert tool.exists(), f"{tool} is missing: run deploy/install-deps.sh"
    return tool


def validate(tool, files):
    return subprocess.run([str(tool), "--strict", *map(str, files)],
                          capture_output=True, text=True)


def load(name):
    docs = [d for d in yaml.safe_load_all((MANIFESTS / name).read_text()) if d]
    assert len(docs) == 1, f"{name}: one resource per file"
    return docs[0]


def check_schemas(tool):
    result = validate(tool, [MANIFESTS / f for f in CORE])
    assert result.returncode == 0 and "passed" in result.stdout and \
        "WARN" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.stdout.count("passed") == len(CORE), result.stdout
    # Strict really is strict: an unknown field fails.
    with tempfile.TemporaryDirectory(prefix="segmentd-k8s-") as tmp:
        bad = Path(tmp) / "statefulset.yaml"
        text = (MANIFESTS / "statefulset.yaml").read_text()
        bad.write_text(text.replace("terminationGracePeriodSeconds:", "terminationGracePeriod:"))
        assert validate(tool, [bad]).returncode != 0, "an unknown field passed --strict"


def check_kustomization():
    listed = load("kustomization.yaml")["resources"]
    present = sorted(p.name for p in MANIFESTS.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(listed) == present, (listed, present)


def check_wiring(segmentd):
    config_map, service, sts, monitor, pdb = (load(n) for n in (
        "configmap.yaml", "service.yaml", "statefulset.yaml", "servicemonitor.yaml",
        "poddisruptionbudget.yaml"))
    labels = sts["spec"]["template"]["metadata"]["labels"]
    assert sts["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert sts["spec"]["serviceName"] == service["metadata"]["name"] == "segmentd", \
        "the alert rules expect job=\"segmentd\", the Service's name"

    pod = sts["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] >= COMMIT_GRACE_SECONDS
    container = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] in ports
    assert all(container["resources"]["requests"].get(k) for k in ("cpu", "memory"))
    assert container["resources"]["limits"].get("memory")

    service_ports = {p["name"]: p for p in service["spec"]["ports"]}
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1" and \
        monitor["kind"] == "ServiceMonitor"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= \
        service["metadata"]["labels"].items()
    for endpoint in monitor["spec"]["endpoints"]:
        assert endpoint["port"] in service_ports and endpoint["path"] == "/metrics"
        assert service_ports[endpoint["port"]]["targetPort"] in ports

    config = config_map["data"]["segmentd.toml"]
    listen_port = int(re.search(r'http\.listen = "[^"]*:(\d+)"', config).group(1))
    assert listen_port == ports["metrics"], (listen_port, ports)
    assert 'http.listen = "0.0.0.0:' in config, "probes and scrapes come from outside the pod"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    state_dir = re.search(r'state\.dir = "([^"]+)"', config).group(1)
    claims = [c["metadata"]["name"] for c in sts["spec"]["volumeClaimTemplates"]]
    assert "state" in claims and state_dir.startswith(mounts["state"] + "/"), \
        f"state.dir {state_dir} is not on the volume claim (mounted at {mounts['state']})"
    config_arg = container["args"][container["args"].index("--config") + 1]
    assert config_arg == f"{mounts['config']}/segmentd.toml", config_arg

    # The image's user is the one the pod runs as.
    dockerfile = (SOURCE / "Dockerfile").read_text()
    uid = re.search(r"--uid (\d+)", dockerfile).group(1)
    assert int(uid) == pod["securityContext"]["runAsUser"], (uid, pod["securityContext"])

    # The ConfigMap's configuration loads (state.dir pointed at a scratch folder).
    with tempfile.TemporaryDirectory(prefix="segmentd-k8s-") as tmp:
        tmp = Path(tmp)
        (tmp / "segmentd.toml").write_text(config)
        (tmp / "empty.jsonl").write_text("")
        result = subprocess.run(
            [segmentd, "replay", "--config", "segmentd.toml", "--input", "empty.jsonl",
             "--output", "out.jsonl", "--set", f"state.dir={tmp / 'state'}", "--no-progress"],
            cwd=tmp, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def main():
    check_schemas(validator())
    check_kustomization()
    check_wiring(os.environ["E2E_SEGMENTD_BIN"])
    print(f"{len(CORE)} resources valid against the Kubernetes API schemas; wiring checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
