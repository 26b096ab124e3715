"""What customers typically bring to a shop's support, as short scripted conversations.

Used by the demo history (:mod:`analytics.seed`) and by the 100,000-conversation benchmark,
so both look like Baton's real traffic: order-status questions most of all, then returns,
refunds and policy questions, some requests the bot cannot handle, and the five ways a
conversation reaches a person (asked, misunderstood twice, complaint, policy, failure).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Optional

from bot import names


@dataclass(frozen=True)
class Say:
    """A customer message and what the bot did about it."""

    text: str
    intent: str
    confidence: float
    # (action, what the bot said or None), in order
    actions: tuple[tuple[str, Optional[str]], ...] = ()
    slots: tuple[tuple[str, object], ...] = ()


@dataclass
class Script:
    kind: str
    turns: list[Say]
    handoff: Optional[str] = None  # the ticket's reason, when it ends with a person
    ret: Optional[tuple[str, str]] = None  # (reason, method) of a return it opened
    complaint: bool = False
    after: list[Say] = field(default_factory=list)  # said to the agent while paused


OPENERS = {
    "en": {
        "order": [
            "where is my order",
            "hi, has my order shipped yet?",
            "wheres my parcel",
            "can you tell me when my order arrives",
            "tracking for my order please",
            "my order still hasn't come",
        ],
        "return": [
            "I want to return something",
            "how do i send back a jumper that doesnt fit",
            "the lamp arrived broken, can I return it",
            "i'd like a refund for my order",
        ],
        "policy": [
            "how long do I have to return things?",
            "do returns cost anything",
            "can i return sale items",
        ],
        "refund": [
            "where is my refund",
            "I sent my return back 2 weeks ago, no money yet",
            "refund status please",
        ],
        "human": [
            "can I talk to a real person",
            "agent please",
            "I want to speak to someone",
        ],
        "complaint": [
            "this is the third time my delivery has been missed, absolutely ridiculous",
            "I'm really unhappy, the courier left my parcel in the rain",
            "terrible service, nobody answers my emails",
        ],
        "oos": [
            "do you have a shop in Leeds",
            "are you hiring",
            "what's the weather like in London",
        ],
        "confused": [
            "the thing with the stuff from last week",
            "hello?? the one i told you about",
            "asdf my thing",
            "same as before",
        ],
        "thanks": ["thanks!", "great, thank you", "cheers", "perfect thanks"],
        "greet": ["hi", "hello", "hey there"],
    },
    "ko": {
        "order": ["주문한 물건 어디쯤 왔나요?", "배송 조회 부탁드려요"],
        "return": ["반품하고 싶어요", "사이즈가 안 맞아서 반품할게요"],
        "policy": ["반품 기간이 어떻게 되나요?"],
        "refund": ["환불 언제 되나요?"],
        "human": ["상담원 연결해 주세요"],
        "complaint": ["배송이 너무 늦어요. 정말 실망입니다"],
        "oos": ["오프라인 매장도 있나요?"],
        "confused": ["그거 말이에요 그거"],
        "thanks": ["감사합니다!", "고마워요"],
        "greet": ["안녕하세요"],
    },
    "zh": {
        "order": ["我的订单到哪里了？", "请帮我查一下物流"],
        "return": ["我想退货", "衣服不合适，可以退吗"],
        "policy": ["退货期限是多久？"],
        "refund": ["我的退款什么时候到账？"],
        "human": ["我要人工客服"],
        "complaint": ["快递太慢了，非常不满意"],
        "oos": ["你们有实体店吗？"],
        "confused": ["就是那个东西"],
        "thanks": ["谢谢！", "太好了，谢谢"],
        "greet": ["你好"],
    },
}

# Shop topics Baton answers from policy/shop_topics.yml but does not settle itself yet.
SHOP_TOPIC_LINES = {
    "en": (
        (names.CHANGE_ADDRESS, "can I change my delivery address"),
        (names.INVOICE, "I need an invoice for my order"),
        (names.PRODUCT_QUESTION, "do you have the oak shelf in stock"),
        (names.ACCOUNT, "how do I reset my password"),
        (names.CANCEL_ORDER, "I want to cancel my order"),
        (names.DELIVERY_OPTIONS, "how much is next day delivery"),
        (names.PAYMENT, "my card keeps getting declined"),
        (names.DISCOUNT_CODE, "my discount code isn't working"),
        (names.CHANGE_ORDER, "can I add another cushion to my order"),
    ),
    "ko": (
        (names.CHANGE_ADDRESS, "배송지 변경할 수 있나요?"),
        (names.CANCEL_ORDER, "주문 취소하고 싶어요"),
        (names.DELIVERY_OPTIONS, "배송비 얼마예요?"),
    ),
    "zh": (
        (names.CHANGE_ADDRESS, "可以改收货地址吗？"),
        (names.CANCEL_ORDER, "我想取消订单"),
        (names.INVOICE, "可以开发票吗？"),
    ),
}

RETURN_REASONS = (
    ("doesnt_fit", 0.34),
    ("changed_mind", 0.24),
    ("damaged", 0.18),
    ("wrong_item", 0.12),
    ("other", 0.12),
)
RETURN_METHODS = (("carrier", 0.62), ("drop_off", 0.38))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _line(rng: random.Random, language: str, key: str) -> str:
    return rng.choice(OPENERS[language].get(key) or OPENERS["en"][key])


def _order_number(rng: random.Random) -> str:
    return str(rng.randint(10001, 10160))


def _conf(rng: random.Random, low: float = 0.82) -> float:
    return round(rng.uniform(low, 0.995), 3)


def _prove(rng: random.Random) -> list[Say]:
    number = _order_number(rng)
    return [
        Say(
            number if rng.random() < 0.6 else f"order {number}",
            names.INFORM,
            _conf(rng),
            (
                ("order_status_form", None),
                (
                    "action_ask_verification_value",
                    "To check it's you: the e-mail address or postcode on the order?",
                ),
            ),
            ((names.SLOT_ORDER_NUMBER, number),),
        ),
        Say(
            rng.choice(["SW1A 1AA", "M1 1AE", "D02 X285", "customer@example.com", "EH1 1YZ"]),
            names.INFORM,
            _conf(rng),
            (
                (
                    names.ACTION_ORDER_STATUS,
                    "Your order is on its way with DPD and should arrive on Tuesday. Track it here: https://track.example.com/",
                ),
            ),
            ((names.SLOT_LAST_ORDER, number),),
        ),
    ]


def build(kind: str, language: str, rng: random.Random) -> Script:
    """One conversation of ``kind`` in ``language``."""
    thanks = Say(
        _line(rng, language, "thanks"),
        names.THANK,
        _conf(rng),
        (("utter_you_are_welcome", "You're welcome! Anything else, just ask."),),
    )
    greet = Say(
        _line(rng, language, "greet"),
        names.GREET,
        _conf(rng, 0.9),
        (
            (
                "utter_greet",
                "Hi! I can tell you where an order is, start a return or check a refund.",
            ),
        ),
    )
    opening = [greet] if rng.random() < 0.35 else []

    def ask(key: str, intent: str, action: str, text: Optional[str] = None) -> Say:
        return Say(_line(rng, language, key), intent, _conf(rng), ((action, text),))

    if kind == "order":
        turns = [
            *opening,
            ask("order", names.ORDER_STATUS, "order_status_form", "Sure, what's the order number?"),
            *_prove(rng),
        ]
        if rng.random() < 0.7:
            turns.append(thanks)
        return Script(kind, turns)
    if kind == "order_after_fallback":
        confused = Say(
            _line(rng, language, "confused"),
            names.NLU_FALLBACK,
            round(rng.uniform(0.2, 0.45), 3),
            (
                (
                    "action_default_fallback",
                    "Sorry, I didn't quite get that. Could you say it another way?",
                ),
            ),
        )
        turns = [
            *opening,
            confused,
            ask("order", names.ORDER_STATUS, "order_status_form", "Sure, what's the order number?"),
            *_prove(rng),
            thanks,
        ]
        return Script(kind, turns)
    if kind == "return":
        reason, method = _pick(rng, RETURN_REASONS), _pick(rng, RETURN_METHODS)
        number = _order_number(rng)
        rma = f"RMA-{rng.randint(20001, 29999)}"
        turns = [
            *opening,
            ask(
                "return",
                names.RETURN_ITEM,
                "return_form",
                "I can help with that. Which order is it?",
            ),
            Say(
                number,
                names.INFORM,
                _conf(rng),
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
                _conf(rng),
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
        if rng.random() < 0.6:
            turns.append(thanks)
        return Script(kind, turns, ret=(reason, method))
    if kind == "policy":
        return Script(
            kind,
            [
                *opening,
                ask(
                    "policy",
                    names.RETURN_POLICY,
                    names.ACTION_RETURN_POLICY,
                    "You can return most items within 30 days; returns by courier cost £3.95.",
                ),
                thanks,
            ],
        )
    if kind == "refund":
        rma = f"RMA-{rng.randint(20001, 29999)}"
        return Script(
            kind,
            [
                *opening,
                ask(
                    "refund",
                    names.REFUND_STATUS,
                    "refund_status_form",
                    "What's your return number (RMA-…)?",
                ),
                Say(
                    rma,
                    names.INFORM,
                    _conf(rng),
                    (
                        (
                            names.ACTION_REFUND_STATUS,
                            "We received it on Monday; the refund of £24.00 went back to your card "
                            "yesterday.",
                        ),
                    ),
                ),
                thanks,
            ],
        )
    if kind == "oos":
        return Script(
            kind,
            [
                *opening,
                ask(
                    "oos",
                    names.OUT_OF_SCOPE,
                    "utter_out_of_scope",
                    "I can't do that here, but our help centre can: https://help.example.com",
                ),
            ],
        )
    if kind == "shop_topic":
        topic, line = rng.choice(SHOP_TOPIC_LINES[language])
        return Script(
            kind,
            [
                *opening,
                Say(
                    line,
                    topic,
                    _conf(rng),
                    (
                        (
                            names.ACTION_SHOP_TOPIC,
                            "I can't do that in this chat yet, but a colleague can help.",
                        ),
                    ),
                ),
            ],
        )
    if kind == "chitchat":
        return Script(
            kind,
            [
                greet,
                Say(
                    "are you a bot?",
                    names.BOT_CHALLENGE,
                    _conf(rng),
                    (("utter_iamabot", "I'm Baton, the shop's assistant — a bot."),),
                ),
                Say("ok bye", names.GOODBYE, _conf(rng), (("utter_goodbye", "Bye!"),)),
            ],
        )
    # --- the five ways to a person ---
    if kind == "customer_asked":
        turns = [
            *opening,
            ask(
                "human",
                names.HUMAN_HANDOFF,
                names.ACTION_HANDOFF,
                "I'm passing you to a member of our team.",
            ),
        ]
        return Script(kind, turns, handoff="customer_asked")
    if kind == "misunderstood":
        first = Say(
            _line(rng, language, "confused"),
            names.NLU_FALLBACK,
            round(rng.uniform(0.2, 0.45), 3),
            (
                (
                    "action_default_fallback",
                    "Sorry, I didn't quite get that. Could you say it another way?",
                ),
            ),
        )
        second = Say(
            _line(rng, language, "confused"),
            names.NLU_FALLBACK,
            round(rng.uniform(0.2, 0.45), 3),
            (
                (
                    names.ACTION_HANDOFF,
                    "I'm sorry, I'm not getting this. Let me pass you to a person.",
                ),
            ),
        )
        return Script(kind, [*opening, first, second], handoff="misunderstood")
    if kind == "complaint":
        return Script(
            kind,
            [
                ask(
                    "complaint",
                    names.COMPLAIN,
                    names.ACTION_HANDOFF,
                    "I'm sorry. I'm passing you to a person straight away.",
                )
            ],
            handoff="complaint",
            complaint=True,
        )
    if kind == "policy_case":
        number = _order_number(rng)
        turns = [
            *opening,
            ask(
                "return",
                names.RETURN_ITEM,
                "return_form",
                "I can help with that. Which order is it?",
            ),
            Say(
                number,
                names.INFORM,
                _conf(rng),
                (
                    (
                        "action_ask_return_items",
                        "This order is past the 30-day window, so a person needs to decide. "
                        "Shall I pass you to the team?",
                    ),
                ),
                ((names.SLOT_HANDOFF_REASON, "policy"),),
            ),
            Say(
                "yes",
                names.AFFIRM,
                _conf(rng),
                ((names.ACTION_HANDOFF, "I'm passing you to a member of our team."),),
            ),
        ]
        return Script(kind, turns, handoff="policy")
    if kind == "action_failed":
        turns = [
            *opening,
            ask("order", names.ORDER_STATUS, "order_status_form", "Sure, what's the order number?"),
            Say(
                _order_number(rng),
                names.INFORM,
                _conf(rng),
                (
                    (
                        names.ACTION_ORDER_STATUS,
                        "Sorry, something went wrong on our side. Shall I get a person?",
                    ),
                ),
                ((names.SLOT_HANDOFF_REASON, "action_failed"),),
            ),
            Say(
                "yes please",
                names.AFFIRM,
                _conf(rng),
                ((names.ACTION_HANDOFF, "I'm passing you to a member of our team."),),
            ),
        ]
        return Script(kind, turns, handoff="action_failed")
    raise ValueError(f"unknown conversation kind {kind!r}")


# How often each kind of conversation happens, per channel (weights).
MIX = {
    "webchat": (
        ("order", 30),
        ("order_after_fallback", 5),
        ("return", 12),
        ("policy", 8),
        ("refund", 7),
        ("oos", 2),
        ("shop_topic", 8),
        ("chitchat", 5),
        ("customer_asked", 10),
        ("misunderstood", 5),
        ("complaint", 5),
        ("policy_case", 4),
        ("action_failed", 2),
    ),
    "whatsapp": (
        ("order", 34),
        ("order_after_fallback", 6),
        ("return", 10),
        ("policy", 5),
        ("refund", 8),
        ("oos", 2),
        ("shop_topic", 7),
        ("chitchat", 3),
        ("customer_asked", 12),
        ("misunderstood", 7),
        ("complaint", 6),
        ("policy_case", 3),
        ("action_failed", 1),
    ),
    "slack": (
        ("order", 28),
        ("order_after_fallback", 4),
        ("return", 9),
        ("policy", 12),
        ("refund", 8),
        ("oos", 3),
        ("shop_topic", 9),
        ("chitchat", 6),
        ("customer_asked", 8),
        ("misunderstood", 4),
        ("complaint", 3),
        ("policy_case", 6),
        ("action_failed", 2),
    ),
}
LANGUAGE_MIX = {
    "webchat": (("en", 0.88), ("zh", 0.07), ("ko", 0.05)),
    "whatsapp": (("en", 0.78), ("ko", 0.12), ("zh", 0.10)),
    "slack": (("en", 0.97), ("zh", 0.02), ("ko", 0.01)),
}


def random_script(channel: str, rng: random.Random) -> tuple[str, Script]:
    """A language and a conversation, drawn from the channel's usual mix."""
    language = _pick(rng, LANGUAGE_MIX[channel])
    mix = MIX[channel]
    kind = rng.choices([k for k, _ in mix], [w for _, w in mix])[0]
    return language, build(kind, language, rng)
