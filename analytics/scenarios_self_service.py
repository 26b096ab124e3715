"""Conversations the bot handles itself: order status, returns, refunds, the policy, the
shop's topics, chit-chat (:mod:`analytics.scenarios`)."""

from __future__ import annotations

from collections.abc import Callable

from analytics.scenario_lines import RETURN_METHODS, RETURN_REASONS, SHOP_TOPIC_LINES
from analytics.scenario_steps import Say, Script, Start, conf, line, order_number, pick, prove
from bot import names


def order(s: Start) -> Script:
    """Where is my order: the number, a proof, the answer."""
    turns = [
        *s.opening,
        s.ask("order", names.ORDER_STATUS, "order_status_form", "Sure, what's the order number?"),
        *prove(s.rng),
    ]
    if s.rng.random() < 0.7:
        turns.append(s.thanks)
    return Script(s.kind, turns)


def order_after_fallback(s: Start) -> Script:
    """The same, after a first message the bot did not understand."""
    confused = Say(
        line(s.rng, s.language, "confused"),
        names.NLU_FALLBACK,
        round(s.rng.uniform(0.2, 0.45), 3),
        (
            (
                "action_default_fallback",
                "Sorry, I didn't quite get that. Could you say it another way?",
            ),
        ),
    )
    turns = [
        *s.opening,
        confused,
        s.ask("order", names.ORDER_STATUS, "order_status_form", "Sure, what's the order number?"),
        *prove(s.rng),
        s.thanks,
    ]
    return Script(s.kind, turns)


def return_(s: Start) -> Script:
    """A return from start to finish: order, items, reason, method, yes."""
    reason, method = pick(s.rng, RETURN_REASONS), pick(s.rng, RETURN_METHODS)
    number = order_number(s.rng)
    rma = f"RMA-{s.rng.randint(20001, 29999)}"
    turns = [
        *s.opening,
        s.ask(
            "return",
            names.RETURN_ITEM,
            "return_form",
            "I can help with that. Which order is it?",
        ),
        Say(
            number,
            names.INFORM,
            conf(s.rng),
            ((names.ACTION_ASK_RETURN_ITEMS, "Which items are going back?"),),
            ((names.SLOT_RETURN_ORDER, number),),
        ),
        Say(
            "/choose_items",
            names.INFORM,
            1.0,
            ((names.ACTION_ASK_RETURN_REASON, "What's the reason for the return?"),),
            ((names.SLOT_RETURN_ITEMS, "1"),),
        ),
        Say(
            f'/reason{{"reason":"{reason}"}}',
            names.INFORM,
            1.0,
            (
                (
                    names.ACTION_ASK_RETURN_METHOD,
                    "Drop it at a store or have a courier collect it?",
                ),
            ),
            ((names.SLOT_RETURN_REASON, reason),),
        ),
        Say(
            f'/method{{"method":"{method}"}}',
            names.INFORM,
            1.0,
            ((names.ACTION_ASK_RETURN_CONFIRMED, "Shall I open the return?"),),
            ((names.SLOT_RETURN_METHOD, method),),
        ),
        Say(
            "yes please",
            names.AFFIRM,
            conf(s.rng),
            (
                (
                    names.ACTION_SUBMIT_RETURN,
                    f"Done: your return is {rma}. The label is here: https://labels.example.com/{rma}",
                ),
            ),
            (
                (names.SLOT_RETURN_REASON, None),
                (names.SLOT_RETURN_METHOD, None),
                (names.SLOT_LAST_RMA, rma),
            ),
        ),
    ]
    if s.rng.random() < 0.6:
        turns.append(s.thanks)
    return Script(s.kind, turns, ret=(reason, method))


def policy(s: Start) -> Script:
    """A question about the return policy."""
    return Script(
        s.kind,
        [
            *s.opening,
            s.ask(
                "policy",
                names.RETURN_POLICY,
                names.ACTION_RETURN_POLICY,
                "You can return most items within 30 days; returns by courier cost £3.95.",
            ),
            s.thanks,
        ],
    )


def refund(s: Start) -> Script:
    """Where is my refund: the return number, the answer."""
    rma = f"RMA-{s.rng.randint(20001, 29999)}"
    return Script(
        s.kind,
        [
            *s.opening,
            s.ask(
                "refund",
                names.REFUND_STATUS,
                "refund_status_form",
                "What's your return number (RMA-…)?",
            ),
            Say(
                rma,
                names.INFORM,
                conf(s.rng),
                (
                    (
                        names.ACTION_REFUND_STATUS,
                        "We received it on Monday; the refund of £24.00 went back to your card "
                        "yesterday.",
                    ),
                ),
            ),
            s.thanks,
        ],
    )


def oos(s: Start) -> Script:
    """Something the bot cannot do here."""
    return Script(
        s.kind,
        [
            *s.opening,
            s.ask(
                "oos",
                names.OUT_OF_SCOPE,
                "utter_out_of_scope",
                "I can't do that here, but our help centre can: https://help.example.com",
            ),
        ],
    )


def shop_topic(s: Start) -> Script:
    """A topic of the shop's own (delivery, payment, ...) the bot passes on."""
    topic, line = s.rng.choice(SHOP_TOPIC_LINES[s.language])
    return Script(
        s.kind,
        [
            *s.opening,
            Say(
                line,
                topic,
                conf(s.rng),
                (
                    (
                        names.ACTION_SHOP_TOPIC,
                        "I can't do that in this chat yet, but a colleague can help.",
                    ),
                ),
            ),
        ],
    )


def chitchat(s: Start) -> Script:
    """Hello, are you a bot, bye."""
    return Script(
        s.kind,
        [
            s.greet,
            Say(
                "are you a bot?",
                names.BOT_CHALLENGE,
                conf(s.rng),
                (("utter_iamabot", "I'm Baton, the shop's assistant — a bot."),),
            ),
            Say("ok bye", names.GOODBYE, conf(s.rng), (("utter_goodbye", "Bye!"),)),
        ],
    )


BUILDERS: dict[str, Callable[[Start], Script]] = {
    "order": order,
    "order_after_fallback": order_after_fallback,
    "return": return_,
    "policy": policy,
    "refund": refund,
    "oos": oos,
    "shop_topic": shop_topic,
    "chitchat": chitchat,
}
