"""Answer a shop topic Baton does not settle itself yet (cancel, change, delivery, payment...).

Thin: the answers live in ``policy/shop_topics.yml`` and :mod:`actions.services.shop_topics`.
When the shop offers a person for the topic, the ``handoff_reason`` slot says so, and a
customer who taps "talk to a person" reaches an agent who sees why.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language, send
from actions.failures import apologise_on_failure
from actions.returns_common import latest_intent
from actions.services import shop_topics
from bot import names


class ActionShopTopic(Action):
    def name(self) -> str:
        return names.ACTION_SHOP_TOPIC

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        topic = shop_topics.load_topics().get(latest_intent(tracker))
        if topic is None:  # not one of ours (a rule reached here some other way)
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        send(dispatcher, shop_topics.replies(topic, language(tracker)))
        if topic.offer_person:
            return [SlotSet(names.SLOT_HANDOFF_REASON, shop_topics.HANDOFF_REASON)]
        return []
