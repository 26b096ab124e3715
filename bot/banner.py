"""The summary `make run` prints once Baton answers: the one part of its output to read.

Where to chat (browser or ``baton shell``), where the agents work and the demo agent's login,
which channels are on and what turns the others on, where the logs are. Kept apart from the
launcher so it can be checked without starting anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.console import shown


def summary(env: dict[str, str], fake_urls: list[str], shop_line: str, logs: Path) -> str:
    """The "Baton is running" box: where to chat, where the agents work, what is on."""
    public = env["PUBLIC_URL"].rstrip("/")
    return (
        "\n"
        f"  Baton is running.\n"
        f"  Web chat:      {public}/webchat\n"
        f"  Terminal chat: {shell_command(env)}\n"
        f"  Action server: http://127.0.0.1:{env['ACTION_PORT']}/health\n"
        f"{console_lines(env)}"
        f"{channel_lines(env, fake_urls)}"
        f"{shop_line}"
        f"  Logs:          {shown(logs)}/\n"
        f"  Press Ctrl-C to stop.\n"
    )


def shell_command(env: dict[str, str]) -> str:
    """How to chat from another terminal: the ``baton`` script beside this Python if installed
    (``python -m bot shell`` otherwise), and ``--url`` unless Rasa is on its usual port."""
    script = Path(sys.executable).with_name("baton")
    command = (
        f"{shown(script)} shell"
        if script.exists()
        else f"{shown(Path(sys.executable))} -m bot shell"
    )
    port = env.get("RASA_PORT", "5005")
    return command if port == "5005" else f"{command} --url http://127.0.0.1:{port}"


def channel_lines(env: dict[str, str], fake_urls: list[str]) -> str:
    """WhatsApp and Slack: on (where) or off (what to set), and the fakes' pages if running."""
    from connectors.channel_settings import describe_channels

    lines = "".join(f"  {line}\n" for line in describe_channels(env))
    if fake_urls:
        lines += (
            f"  Fake WhatsApp: {fake_urls[0]}/  (chat as a demo customer's phone)\n"
            f"  Fake Slack:    {fake_urls[1]}/  (chat as a demo workspace member)\n"
        )
    elif "off" in lines:
        lines += "  Try WhatsApp and Slack offline: BATON_FAKE_CHANNELS=1 make run\n"
    return lines


def console_lines(env: dict[str, str]) -> str:
    """The agent console's address and, in local mode, the demo agent's login."""
    lines = f"  Agent console: {env['HANDOFF_PUBLIC_URL'].rstrip('/')}/\n"
    if env.get("HANDOFF_DEMO_AGENT", "").lower() in ("1", "true", "yes", "on"):
        from handoff.settings import load_settings

        settings = load_settings()
        lines += (
            f"  Demo agent:    {settings.demo_username} / {settings.demo_password}"
            f"  (password kept in {shown(Path(env['BATON_VAR_DIR']) / 'secrets')})\n"
        )
    return lines
