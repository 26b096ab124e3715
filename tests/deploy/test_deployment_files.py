"""The deployment files describe the same Baton as `make run-prod`.

docker-compose.yml, deploy/k8s/ (built with deploy/kustomization.yaml) and the Dockerfile
cannot run here, so these tests check what can drift silently: that they parse, and that they
name the services, replica counts, ports, commands and variables of infra/profile.py, use the
same nginx template, and that every secret they need is in deploy/production.env.example and
explained in docs/deploy.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.launcher import action_command, handoff_command
from infra import profile
from infra.nginx import TEMPLATE, placeholders

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATION = ROOT / "deploy" / "kustomization.yaml"
ENV_EXAMPLE = ROOT / "deploy" / "production.env.example"
DOCS = ROOT / "docs" / "deploy.md"
BATON_SERVERS = ("rasa", "actions", "handoff")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def k8s_documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def workloads() -> dict[str, dict[str, Any]]:
    return {
        d["metadata"]["name"]: d
        for d in k8s_documents()
        if d["kind"] in ("Deployment", "StatefulSet")
    }


def config_keys() -> set[str]:
    [config] = [
        d
        for d in k8s_documents()
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "baton-config"
    ]
    return set(config["data"])


def container(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]["containers"][0]


def container_env(workload: dict[str, Any]) -> set[str]:
    c = container(workload)
    names = {e["name"] for e in c.get("env", [])}
    for source in c.get("envFrom", []):
        if source.get("configMapRef", {}).get("name") == "baton-config":
            names |= config_keys()
    return names


def replicas_of(name: str) -> dict[str, dict[str, Any]]:
    services = compose()["services"]
    return {k: v for k, v in services.items() if k == name or re.fullmatch(rf"{name}-\d+", k)}


# --- they parse ---------------------------------------------------------------------------


def test_every_deployment_file_is_valid_yaml() -> None:
    assert compose()["services"]
    assert k8s_documents()
    for doc in k8s_documents():
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc


def test_the_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load(KUSTOMIZATION.read_text())["resources"]
    assert sorted(listed) == sorted(f"k8s/{p.name}" for p in K8S.glob("*.yaml"))


def test_kustomize_builds_the_cluster_manifests() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the YAML checks above still ran")
    built = subprocess.run(
        [kubectl, "kustomize", str(KUSTOMIZATION.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    kinds = [d["kind"] for d in yaml.safe_load_all(built) if d]
    assert kinds.count("StatefulSet") == 3 and kinds.count("Deployment") == 3
    assert "baton.conf.template" in built  # the nginx template, from the same file


# --- the same services, replicas, ports and variables as the profile -------------------------


@pytest.mark.parametrize("service", [s.name for s in profile.SERVICES])
def test_compose_runs_each_profile_service_with_its_replicas_ports_and_variables(
    service: str,
) -> None:
    spec = profile.service(service)
    replicas = replicas_of(service)
    if service in BATON_SERVERS:
        assert len(replicas) == spec.replicas, sorted(replicas)
    else:
        assert len(replicas) == 1
    exposed = {int(p) for r in replicas.values() for p in r.get("expose", [])}
    exposed |= {int(p.rsplit(":", 1)[-1]) for r in replicas.values() for p in r.get("ports", [])}
    assert set(spec.ports) <= exposed, (service, exposed)
    for name, replica in replicas.items():
        env = set(replica.get("environment") or {})
        missing = set(spec.env) - env
        assert not missing, f"{name} lacks {sorted(missing)}"


@pytest.mark.parametrize("service", [s.name for s in profile.SERVICES])
def test_kubernetes_runs_each_profile_service_with_its_replicas_port_and_variables(
    service: str,
) -> None:
    spec = profile.service(service)
    workload = workloads()[service]
    expected = spec.replicas if service in BATON_SERVERS else 1
    assert workload["spec"]["replicas"] == expected
    ports = {p["containerPort"] for p in container(workload)["ports"]}
    # every replica of a pod listens on the profile's first port; nginx on all three
    assert ports == (set(spec.ports) if service == "nginx" else {spec.ports[0]})
    missing = set(spec.env) - container_env(workload)
    assert not missing, f"{service} lacks {sorted(missing)}"


def test_each_server_gets_the_databases_and_secrets_its_code_reads() -> None:
    """The Rasa server serves the printable return labels (connectors/labels.py): it reads the
    store and checks links with RETURN_LABEL_SECRET. The action server reads a customer's recent
    conversations from the tracker store for the handoff packet (actions/clients/conversations.py).
    """
    assert {"STORE_DATABASE_URL", "RETURN_LABEL_SECRET"} <= set(profile.service("rasa").env)
    assert "TRACKER_DATABASE_URL" in profile.service("actions").env


def test_a_variable_several_servers_read_has_the_same_value_on_each() -> None:
    """A secret or database two servers share comes from one place: the same `${...}` in
    docker-compose.yml and the same value or Secret key in deploy/k8s/, never one per server."""
    compose_values: dict[str, set[str]] = {}
    for server in BATON_SERVERS:
        for replica in replicas_of(server).values():
            for name, value in (replica.get("environment") or {}).items():
                compose_values.setdefault(name, set()).add(str(value))
    differing = {n: v for n, v in compose_values.items() if len(v) > 1 and not n.endswith("_PORT")}
    assert not differing, differing

    k8s = workloads()
    k8s_values: dict[str, set[str]] = {}
    for server in BATON_SERVERS:
        for entry in container(k8s[server]).get("env", []):
            source = entry.get("value", entry.get("valueFrom"))
            k8s_values.setdefault(entry["name"], set()).add(repr(source))
    differing = {n: v for n, v in k8s_values.items() if len(v) > 1 and not n.endswith("_PORT")}
    assert not differing, differing


@pytest.mark.parametrize("service", BATON_SERVERS)
def test_kubernetes_probes_use_health_for_liveness_and_ready_for_readiness(service: str) -> None:
    c = container(workloads()[service])
    assert c["livenessProbe"]["httpGet"]["path"] == "/health"
    assert c["readinessProbe"]["httpGet"]["path"] == "/ready"


def test_the_servers_run_the_same_commands_as_the_local_profile() -> None:
    services = compose()["services"]
    for index, port in enumerate(profile.service("actions").ports, start=1):
        assert services[f"actions-{index}"]["command"][1:] == action_command(str(port))[1:]
    for index, port in enumerate(profile.service("handoff").ports, start=1):
        command = services[f"handoff-{index}"]["command"]
        assert command[1:4] == handoff_command(str(port))[1:4] and command[-1] == str(port)
    for index, port in enumerate(profile.service("rasa").ports, start=1):
        command = services[f"rasa-{index}"]["command"]
        assert command[1:4] == ["-m", "bot.server", "run"]
        assert "bot/endpoints.prod.yml" in command and command[-1] == str(port)
    k8s = workloads()
    assert container(k8s["actions"])["command"][1:3] == ["-m", "bot.action_server"]
    assert "bot/endpoints.prod.yml" in container(k8s["rasa"])["command"]


def test_every_database_of_the_profile_is_created_and_used() -> None:
    text = COMPOSE.read_text() + "".join(p.read_text() for p in K8S.glob("*.yaml"))
    sql = (ROOT / "deploy" / "postgres" / "create-databases.sql").read_text()
    for database in profile.DATABASES:
        assert f":{profile.POSTGRES_PORT}/{database}" in text, database
        assert database in sql or f"POSTGRES_DB: {database}" in COMPOSE.read_text()


def test_redis_and_postgres_listen_on_the_profile_ports() -> None:
    services = compose()["services"]
    assert str(profile.REDIS_PORT) in services["redis"]["command"]
    assert str(profile.POSTGRES_PORT) in services["postgres"]["command"]
    k8s = workloads()
    assert str(profile.REDIS_PORT) in container(k8s["redis"])["args"]
    assert str(profile.POSTGRES_PORT) in container(k8s["postgres"])["args"]


# --- nginx: one template everywhere -----------------------------------------------------------


def test_compose_nginx_fills_every_placeholder_of_the_shared_template() -> None:
    nginx = compose()["services"]["nginx"]
    needed = placeholders(TEMPLATE.read_text())
    assert needed <= set(nginx["environment"])
    assert any("deploy/nginx/baton.conf.template" in v for v in nginx["volumes"])
    listen = {int(nginx["environment"][k]) for k in needed if k.startswith("NGINX_")}
    assert listen == set(profile.service("nginx").ports)
    upstreams = {nginx["environment"][k] for k in needed if not k.startswith("NGINX_")}
    for server in BATON_SERVERS:
        for index, port in enumerate(profile.service(server).ports, start=1):
            assert f"{server}-{index}:{port}" in upstreams


def test_kubernetes_nginx_fills_every_placeholder_of_the_shared_template() -> None:
    env = {e["name"]: e["value"] for e in container(workloads()["nginx"])["env"]}
    assert placeholders(TEMPLATE.read_text()) <= set(env)
    generated = yaml.safe_load(KUSTOMIZATION.read_text())["configMapGenerator"]
    files = [f for g in generated for f in g["files"]]
    assert "nginx/baton.conf.template" in files


# --- secrets and documentation ----------------------------------------------------------------


def example_keys() -> set[str]:
    return {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    }


def test_every_secret_the_files_need_is_in_the_example_env_file() -> None:
    required_by_compose = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE.read_text()))
    secret_keys = {ref["key"] for doc in k8s_documents() for ref in _secret_refs(doc)}
    missing = (required_by_compose | secret_keys) - example_keys()
    assert not missing, sorted(missing)


def _secret_refs(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "secretKeyRef" in node:
            found.append(node["secretKeyRef"])
        for value in node.values():
            found.extend(_secret_refs(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_secret_refs(value))
    return found


def test_the_deployment_guide_explains_every_service_and_secret() -> None:
    guide = DOCS.read_text()
    for service in profile.SERVICES:
        assert f"`{service.name}`" in guide, service.name
    for key in example_keys():
        assert f"`{key}`" in guide, key
    for endpoint in ("/health", "/ready", "/metrics", "/admin/erasures"):
        assert endpoint in guide


def test_the_image_installs_pinned_versions_and_starts_a_rasa_server() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "-c requirements.lock" in dockerfile
    assert "python -m bot train" in dockerfile
    exposed = {int(p) for p in re.findall(r"^EXPOSE (.+)$", dockerfile, re.M)[0].split()}
    assert exposed == {profile.service(s).ports[0] for s in BATON_SERVERS}
    assert '"bot/endpoints.prod.yml"' in dockerfile
