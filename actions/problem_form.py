"""The problem form: the order and its proof exactly as for "where is my order?"
(:class:`actions.after_proof.AfterProofForm`), then what went wrong, the item and the photo
only where the rules need them, and the yes only when a claim can be opened; and its questions,
each with buttons in the customer's language.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.after_proof import AfterProofForm, AskAboutTheOrder, kept_language
from actions.common import language, send
from actions.failures import apologise_on_failure
from actions.problem_report import (
    Report,
    claimed_by_key,
    item_named,
    item_of,
    photo_of,
    report_in,
    stocked_report,
    texts_of,
)
from actions.services import problems_choice, problems_replies
from actions.services.cancel_items import open_items
from actions.services.order_numbers import normalize_order_number
from actions.shop.current import get_shop
from actions.store.models import Order
from bot import names
from infra.uploads import is_reference

_ASKING = (
    names.SLOT_PROBLEM_KIND,
    names.SLOT_PROBLEM_ITEM,
    names.SLOT_PROBLEM_PHOTO,
    names.SLOT_PROBLEM_CONFIRMED,
)


class ValidateProblemForm(AfterProofForm):
    """The order and its proof are checked exactly as for "where is my order?"; then what went
    wrong, the item and the photo only where the rules need them, and the yes only when a
    claim can be opened."""

    def name(self) -> str:
        return names.ACTION_VALIDATE_PROBLEM_FORM

    asking = _ASKING

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        finding = [names.SLOT_ORDER_NUMBER, names.SLOT_VERIFICATION]
        found = await super().required_slots(finding, dispatcher, tracker, domain)
        if tracker.get_slot(names.SLOT_ORDER_LOCKED):
            return found  # locked: nothing to ask, action_report_problem says so
        if found != [names.SLOT_ORDER_NUMBER]:
            # Still finding the order or its proof; what went wrong is heard meanwhile ("it
            # never arrived, order 10060"), and asked only once the order is proven.
            return [*found, names.SLOT_PROBLEM_KIND]
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        order = await get_shop().order(number or "")
        if order is None:
            return found
        slots = [*found, names.SLOT_PROBLEM_KIND]
        kind = tracker.get_slot(names.SLOT_PROBLEM_KIND)
        if problems_choice.needs_item(kind):
            slots.append(names.SLOT_PROBLEM_ITEM)
        report = report_in(order, tracker)
        if report is None:
            return slots  # what went wrong, or which item, still to ask
        if await claimed_by_key(report.key) is not None:
            return slots  # claimed before: action_report_problem says its number
        decision = report.decide()
        if decision.outcome == "photo_needed" or report.photo is not None:
            slots.append(names.SLOT_PROBLEM_PHOTO)
        if decision.outcome in problems_replies.CLAIMS:
            slots.append(names.SLOT_PROBLEM_CONFIRMED)
        return slots  # anything else: the form ends, action_report_problem says it

    async def extract_problem_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """What went wrong, from the words of this report ("it arrived smashed"), before the
        question is asked; the answer to the question comes through the domain's mappings."""
        if tracker.get_slot(names.SLOT_PROBLEM_KIND) is not None:
            return {}
        if tracker.get_slot("requested_slot") == names.SLOT_PROBLEM_KIND:
            return {}
        kind = problems_choice.kind_in_any(texts_of(tracker))
        if kind is None:
            return {}
        return {names.SLOT_PROBLEM_KIND: f"{problems_choice.KIND}:{kind}"}

    async def extract_problem_photo(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if is_reference(tracker.get_slot(names.SLOT_PROBLEM_PHOTO)):
            return {}
        photo = photo_of(tracker)
        return {names.SLOT_PROBLEM_PHOTO: photo} if photo else {}

    async def validate_problem_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = problems_choice.kind_in(value)
        if kind is None:
            dispatcher.utter_message(response="utter_problem_kind_not_understood")
            return {names.SLOT_PROBLEM_KIND: None}
        found: dict[str, Any] = {names.SLOT_PROBLEM_KIND: kind}
        if problems_choice.needs_item(kind) and tracker.get_slot(names.SLOT_PROBLEM_ITEM) is None:
            item = await item_named(tracker)
            if item is not None:
                found[names.SLOT_PROBLEM_ITEM] = str(item.id)
        return found

    async def validate_problem_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER))
        order = await get_shop().order(number or "")
        items = open_items(order) if order is not None else ()
        found = problems_choice.item_in(value, items)
        if found is None:
            dispatcher.utter_message(response="utter_problem_item_not_understood")
            return {names.SLOT_PROBLEM_ITEM: None, **kept_language(tracker)}
        return {names.SLOT_PROBLEM_ITEM: str(found.id), **kept_language(tracker)}

    async def validate_problem_photo(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Only what a channel kept counts: a reference typed by the customer is not a photo.
        photo = photo_of(tracker)
        if photo is not None and (value == photo or not is_reference(value)):
            return {names.SLOT_PROBLEM_PHOTO: photo, **kept_language(tracker)}
        # asked again by action_ask_problem_photo
        return {names.SLOT_PROBLEM_PHOTO: None, **kept_language(tracker)}

    async def validate_problem_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {names.SLOT_PROBLEM_CONFIRMED: value if isinstance(value, bool) else None}


class ActionAskProblemKind(AskAboutTheOrder):
    """ "What happened?" with a button per kind of problem."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_KIND

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        send(dispatcher, [problems_choice.ask_kind(order.number, lang)])


class ActionAskProblemItem(AskAboutTheOrder):
    """ "Which item?" with a button per item of the order."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_ITEM

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        send(dispatcher, [problems_choice.ask_item(order.number, open_items(order), lang)])


def _asked_before(tracker: Tracker, action: str) -> bool:
    """Whether ``action`` already ran in this report (so the question is being asked again)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == names.FORM_PROBLEM:
            return False
        if event.get("event") == "action" and event.get("name") == action:
            return True
    return False


class ActionAskProblemPhoto(AskAboutTheOrder):
    """A photo of the item, and how to send it; asked again, that it is still needed."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_PHOTO

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        item = item_of(order, tracker.get_slot(names.SLOT_PROBLEM_ITEM))
        name = item.product_name if item is not None else ""
        again = _asked_before(tracker, self.name())
        response = "utter_problem_photo_still_needed" if again else "utter_ask_problem_photo"
        dispatcher.utter_message(response=response, item=name)


class ActionAskProblemConfirmed(AskAboutTheOrder):
    """What the claim settles, with what and for how much, and "shall I open it?"."""

    def name(self) -> str:
        return names.ACTION_ASK_PROBLEM_CONFIRMED

    @apologise_on_failure
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """As every question about the order, with the shop's stock read first: whether a
        replacement can be offered is the shop's answer, asked once."""
        number = normalize_order_number(tracker.get_slot(names.SLOT_ORDER_NUMBER)) or ""
        order = await get_shop().order(number)
        if order is None:
            return []
        report = await stocked_report(order, tracker)
        if report is not None:
            self.confirm(dispatcher, report, language(tracker))
        return []

    def ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order: Order, lang: str
    ) -> None:
        """Without the shop's stock (every line unknown): the refund is offered."""
        report = report_in(order, tracker)
        if report is not None:
            self.confirm(dispatcher, report, lang)

    @staticmethod
    def confirm(dispatcher: CollectingDispatcher, report: Report, lang: str) -> None:
        decision = report.decide()
        if decision.outcome in problems_replies.CLAIMS:
            send(dispatcher, [problems_replies.confirm(decision, report.order, lang)])
