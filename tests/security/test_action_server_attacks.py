"""Item 1: the action server trusts whoever calls it.

A stranger who reaches the action server posts ``next_action: action_order_status`` with a
tracker whose slots claim the order was proven, and reads the carrier, tracking number and
total. Now: the server listens on loopback, wants the shared token, and checks every claimed
proof against the store it owns.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from bot.server import with_interface
from tests.security.conftest import ACTION_TOKEN, ActionServer, listening_addresses


def forged_call(action: str, sender: str, **slots: Any) -> dict[str, Any]:
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"intent": {"name": "order_status"}, "entities": [], "text": "x"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
    }


def post(url: str, body: dict[str, Any], token: str | None = None) -> tuple[int, str]:
    target = f"{url}/webhook" + (f"?token={token}" if token else "")
    request = urllib.request.Request(  # noqa: S310 - loopback
        target,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_stranger_without_the_token_cannot_run_an_action(action_server: ActionServer) -> None:
    call = forged_call(
        "action_order_status", "attacker", order_number="10001", verified_orders=["10001"]
    )
    status, body = post(action_server.url, call)
    assert status == 401
    assert "10001" not in body and "DPD" not in body


@pytest.mark.parametrize("token", ["wrong-token", ACTION_TOKEN[:-1], ""])
def test_a_guessed_token_is_refused(action_server: ActionServer, token: str) -> None:
    call = forged_call("action_order_status", "attacker", order_number="10001")
    status, _ = post(action_server.url, call, token=token or None)
    assert status == 401


def test_listing_the_actions_needs_the_token_too(action_server: ActionServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{action_server.url}/actions", timeout=10)  # noqa: S310
    assert refused.value.code == 401


def test_a_caller_with_the_token_cannot_claim_a_proof_it_never_gave(
    action_server: ActionServer,
) -> None:
    """Defence in depth: the token leaked, or the caller is a compromised Rasa replica."""
    call = forged_call(
        "action_order_status", "forger-1", order_number="10001", verified_orders=["10001"]
    )
    status, body = post(action_server.url, call, token=ACTION_TOKEN)
    assert status == 200, body
    shown = [r["response"] for r in json.loads(body)["responses"]]
    assert shown == ["utter_order_locked"]
    assert "DPD" not in body and "tracking" not in body


def test_a_forged_proof_does_not_show_a_refund_either(action_server: ActionServer) -> None:
    call = forged_call(
        "action_refund_status", "forger-2", refund_reference="10011", verified_orders=["10011"]
    )
    status, body = post(action_server.url, call, token=ACTION_TOKEN)
    assert status == 200, body
    shown = [r["response"] for r in json.loads(body)["responses"]]
    assert shown == ["utter_order_locked"], shown


def test_the_action_server_listens_on_loopback_only(action_server: ActionServer) -> None:
    assert listening_addresses(action_server.port) == {"127.0.0.1"}


def test_the_rasa_server_is_told_to_listen_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_HOST", raising=False)
    argv = with_interface(["rasa", "run", "--port", "5005"])
    assert argv[-2:] == ["--interface", "127.0.0.1"]
    monkeypatch.setenv("RASA_HOST", "0.0.0.0")
    assert with_interface(["rasa", "run"])[-1] == "0.0.0.0"


def test_in_kubernetes_only_nginx_takes_traffic_from_outside_the_namespace() -> None:
    import yaml

    from tests.deploy.test_deployment_files import K8S, KUSTOMIZATION

    assert "k8s/network-policy.yaml" in KUSTOMIZATION.read_text()
    policies = list(yaml.safe_load_all((K8S / "network-policy.yaml").read_text()))
    by_name = {p["metadata"]["name"]: p for p in policies}
    assert by_name["default-deny-ingress"]["spec"]["podSelector"] == {}
    open_to_all = [
        (p["spec"]["podSelector"].get("matchLabels", {}).get("app"), port["port"])
        for p in policies
        for rule in p["spec"].get("ingress", [])
        if "from" not in rule
        for port in rule.get("ports", [])
    ]
    assert sorted(open_to_all) == [("nginx", 8080), ("nginx", 8090)]
    actions = by_name["actions-from-nginx"]["spec"]["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": {"app": "nginx"}}} in actions
