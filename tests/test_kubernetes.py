"""deploy/kubernetes/ is valid Kubernetes and says what README.md, "Kubernetes", promises.

kustomize is not installed here, so `render` below is a loader of exactly the kustomization
features the manifests use (`namespace`, `resources` naming files, `images`) and refuses any
other key: a new kustomize feature in deploy/kubernetes/ fails this test instead of being
silently skipped. Every rendered object, and the example Secret, is validated against the
schema of Kubernetes KUBERNETES (kubernetes-validate, strict: an unknown field is an error),
then the properties that matter in production are asserted one by one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "kubernetes"
KUBERNETES = "1.30.0"  # the oldest Kubernetes release still supported by the big clouds
KUSTOMIZE_KEYS = {"apiVersion", "kind", "namespace", "resources", "images"}
CLUSTER_SCOPED = {"Namespace"}
Object = dict[str, Any]


def render(directory: Path) -> list[Object]:
    """What `kubectl kustomize directory` prints, for the features used here only."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KUSTOMIZE_KEYS
    assert not unknown, f"the loader does not know kustomize's {sorted(unknown)}: teach it"
    images = {image["name"]: image for image in kustomization.get("images", [])}
    objects: list[Object] = []
    for resource in kustomization["resources"]:
        path = directory / resource
        assert path.is_file(), f"{path}: only files are supported as resources"
        objects += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    for obj in objects:
        if "namespace" in kustomization and obj["kind"] not in CLUSTER_SCOPED:
            obj["metadata"]["namespace"] = kustomization["namespace"]
        for container in containers(obj):
            name, _, tag = container["image"].partition(":")
            if name in images:
                image = images[name]
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    return objects


def pod_spec(obj: Object) -> Object | None:
    if obj["kind"] in {"Deployment", "Job"}:
        spec: Object = obj["spec"]["template"]["spec"]
        return spec
    return None


def containers(obj: Object) -> list[Object]:
    spec = pod_spec(obj)
    return [] if spec is None else [*spec.get("initContainers", []), *spec["containers"]]


def by_kind(objects: list[Object], kind: str) -> dict[str, Object]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


MAIN = render(DEPLOY)
MIGRATE = render(DEPLOY / "migrate")
SECRET_EXAMPLE = yaml.safe_load((DEPLOY / "secret.example.yaml").read_text())
EVERYTHING = [*MAIN, *MIGRATE, SECRET_EXAMPLE]


@pytest.mark.parametrize(
    "obj", EVERYTHING, ids=[f"{o['kind']}/{o['metadata']['name']}" for o in EVERYTHING]
)
def test_every_object_is_valid_kubernetes(obj: Object) -> None:
    try:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {exc.path}")


def test_the_deployment_holds_what_chorus_needs() -> None:
    assert set(by_kind(MAIN, "Deployment")) == {"chorus-api", "chorus-worker"}
    assert set(by_kind(MAIN, "Service")) == {"chorus-api"}
    assert set(by_kind(MAIN, "ConfigMap")) == {"chorus"}
    assert set(by_kind(MIGRATE, "Job")) == {"chorus-migrate"}
    # the Secret is never applied by kustomize: a real one is created by hand, never committed
    assert not by_kind(MAIN, "Secret") and not by_kind(MIGRATE, "Secret")
    assert {o["metadata"].get("namespace") for o in MAIN + MIGRATE if o["kind"] != "Namespace"} == {
        "chorus"
    }


