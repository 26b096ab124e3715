from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from connectors.history import events_to_messages


def test_the_transcript_shows_both_sides_and_button_clicks_by_their_titles() -> None:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("where is my order"),
        BotUttered(
            "Which order?",
            data={
                "buttons": [{"title": "10001 · Lamp", "payload": '/inform{"order_number":"10001"}'}]
            },
        ),
        UserUttered('/inform{"order_number":"10001"}'),
        BotUttered("On its way", metadata={"agent_name": "Sam"}),
        UserUttered("/session_start"),
    ]
    messages = events_to_messages(events)
    assert messages == [
        {"sender": "user", "text": "where is my order"},
        {
            "sender": "bot",
            "text": "Which order?",
            "buttons": [{"title": "10001 · Lamp", "payload": '/inform{"order_number":"10001"}'}],
        },
        {"sender": "user", "text": "10001 · Lamp"},
        {"sender": "agent", "text": "On its way", "agent_name": "Sam"},
    ]
