"""What an agent may save as console preferences (handoff/preferences.py): the known fields
with their known values, nothing else, each refusal saying why."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.preferences import Preferences, PreferencesInvalid, parse_changes


def test_only_the_fields_sent_are_changed() -> None:
    assert parse_changes({"language": "ko"}) == {"language": "ko"}
    assert parse_changes({"notifications": True, "sound": False}) == {
        "notifications": True,
        "sound": False,
    }


def test_a_null_language_means_the_browsers_language() -> None:
    assert parse_changes({"language": None}) == {"language": None}


def test_a_new_agent_follows_the_browser_with_notifications_off_and_sound_on() -> None:
    assert Preferences().public() == {"language": None, "notifications": False, "sound": True}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"language": "fr"}, "language is one of en, ko, zh"),
        ({"language": "KO"}, "language is one of en, ko, zh"),
        ({"language": ["ko"]}, "language is one of en, ko, zh"),
        ({"notifications": "yes"}, "notifications is true or false"),
        ({"notifications": 1}, "notifications is true or false"),
        ({"sound": None}, "sound is true or false"),
        ({"theme": "dark"}, "unknown preference theme"),
        ({}, "send one or more of language, notifications, sound"),
        (["language", "ko"], "send the preferences as a JSON object"),
        (None, "send the preferences as a JSON object"),
    ],
)
def test_anything_else_is_refused_with_the_reason(body: Any, reason: str) -> None:
    with pytest.raises(PreferencesInvalid, match=reason):
        parse_changes(body)


def test_a_refusal_names_no_more_than_a_short_piece_of_an_unknown_key() -> None:
    with pytest.raises(PreferencesInvalid) as refused:
        parse_changes({"x" * 5000: 1})
    assert len(str(refused.value)) < 200
