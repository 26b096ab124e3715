"""The rule policy's rule lookup, with each rule parsed once and the walk stopped early.

Rasa 3.6's ``RulePolicy._get_possible_keys`` finds the rules that fit a conversation by
walking its states from the newest back to the first and, at every step, re-filtering the
rules still in play: each check re-reads the rule's states (a JSON key, parsed through a
cache, then copied and reversed), and the walk goes on to the conversation's very first
state although no rule is longer than a few states — a rule shorter than the steps walked
fits by definition. Baton predicts four to six actions a turn over 178 rules, and this
filtering was the rule policy's largest cost.

:func:`_get_possible_keys` replaces it (bot/patches/) with the same test done with the rules'
reversed states parsed once per lookup table, starting from only the rules whose newest state
names the conversation's last action (or names none: any other rule fails Rasa's test at the
first step), and stopping as soon as every rule still in play is shorter than the steps walked
(from then on Rasa's loop can only keep every rule). The set returned is the same (tests/speed
compares it with Rasa's for every state of the training conversations); the per-state test is
Rasa's own ``_does_rule_match_state``. About seven times faster here.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.nlu.constants import ACTION_NAME

Parsed = list[tuple[str, list[dict[str, Any]]]]  # (rule key, its states newest first)


class _Table:
    """A lookup table's rules, parsed, with the rules indexed by the previous action their
    newest state names: a conversation whose last action was X can only fit a rule that
    names X there, or one that names no action there."""

    def __init__(self, lookup: dict[str, Any]) -> None:
        self.lookup = lookup
        self.size = len(lookup)
        self.rules: Parsed = [
            (key, [_frozen(state) for state in reversed(json.loads(key))]) for key in lookup
        ]
        self.longest = max((len(states) for _, states in self.rules), default=0)
        self.by_action: dict[str, Parsed] = {}
        self.any_action: Parsed = []
        for key, states in self.rules:
            previous = states[0].get(PREVIOUS_ACTION) if states else None
            name = previous.get(ACTION_NAME) if previous else None
            if name and name != SHOULD_NOT_BE_SET:
                self.by_action.setdefault(name, []).append((key, states))
            else:
                self.any_action.append((key, states))

    def candidates(self, newest: dict[str, Any]) -> Parsed:
        """The rules that can fit a conversation whose newest state is ``newest``."""
        previous = newest.get(PREVIOUS_ACTION)
        if not previous:
            return self.any_action
        return self.by_action.get(previous.get(ACTION_NAME), []) + self.any_action


_tables: dict[int, _Table] = {}


def _table(lookup: dict[str, Any]) -> _Table:
    table = _tables.get(id(lookup))
    if table is None or table.lookup is not lookup or table.size != len(lookup):
        table = _tables[id(lookup)] = _Table(lookup)
    return table


def _frozen(state: dict[str, Any]) -> dict[str, Any]:
    """A rule state with its lists as tuples, as ``_does_rule_match_state`` converts them on
    every call (JSON has no tuples)."""
    return {
        kind: {k: tuple(v) if isinstance(v, list) else v for k, v in sub_state.items()}
        for kind, sub_state in state.items()
    }


def _get_possible_keys(self: Any, lookup: dict[str, Any], states: list[Any]) -> set[str]:
    """The keys of ``lookup`` whose rule fits ``states`` (as ``RulePolicy._get_possible_keys``)."""
    if not states:
        return set(lookup)
    table = _table(lookup)
    possible, longest = table.candidates(states[-1]), table.longest
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
