"""Cancellations in the demo history: the order, the proof, then done (with the refund),
refused (already on its way), or stopped at the last step — each ending with the
``flow_outcome`` event the real cancel flow records (:mod:`analytics.scenarios`)."""

from __future__ import annotations

from decimal import Decimal

from analytics.scenario_steps import Say, Script, Start, conf, order_number
from bot import names

PROOFS = ("SW1A 1AA", "M1 1AE", "D02 X285", "customer@example.com", "EH1 1YZ")
# how cancellations end in the demo: most are done, some too late, a few change their mind
ENDINGS = (("done", 0.62), ("refused", 0.23), ("stopped", 0.15))


def _outcome(outcome: str, amount: str = "", currency: str = "", detail: str = "") -> object:
    value: dict[str, str] = {"flow": "cancel", "outcome": outcome}
    if amount:
        value.update(amount=amount, currency=currency)
    if detail:
        value["detail"] = detail
    return value


def cancel(s: Start) -> Script:
    """Cancel an order: the number, the proof, and one of the three endings."""
    rng = s.rng
    number = order_number(rng)
    ending = rng.choices([e for e, _ in ENDINGS], [w for _, w in ENDINGS])[0]
    currency = "EUR" if rng.random() < 0.2 else "GBP"
    amount = str(Decimal(rng.randint(1800, 16000)) / 100)
    turns = [
        *s.opening,
        s.ask("cancel", names.CANCEL_ORDER, names.FORM_CANCEL, "Sure, which order is it?"),
        Say(
            number,
            names.INFORM,
            conf(rng),
            (
                (
                    "action_ask_verification_value",
                    "To check it's you: the e-mail address or postcode on the order?",
                ),
            ),
            ((names.SLOT_ORDER_NUMBER, number),),
        ),
    ]
    proof = rng.choice(PROOFS)
    if ending == "refused":
        said = f"Order {number} has already left our warehouse, so I can't cancel it."
        ended = _outcome("refused", detail="on_its_way")
        turns.append(
            Say(
                proof,
                names.INFORM,
                conf(rng),
                ((names.ACTION_CANCEL_ORDER, said),),
                ((names.SLOT_FLOW_OUTCOME, ended),),
            )
        )
        return Script(s.kind, turns)
    ask = f"You'd get {amount} {currency} back. Shall I cancel the whole order?"
    turns.append(Say(proof, names.INFORM, conf(rng), ((names.ACTION_ASK_CANCEL_CONFIRMED, ask),)))
    if ending == "done":
        said = f"Done: order {number} is cancelled. {amount} {currency} is on its way back."
        turns.append(
            Say(
                "/affirm",
                names.AFFIRM,
                1.0,
                ((names.ACTION_CANCEL_ORDER, said),),
                ((names.SLOT_FLOW_OUTCOME, _outcome("done", amount, currency)),),
            )
        )
        if rng.random() < 0.6:
            turns.append(s.thanks)
    else:
        said = f"OK, I haven't changed anything: order {number} goes ahead as planned."
        turns.append(
            Say(
                "/deny",
                names.DENY,
                1.0,
                ((names.ACTION_CANCEL_ORDER, said),),
                ((names.SLOT_FLOW_OUTCOME, _outcome("stopped", detail="kept")),),
            )
        )
    return Script(s.kind, turns)


BUILDERS = {"cancel": cancel}
