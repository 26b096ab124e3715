"""The documentation holds together: a short README that leads to every page, links that
resolve (files and their sections), pages that point nowhere outside the repository, and Slack
app manifests that match the endpoints the code serves. Reads files only: no model, no server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
LINKED_FILES = [README, ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", ROOT / "SECURITY.md"]
SLACK = ROOT / "deploy" / "slack"

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def without_code_blocks(text: str) -> str:
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its words
    text = text.replace("`", "").lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in "-_ ")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, heading in HEADING.findall(without_code_blocks(path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def links(path: Path) -> list[str]:
    return LINK.findall(without_code_blocks(path.read_text()))


def test_the_readme_is_a_five_minute_read() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; move detail into docs/"


def test_the_readme_links_every_page_in_docs() -> None:
    targets = {link.split("#", 1)[0] for link in links(README)}
    missing = [p.name for p in PAGES if f"docs/{p.name}" not in targets]
    assert not missing, f"README.md does not link {missing}"
    for name in ("SECURITY.md", "CONTRIBUTING.md", "CHANGELOG.md", "LICENSE"):
        assert name in targets, name
        assert (ROOT / name).is_file(), name


@pytest.mark.parametrize("path", LINKED_FILES + PAGES, ids=lambda p: p.name)
def test_relative_links_resolve_to_files_and_sections(path: Path) -> None:
    broken = []
    for link in links(path):
        if re.match(r"[a-z]+:", link):  # https:, mailto:
            continue
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            broken.append(f"{link}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{link}: no such section in {file.name}")
    assert not broken, f"{path.name}: " + "; ".join(broken)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_point_nowhere_outside_the_repository(path: Path) -> None:
    text = path.read_text()
    outside = [link for link in links(path) if re.match(r"[a-z]+:", link)]
    assert not outside, f"{path.name} links outside the repository: {outside}"
    # a design file and a shared folder outside the checkout (spelled apart so that a search of
    # the repository for either finds nothing)
    for outside_name in ("DESIGN" + ".md", "../" + "shared"):
        assert outside_name not in text, outside_name
    assert not re.search(r"(?i)\bissues?\s*#?\d+|(?<![\w&])#\d{1,4}\b", text), path.name


def manifest(name: str) -> dict:
    return yaml.safe_load((SLACK / name).read_text())


def test_the_customer_app_manifest_matches_the_slack_connector() -> None:
    app = manifest("customer-app-manifest.yml")
    connector = (ROOT / "connectors" / "slack.py").read_text()
    events = app["settings"]["event_subscriptions"]
    interactivity = app["settings"]["interactivity"]
    assert events["request_url"].endswith("/webhooks/slack/webhook")
    assert interactivity["is_enabled"] and interactivity["request_url"].endswith(
        "/webhooks/slack/actions"
    )
    for path in ("/webhooks/slack/webhook", "/webhooks/slack/actions"):
        assert path in connector
    assert set(events["bot_events"]) == {
        "app_mention",
        "message.im",
        "message.channels",
        "message.groups",
    }
    scopes = set(app["oauth_config"]["scopes"]["bot"])
    # users.info + the e-mail that identifies the customer, conversations.open for the DM
    assert {"chat:write", "users:read", "users:read.email", "im:write", "im:history"} <= scopes
    assert app["features"]["app_home"]["messages_tab_enabled"]
    assert "slash_commands" not in app["features"]


def test_the_agent_app_manifest_matches_the_handoff_routes() -> None:
    app = manifest("agent-app-manifest.yml")
    routes = (ROOT / "handoff" / "routes" / "slack.py").read_text()
    events = app["settings"]["event_subscriptions"]
    interactivity = app["settings"]["interactivity"]
    for url in (events["request_url"], interactivity["request_url"]):
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        assert f'@slack.post("{path}")' in routes, path
    assert {"message.channels", "message.groups"} == set(events["bot_events"])
    assert {"chat:write", "users:read", "channels:history"} <= set(
        app["oauth_config"]["scopes"]["bot"]
    )
    assert "slash_commands" not in app["features"]


def test_the_manifests_are_linked_from_the_channel_and_agent_pages() -> None:
    assert "../deploy/slack/customer-app-manifest.yml" in (DOCS / "channels.md").read_text()
    assert "../deploy/slack/agent-app-manifest.yml" in (DOCS / "agents.md").read_text()
