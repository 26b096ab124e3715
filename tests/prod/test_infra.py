"""The pieces `make run-prod` is built from, each on its own: the nginx template, the
PostgreSQL and Redis servers, and the checks that stop a start-up early with a clear reason."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import redis

from bot.production import programs
from infra import profile
from infra.nginx import TEMPLATE, Nginx, TemplateError, placeholders, render, upstream_values
from infra.postgres import Postgres, WrongPassword
from infra.procs import free_port
from infra.prod import PortBusy, Ports, build_replicas, profile_environment, start_profile
from infra.redis_server import RedisServer
from tests.support.services import require, service_dir, throwaway_redis

VALUES = upstream_values(
    rasa=("127.0.0.1:5015", "127.0.0.1:5016"),
    actions=("127.0.0.1:5065", "127.0.0.1:5066"),
    handoff=("127.0.0.1:5090", "127.0.0.1:5091"),
    rasa_port=8080,
    actions_port=8055,
    handoff_port=8090,
)


def test_the_nginx_template_needs_exactly_the_profiles_variables() -> None:
    assert placeholders(TEMPLATE.read_text()) == set(VALUES)
    rendered = render(VALUES)
    assert re.search(r"\$\{[A-Z]", rendered) is None
    assert "server 127.0.0.1:5016 max_fails=1 fail_timeout=5s;" in rendered
    assert "listen 127.0.0.1:8090;" in rendered


def test_a_missing_value_is_named_rather_than_left_in_the_config() -> None:
    values = {k: v for k, v in VALUES.items() if k not in ("RASA_2", "HANDOFF_1")}
    with pytest.raises(TemplateError, match="HANDOFF_1, RASA_2"):
        render(values)


def test_nginx_accepts_the_rendered_config(tmp_path: Path) -> None:
    require("nginx")
    with service_dir("baton-nginx-") as directory:
        Nginx(directory, VALUES).check()  # `nginx -t`: raises with nginx's message if not


def test_a_busy_port_stops_the_start_before_anything_runs(tmp_path: Path) -> None:
    ports = Ports.free()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports.nginx_handoff))
        squatter.listen()
        with pytest.raises(PortBusy, match=rf"nginx \(agents\) \({ports.nginx_handoff}\)"):
            start_profile(
                tmp_path / "prod", tmp_path / "model.tar.gz", programs=programs(), ports=ports
            )
    assert not (tmp_path / "prod" / "postgres").exists()


def test_a_cluster_refuses_a_password_it_was_not_created_with() -> None:
    require("initdb", "postgres")
    with service_dir("baton-pg-") as directory:
        first = Postgres(directory / "data", free_port(), "the-first-one", durable=False)
        first.start()
        first.stop()
        with pytest.raises(WrongPassword, match="created with another password"):
            Postgres(directory / "data", free_port(), "another", durable=False).start()


def test_redis_answers_only_with_its_password_and_comes_back_on_the_same_port() -> None:
    with throwaway_redis() as server:
        with pytest.raises(redis.exceptions.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=server.port).ping()
        server.stop()
        server.start()  # what the fault run does after ten seconds
        assert redis.Redis.from_url(server.url).ping()


def test_a_durable_redis_keeps_its_keys_across_a_restart() -> None:
    require("redis-server")
    with service_dir("baton-redis-") as directory:
        server = RedisServer(directory, free_port(), "pw", persistent=True)
        server.start()
        try:
            redis.Redis.from_url(server.url).set("baton:dedupe:SM1", "1")
            server.stop()
            server.start()
            assert redis.Redis.from_url(server.url).get("baton:dedupe:SM1") == b"1"
        finally:
            server.stop()


def test_make_run_prod_starts_the_services_infra_profile_describes(tmp_path: Path) -> None:
    """The same shape as the deployment files (tests/deploy compares those to infra.profile):
    each server's replicas on its ports, each with every variable the profile names."""
    ports = Ports.standard()
    env = profile_environment(tmp_path, programs())
    replicas = build_replicas(tmp_path, ports, env, tmp_path / "model.tar.gz", programs=programs())
    for service in profile.SERVICES:
        if service.name in ("rasa", "actions", "handoff"):
            mine = [r for r in replicas.values() if r.role == service.name]
            assert tuple(r.port for r in mine) == service.ports, service.name
            for replica in mine:
                missing = [name for name in service.env if not replica.env.get(name)]
                assert not missing, f"{replica.name} lacks {missing}"
    assert (ports.postgres, ports.redis) == (profile.POSTGRES_PORT, profile.REDIS_PORT)
    nginx = profile.service("nginx").ports
    assert (ports.nginx_rasa, ports.nginx_actions, ports.nginx_handoff) == nginx
    for url in ("STORE_DATABASE_URL", "TRACKER_DATABASE_URL", "HANDOFF_DATABASE_URL"):
        assert env[url].rsplit("/", 1)[-1] in profile.DATABASES
