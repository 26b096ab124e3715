"""Baton's programs for the production profile (:mod:`infra.prod`).

infra is the kernel and imports none of Baton's other packages, so whoever starts the profile
(``make run-prod`` through :mod:`infra.prod_cli`, the tests, the benchmarks) hands it these: the
replicas' command lines (:mod:`bot.launcher`), the local defaults of their environment
(:func:`bot.settings.local_environment`) and the local Twilio and Slack fakes
(:func:`fakes.launch.start_fakes`, started only with ``fake_channels=True``).
"""

from __future__ import annotations

from infra.prod import Programs


def programs() -> Programs:
    from bot.launcher import action_command, handoff_command, rasa_command
    from bot.settings import local_environment
    from fakes.launch import start_fakes

    return Programs(
        environment=local_environment,
        rasa=rasa_command,
        actions=action_command,
        handoff=handoff_command,
        fake_channels=start_fakes,
    )
