"""The rule policy's rule lookup, with each rule parsed once and the walk stopped early.

Rasa 3.6's ``RulePolicy._get_possible_keys`` finds the rules that fit a conversation by
walking its states from the newest back to the first and, at every step, re-filtering the
rules still in play: each check re-reads the rule's states (a JSON key, parsed through a
cache, then copied and reversed), and the walk goes on to the conversation's very first
state although no rule is longer than a few states — a rule shorter than the steps walked
fits by definition. Baton predicts four to six actions a turn over 178 rules, and this
filtering was the rule policy's largest cost.

:func:`install` replaces it with the same test done with the rules' reversed states parsed
once per lookup table, stopping as soon as every rule still in play is shorter than the
steps walked (from then on Rasa's loop can only keep every rule). The set returned is the
same; the per-state test is Rasa's own ``_does_rule_match_state``.
"""

from __future__ import annotations

import json
from typing import Any

_installed = False
Parsed = list[tuple[str, list[dict[str, Any]]]]  # (rule key, its states newest first)
_parsed: dict[int, tuple[dict[str, Any], Parsed, int]] = {}


def install() -> None:
    """Patch ``RulePolicy._get_possible_keys`` (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.policies.rule_policy import RulePolicy

    RulePolicy._get_possible_keys = _get_possible_keys
    _installed = True


def _rules(lookup: dict[str, Any]) -> tuple[Parsed, int]:
    """Every rule of a lookup table with its states newest first, and the longest rule."""
    cached = _parsed.get(id(lookup))
    if cached is None or cached[0] is not lookup or len(cached[1]) != len(lookup):
        rules = [(key, [_frozen(state) for state in reversed(json.loads(key))]) for key in lookup]
        longest = max((len(states) for _, states in rules), default=0)
        cached = _parsed[id(lookup)] = (lookup, rules, longest)
    return cached[1], cached[2]


def _frozen(state: dict[str, Any]) -> dict[str, Any]:
    """A rule state with its lists as tuples, as ``_does_rule_match_state`` converts them on
    every call (JSON has no tuples)."""
    return {
        kind: {k: tuple(v) if isinstance(v, list) else v for k, v in sub_state.items()}
        for kind, sub_state in state.items()
    }


def _get_possible_keys(self: Any, lookup: dict[str, Any], states: list[Any]) -> set[str]:
    """The keys of ``lookup`` whose rule fits ``states`` (as ``RulePolicy._get_possible_keys``)."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    possible, longest = _rules(lookup)
    for turn, state in enumerate(reversed(states)):
        if turn >= longest:
            break  # every rule left is shorter than the steps walked: all of them fit
        current_previous = state.get(PREVIOUS_ACTION)
        kept: Parsed = []
        for key, rule_states in possible:
            if turn >= len(rule_states):
                kept.append((key, rule_states))
                continue
            rule_state = rule_states[turn]
            rule_previous = rule_state.get(PREVIOUS_ACTION)
            if not rule_previous and not current_previous:
                kept.append((key, rule_states))  # both are conversation starts
            elif (
                rule_previous
                and current_previous
                and self._does_rule_match_state(rule_state, state)
            ):
                kept.append((key, rule_states))
        possible = kept
        longest = max((len(rule_states) for _, rule_states in possible), default=0)
    return {key for key, _ in possible}
