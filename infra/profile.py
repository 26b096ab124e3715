"""The production profile's shape, in one place.

`make run-prod` starts exactly these processes on loopback, and the deployment files
(docker-compose.yml, deploy/k8s/) describe the same services, ports and variables; the tests in
tests/deploy compare them against this module, so the three cannot drift apart silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Service:
    """One kind of process: how many replicas, on which ports, reading which variables."""

    name: str
    ports: tuple[int, ...]
    env: tuple[str, ...] = field(default_factory=tuple)

    @property
    def replicas(self) -> int:
        return len(self.ports)


#: The public entry points nginx listens on.
NGINX_RASA_PORT = 8080  # web chat (/webchat, /socket.io), WhatsApp/Slack webhooks, relay
NGINX_ACTIONS_PORT = 8055  # internal: Rasa replicas -> action servers; never public
NGINX_HANDOFF_PORT = 8090  # agent console, handoff API, agents' Slack events

POSTGRES_PORT = 55432
REDIS_PORT = 56379

#: One database per owner (docs/architecture.md, "Data: who owns which database": the store is the
#: action server's, the tracker the Rasa server's, handoffs the handoff service's), all on the same
#: PostgreSQL server.
DATABASES = ("baton_store", "baton_tracker", "baton_handoff")

SERVICES: tuple[Service, ...] = (
    Service("postgres", (POSTGRES_PORT,)),
    Service("redis", (REDIS_PORT,)),
    Service(
        "rasa",
        (5015, 5016),
        (
            "TRACKER_DATABASE_URL",
            "REDIS_URL",
            "ACTION_SERVER_URL",
            "ACTION_SERVER_TOKEN",
            "HANDOFF_URL",
            "PUBLIC_URL",
            "WEBCHAT_SESSION_SECRET",
            "CHANNEL_ID_SECRET",
            "HANDOFF_SERVICE_TOKEN",
            "HANDOFF_RELAY_TOKEN",
            # the printable return labels (connectors/labels.py) read the store and check links
            "STORE_DATABASE_URL",
            "RETURN_LABEL_SECRET",
        ),
    ),
    Service(
        "actions",
        (5065, 5066),
        (
            "STORE_DATABASE_URL",
            "ACTION_SERVER_TOKEN",
            "HANDOFF_URL",
            "HANDOFF_SERVICE_TOKEN",
            "RETURN_LABEL_SECRET",
            # the handoff packet's recent conversations (actions/clients/conversations.py)
            "TRACKER_DATABASE_URL",
        ),
    ),
    Service(
        "handoff",
        (5090, 5091),
        (
            "HANDOFF_DATABASE_URL",
            "REDIS_URL",
            "RASA_RELAY_URL",
            "HANDOFF_SERVICE_TOKEN",
            "HANDOFF_RELAY_TOKEN",
            # the erasure API (handoff/routes/erasure.py) reaches every place a customer is kept
            "STORE_DATABASE_URL",
            "TRACKER_DATABASE_URL",
            "CHANNEL_ID_SECRET",
            "BATON_ADMIN_TOKEN",
        ),
    ),
    Service("nginx", (NGINX_RASA_PORT, NGINX_ACTIONS_PORT, NGINX_HANDOFF_PORT)),
)


def service(name: str) -> Service:
    """The service called ``name``; KeyError names the ones that exist."""
    for candidate in SERVICES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no service {name!r}; the profile has {[s.name for s in SERVICES]}")
