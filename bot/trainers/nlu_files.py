"""Read and extend the training data under ``data/nlu/`` without disturbing its layout.

Trainers keep comments and a file per customer goal and language in ``data/nlu/<lang>/``
(shared regexes in ``data/nlu/features.yml``), so new examples are added
as text lines at the end of the intent's block (a YAML round trip would drop the comments), and
every write is checked by loading the file back with Rasa's own reader.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

_INTENT_LINE = re.compile(r"^- intent:\s*(?P<intent>\S+)\s*$")
_EXAMPLE_LINE = re.compile(r"^(?P<indent>\s+)- ")


@dataclass(frozen=True)
class Example:
    """One training example: its plain text (entity markup removed), intent and file."""

    text: str
    intent: str
    path: Path


def normalise(text: str) -> str:
    """The form two examples are compared in: case and spacing do not make a new example."""
    return " ".join(text.lower().split())


def nlu_files(nlu_dir: Path) -> list[Path]:
    """The YAML files under ``nlu_dir``, its language folders included."""
    return sorted(p for p in nlu_dir.rglob("*.y*ml") if p.suffix in (".yml", ".yaml"))


def load_examples(nlu_dir: Path) -> list[Example]:
    """Every intent example under ``nlu_dir``, with the file it lives in."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples: list[Example] = []
    for path in nlu_files(nlu_dir):
        for message in load_data(str(path)).intent_examples:
            examples.append(Example(str(message.get("text")), str(message.get("intent")), path))
    return examples


def intent_files(examples: Iterable[Example], within: Path | None = None) -> dict[str, Path]:
    """The file each intent's new examples go to: the one holding most of its examples now.

    ``within`` (a language's folder, e.g. ``data/nlu/ko``) limits the choice to its files.
    """
    counts: dict[str, dict[Path, int]] = defaultdict(lambda: defaultdict(int))
    for example in examples:
        if within is not None and not example.path.is_relative_to(within):
            continue
        counts[example.intent][example.path] += 1
    return {
        intent: max(sorted(per_file), key=lambda p: per_file[p])
        for intent, per_file in counts.items()
    }


def load_entity_regexes(
    features: Path, entities: Iterable[str]
) -> dict[str, list[re.Pattern[str]]]:
    """The ``regex:`` patterns named after an entity -- what RegexEntityExtractor uses."""
    wanted = set(entities)
    content = yaml.safe_load(features.read_text()) or {}
    found: dict[str, list[re.Pattern[str]]] = defaultdict(list)
    for item in content.get("nlu", []) or []:
        name = item.get("regex") if isinstance(item, dict) else None
        if name in wanted:
            for line in str(item.get("examples", "")).splitlines():
                pattern = line.strip().removeprefix("- ").strip()
                if pattern:
                    found[name].append(re.compile(pattern))
    return dict(found)


def annotate(text: str, regexes: Mapping[str, Sequence[re.Pattern[str]]]) -> str:
    """``text`` in Rasa's training markup, entities tagged the way the existing data tags them.

    The patterns use look-behinds so that ``BT-10234`` yields ``10234``; the training data tags
    the whole whitespace token and records the bare value, so that is done here too.
    """
    spans: list[tuple[int, int, str, str]] = []
    for entity, patterns in regexes.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if start == end:
                    continue
                while start > 0 and not text[start - 1].isspace():
                    start -= 1
                while end < len(text) and not text[end].isspace() and text[end] not in ",.?!;:":
                    end += 1
                spans.append((start, end, entity, match.group(0)))
    chosen: list[tuple[int, int, str, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if all(span[0] >= c[1] or span[1] <= c[0] for c in chosen):
            chosen.append(span)
    out = text
    for start, end, entity, value in sorted(chosen, reverse=True):
        surface = text[start:end]
        if surface == value:
            markup = f"[{surface}]({entity})"
        else:
            markup = f"[{surface}]" + json.dumps({"entity": entity, "value": value})
        out = out[:start] + markup + out[end:]
    return out


def append_examples(path: Path, intent: str, lines: Sequence[str]) -> None:
    """Add ``lines`` (already in training markup) at the end of ``intent``'s block in ``path``.

    Raises ValueError when the file has no block for the intent or does not load afterwards;
    the file is left as it was in that case.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    original = path.read_text()
    rows = original.splitlines()
    start = next(
        (
            i
            for i, row in enumerate(rows)
            if (m := _INTENT_LINE.match(row)) and m.group("intent") == intent
        ),
        None,
    )
    if start is None:
        raise ValueError(f"{path.name} has no '- intent: {intent}' block")
    last, indent = start, "    "
    for i in range(start + 1, len(rows)):
        if _INTENT_LINE.match(rows[i]) or (rows[i] and not rows[i][0].isspace()):
            break
        if m := _EXAMPLE_LINE.match(rows[i]):
            last, indent = i, m.group("indent")
    new_rows = rows[: last + 1] + [f"{indent}- {line}" for line in lines] + rows[last + 1 :]
    path.write_text("\n".join(new_rows) + "\n")
    try:
        loaded = {normalise(str(m.get("text"))) for m in load_data(str(path)).intent_examples}
    except Exception as error:  # Rasa raises several kinds of errors for broken YAML
        path.write_text(original)
        raise ValueError(f"{path.name} would not load after the change: {error}") from error
    plain = [re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line) for line in lines]
    if not all(normalise(text) in loaded for text in plain):
        path.write_text(original)
        raise ValueError(f"{path.name} did not keep the new examples; nothing was changed")