def test_the_api_is_probed_ready_on_its_servers_and_alive_on_its_loop() -> None:
    (api,) = by_kind(MAIN, "Deployment")["chorus-api"]["spec"]["template"]["spec"]["containers"]
    assert api["command"] == ["chorus", "serve", "--workers", "1"]
    assert api["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert api["livenessProbe"]["httpGet"]["path"] == "/health"
    assert api["startupProbe"]["httpGet"]["path"] == "/health"
    assert {p["containerPort"] for p in api["ports"]} == {8000}


def test_the_worker_is_alive_while_its_heartbeat_is() -> None:
    spec = by_kind(MAIN, "Deployment")["chorus-worker"]["spec"]["template"]["spec"]
    (worker,) = spec["containers"]
    assert worker["command"] == ["chorus", "worker"]
    assert worker["livenessProbe"]["exec"]["command"] == ["chorus", "worker", "--check"]
    # the heartbeat is rewritten every 10 s: a check more often than that learns nothing new
    assert worker["livenessProbe"]["periodSeconds"] >= 10


def test_the_migration_job_runs_chorus_migrate_once() -> None:
    job = by_kind(MIGRATE, "Job")["chorus-migrate"]
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    (migrate,) = spec["containers"]
    assert migrate["command"] == ["chorus", "migrate"]
    # it runs before anything of deploy/kubernetes/ but the namespace: the Secret only
    assert [ref for ref in migrate["envFrom"]] == [{"secretRef": {"name": "chorus"}}]


def test_every_pod_runs_non_root_read_only_without_capabilities() -> None:
    pods = [o for o in MAIN + MIGRATE if pod_spec(o) is not None]
    assert len(pods) == 3
    for obj in pods:
        spec = pod_spec(obj)
        assert spec is not None
        where = obj["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] == 10001, where  # the Dockerfile's user
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in containers(obj):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in security["capabilities"], where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], where


def test_every_container_has_a_pinned_image_requests_and_limits() -> None:
    for obj in MAIN + MIGRATE:
        for container in containers(obj):
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert name and tag and tag != "latest" and "/" not in tag, image
            assert name == "registry.example.com/chorus", image  # `images:` was applied
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), obj["metadata"]
    # the two kustomizations name the same image: the Job migrates for the pods that follow
    assert {c["image"] for o in MAIN + MIGRATE for c in containers(o)} == {
        "registry.example.com/chorus:2026.12.0"
    }


def test_the_api_scales_on_cpu_and_both_keep_a_pod_through_disruptions() -> None:
    (hpa,) = by_kind(MAIN, "HorizontalPodAutoscaler").values()
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "chorus-api",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    deployments = by_kind(MAIN, "Deployment")
    budgets = by_kind(MAIN, "PodDisruptionBudget")
    assert set(budgets) == {"chorus-api", "chorus-worker"}
    for name, budget in budgets.items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert budget["spec"]["minAvailable"] < deployments[name]["spec"]["replicas"]
    service = by_kind(MAIN, "Service")["chorus-api"]
    assert (
        service["spec"]["selector"].items()
        <= deployments["chorus-api"]["spec"]["template"]["metadata"]["labels"].items()
    )


def test_the_ingress_keeps_live_streams_open_and_unbuffered() -> None:
    ingresses = by_kind(MAIN, "Ingress")
    paths = {
        path["path"]: (ingress, path)
        for ingress in ingresses.values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    events, _ = paths["/api/v1/events"]
    notes = events["metadata"]["annotations"]
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(notes["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    assert notes["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    everything, _ = paths["/"]
    assert everything["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    for ingress in ingresses.values():
        assert ingress["spec"]["ingressClassName"] == "nginx"
        assert ingress["spec"]["tls"][0]["secretName"] == "chorus-tls"
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"]
    for _, path in paths.values():
        assert path["backend"]["service"] == {"name": "chorus-api", "port": {"name": "http"}}


def test_settings_come_from_the_configmap_and_secrets_from_the_secret() -> None:
    config = by_kind(MAIN, "ConfigMap")["chorus"]["data"]
    assert config["CHORUS_ENV"] == "production"
    assert config["CHORUS_TRUSTED_PROXIES"]  # the ingress controller's pod CIDR (adjust)
    secret_keys = {"CHORUS_SECRET_KEY", "CHORUS_DATABASE_URL", "CHORUS_REDIS_URL"}
    assert not secret_keys & set(config)
    assert secret_keys | {"CHORUS_VAPID_PRIVATE_KEY"} <= set(SECRET_EXAMPLE["stringData"])
    for value in SECRET_EXAMPLE["stringData"].values():  # placeholders, never a real secret
        assert value == "" or "REPLACE" in value, value
    for name in ("chorus-api", "chorus-worker"):
        (container,) = by_kind(MAIN, "Deployment")[name]["spec"]["template"]["spec"]["containers"]
        assert container["envFrom"] == [
            {"configMapRef": {"name": "chorus"}},
            {"secretRef": {"name": "chorus"}},
        ]
        for variable in container.get("env", []):
            assert variable["name"] not in secret_keys
