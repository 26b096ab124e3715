"""The two patches to Rasa's calls to the action server that had no comparison with Rasa's own
code (tests/speed compares the others on the trained model): what changes is what they say."""

from __future__ import annotations

import json

from bot import names, patches

DOMAIN = f"""
version: "3.1"
intents: [human_handoff, greet]
entities: [language]
slots:
  language:
    type: categorical
    values: [en, ko, zh]
    mappings: [{{type: from_entity, entity: language}}]
responses:
  utter_greet:
  - text: Hi!
  - text: 안녕하세요!
    condition: [{{type: slot, name: language, value: ko}}]
actions: [{names.ACTION_HANDOFF}]
"""


def test_an_action_call_is_rasas_own_with_the_domain_sent_without_its_responses() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.server import _action_call_format

    rasas = patches.original(patches.by_name("action-call-domain"))
    domain = Domain.from_yaml(DOMAIN)
    action = RemoteAction(names.ACTION_HANDOFF, EndpointConfig("http://127.0.0.1:5055/webhook"))
    tracker = DialogueStateTracker.from_events(
        "someone",
        [
            ActionExecuted("action_listen"),
            UserUttered("talk to a person", {"name": "human_handoff", "confidence": 0.9}),
            SlotSet("language", "en"),
        ],
        domain.slots,
    )

    theirs = rasas(action, tracker, domain)
    ours = _action_call_format(action, tracker, domain)

    assert "responses" not in ours["domain"]
    assert theirs["domain"]["responses"]["utter_greet"]
    assert ours["domain"]["slots"]["language"]["values"] == ["en", "ko", "zh"]
    assert {**ours, "domain": {**ours["domain"], "responses": domain.as_dict()["responses"]}} == (
        theirs
    )


async def test_the_action_servers_session_is_rasas_own_kept_open_for_the_next_call() -> None:
    from rasa.utils.endpoints import EndpointConfig

    from bot.server import _dumps, _shared_session

    endpoint = EndpointConfig(
        "http://127.0.0.1:5055/webhook",
        headers={"X-Shop": "demo"},
        basic_auth={"username": "rasa", "password": "secret"},
    )
    rasas = patches.original(patches.by_name("action-server-session"))(endpoint)
    try:
        async with _shared_session(endpoint) as first, _shared_session(endpoint) as second:
            assert first is second  # one keep-alive session, not one per call
            assert dict(first.headers) == dict(rasas.headers)
            assert first.auth == rasas.auth
            assert first.timeout == rasas.timeout
            assert first.json_serialize is _dumps
        assert not first.closed  # left open for the next call
        payload = {"text": "café / 주문", "n": [1, 2.5, None]}
        assert json.loads(_dumps(payload)) == json.loads(rasas.json_serialize(payload))
    finally:
        await rasas.close()
        await first.close()
