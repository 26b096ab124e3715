"""The NLU inbox: what customers said that the bot was unsure about, for a trainer to label.

    python -m bot.inbox collect   # tracker store -> reports/inbox.csv   (make inbox)
    python -m bot.inbox apply     # labelled rows -> data/nlu/*.yml      (make inbox-apply)

``collect`` reads the conversations in the tracker store (``TRACKER_DATABASE_URL``), picks the
messages described in ``bot/trainers/inbox_rules.py``, masks e-mails, phone numbers, card numbers
and postcodes (``bot/trainers/privacy.py``), merges messages that differ only in case, spacing or
digits, drops those already in the training data, and writes one row per message with how often
it was seen and the language it is in (en, ko, zh: as detected, or the language of the
conversation for a message without letters). Labels already typed into an existing review file
are carried over; ``--lang ko`` keeps one language's rows.

A trainer fills the ``label`` column with an intent (``skip`` or ``-`` to dismiss a row, blank to
decide later) and may tidy the ``text`` or correct the ``language``. ``apply`` adds each labelled
row to the file under ``data/nlu/<language>/`` that holds its intent, entities tagged by the same
regexes the bot uses, and refuses -- with the reason -- unknown intents and languages, messages
already in the training data of any language (a duplicate under the same intent, a conflict
under another) and messages of a held-out test set.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot import names
from bot.settings import ROOT, local_environment
from bot.trainers import languages, nlu_files
from bot.trainers.inbox_rules import Picked, Rules, pick_all
from bot.trainers.privacy import mask
from connectors.text import clean_text

COLUMNS = (
    "text",
    "language",
    "count",
    "conversations",
    "predicted_intent",
    "confidence",
    "reasons",
    "last_seen",
    "label",
)
DISMISS = {"skip", "-"}


def dedupe_key(text: str) -> str:
    """Messages that differ only in case, spacing, end punctuation or digits are one row."""
    return re.sub(r"\d", "0", nlu_files.normalise(text).strip(" .!?"))


@dataclass
class Row:
    text: str
    count: int = 0
    conversations: set[str] = field(default_factory=set)
    predictions: Counter[str] = field(default_factory=Counter)
    confidences: list[float] = field(default_factory=list)
    reasons: set[str] = field(default_factory=set)
    last_seen: float = 0.0
    label: str = ""
    languages: Counter[str] = field(default_factory=Counter)

    @property
    def language(self) -> str:
        if self.languages:
            return self.languages.most_common(1)[0][0]
        return languages.language_of(self.text)

    def as_csv(self) -> dict[str, str]:
        predicted = self.predictions.most_common(1)[0][0] if self.predictions else ""
        mean = sum(self.confidences) / len(self.confidences) if self.confidences else 0.0
        seen = (
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(self.last_seen)) if self.last_seen else ""
        )
        return {
            "text": self.text,
            "language": self.language,
            "count": str(self.count),
            "conversations": str(len(self.conversations)),
            "predicted_intent": predicted,
            "confidence": f"{mean:.2f}",
            "reasons": ";".join(sorted(self.reasons)),
            "last_seen": seen,
            "label": self.label,
        }


def aggregate(picked: Iterable[Picked], known_texts: Iterable[str] = ()) -> list[Row]:
    """One row per distinct (masked) message, most frequent first; known texts left out."""
    known = {dedupe_key(t) for t in known_texts}
    rows: dict[str, Row] = {}
    for message in picked:
        # NUL and lone surrogates cut the CSV short or make it unreadable (csv: "line contains
        # NUL"), and one such message made every later read of the inbox fail.
        text = clean_text(mask(message.text))
        key = dedupe_key(text)
        if key in known:
            continue
        row = rows.setdefault(key, Row(text))
        row.count += 1
        row.conversations.add(message.sender_id)
        row.predictions[message.predicted] += 1
        confidence = message.confidence
        row.confidences.append(
            float(confidence)
            if isinstance(confidence, (int, float)) and math.isfinite(confidence)
            else 0.0
        )
        row.reasons |= message.reasons
        row.last_seen = max(row.last_seen, message.timestamp)
        row.languages[message.language or languages.language_of(text)] += 1
    return sorted(rows.values(), key=lambda r: (-r.count, sum(r.confidences) / len(r.confidences)))


def read_review_file(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)
        ]


def write_review_file(path: Path, rows: Sequence[Row]) -> None:
    """Write ``rows``, keeping the labels a trainer already typed into ``path``."""
    if path.exists():
        labels = {
            dedupe_key(r["text"]): r["label"] for r in read_review_file(path) if r.get("label")
        }
        for row in rows:
            row.label = row.label or labels.get(dedupe_key(row.text), "")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row.as_csv() for row in rows)


@dataclass
class Outcome:
    added: list[tuple[str, str, Path]] = field(default_factory=list)  # text, intent, file
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # text, label, reason
    dismissed: int = 0
    unlabelled: int = 0


def apply_labels(
    rows: Iterable[dict[str, str]],
    nlu_dir: Path,
    known_intents: Iterable[str],
    held_out: Iterable[str] = (),
    features: Path | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Add the labelled ``rows`` to the training data under ``nlu_dir``/<the row's language>."""
    examples = nlu_files.load_examples(nlu_dir)
    where = {nlu_files.normalise(e.text): e for e in examples}
    targets = {
        lang: nlu_files.intent_files(examples, nlu_dir / lang) for lang in languages.LANGUAGES
    }
    test_texts = {nlu_files.normalise(t) for t in held_out}
    intents = set(known_intents) - {names.NLU_FALLBACK}
    regexes = nlu_files.load_entity_regexes(features or nlu_dir / "features.yml", names.ENTITIES)
    outcome = Outcome()
    pending: dict[Path, dict[str, list[str]]] = {}
    for row in rows:
        text, label = " ".join(row.get("text", "").split()), row.get("label", "").strip()
        lang = row.get("language", "").strip().lower() or languages.language_of(text)
        if not label:
            outcome.unlabelled += 1
            continue
        if label.lower() in DISMISS:
            outcome.dismissed += 1
            continue
        key = nlu_files.normalise(text)
        existing = where.get(key)
        reason = None
        if not text:
            reason = "the text is empty"
        elif label not in intents:
            reason = f"unknown intent {label!r}; use one of: {', '.join(sorted(intents))}"
        elif lang not in languages.LANGUAGES:
            reason = f"unknown language {lang!r}; use one of: {', '.join(languages.LANGUAGES)}"
        elif any(c in text for c in "[]{}"):
            reason = "the text has [ ] { } in it (Rasa's entity markup); edit them out first"
        elif existing is not None and existing.intent == label:
            reason = f"duplicate: already an example of {label!r} in {existing.path.name}"
        elif existing is not None:
            reason = (
                f"conflict: already an example of {existing.intent!r} in "
                f"{existing.path.name}; a message can have one intent only"
            )
        elif key in test_texts:
            reason = "conflict: the message is in a held-out set (tests/nlu); keep the sets apart"
        elif label not in targets[lang]:
            reason = (
                f"no file in {nlu_dir.name}/{lang}/ has examples of {label!r} yet; "
                "add its block first"
            )
        if reason:
            outcome.refused.append((text, label, reason))
            continue
        path = targets[lang][label]
        pending.setdefault(path, {}).setdefault(label, []).append(nlu_files.annotate(text, regexes))
        where[key] = nlu_files.Example(text, label, path)
        outcome.added.append((text, label, path))
    if not dry_run:
        for path, by_intent in pending.items():
            for intent, lines in by_intent.items():
                try:
                    nlu_files.append_examples(path, intent, lines)
                except ValueError as error:  # the file is left as it was
                    failed = [a for a in outcome.added if a[2] == path and a[1] == intent]
                    outcome.added = [a for a in outcome.added if a not in failed]
                    outcome.refused += [(text, intent, str(error)) for text, _, _ in failed]
    return outcome


def collect_rows(url: str, out: Path, rules: Rules | None = None) -> list[dict[str, str]]:
    """Collect the inbox into ``out`` (keeping labels already given) and return its rows.

    What ``make inbox`` does, for the agent console's inbox page: both share the review file.
    """
    from infra.tracker_events import conversations

    picked = pick_all(conversations(url), rules or Rules())
    known = [e.text for e in nlu_files.load_examples(ROOT / "data" / "nlu")]
    write_review_file(out, aggregate(picked, known))
    return read_review_file(out)


def held_out_texts(root: Path = ROOT) -> list[str]:
    """Every message of every language's held-out set: never to become a training example."""
    from bot.trainers.evaluation import labelled_examples

    return [
        text
        for lang in languages.LANGUAGES
        if (root / languages.held_out(lang)).exists()
        for text, _ in labelled_examples(root / languages.held_out(lang))
    ]


def set_label(out: Path, text: str, label: str, intents: Sequence[str]) -> dict[str, str]:
    """Label one row of the review file (an intent, ``skip``, or empty to undecide)."""
    label = label.strip()
    if label and label not in DISMISS and label not in intents:
        raise ValueError(f"unknown intent {label!r}")
    rows = read_review_file(out) if out.exists() else []
    key = dedupe_key(text)
    for row in rows:
        if dedupe_key(row["text"]) == key:
            row["label"] = label
            break
    else:
        raise LookupError("that message is not in the inbox")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in COLUMNS} for r in rows)
    return row


def domain_intents(root: Path = ROOT) -> list[str]:
    return _domain_intents(root)


def _domain_intents(root: Path) -> list[str]:
    import yaml

    domain = yaml.safe_load((root / "domain.yml").read_text())
    return [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]


def cmd_collect(args: argparse.Namespace) -> int:
    import sqlalchemy.exc
    from sqlalchemy.engine import make_url

    from infra.tracker_events import conversations

    url = args.url or local_environment()["TRACKER_DATABASE_URL"]
    rules = Rules(
        threshold=args.threshold,
        before_handoff=args.before_handoff,
        handoff_actions=tuple(args.handoff_action),
        handoff_utter_prefixes=tuple(args.handoff_utter),
        rating_slots=tuple(args.rating_slot),
        rating_intents=tuple(args.rating_intent),
        rating_entity=args.rating_entity,
        low_rating=args.low_rating,
    )
    since = time.time() - args.days * 86400 if args.days else None
    target = make_url(url)
    if target.drivername.startswith("sqlite") and not Path(target.database or "").exists():
        print(f"no tracker store at {target.database}: no conversations yet (make run first)")
        return 1
    try:
        picked = pick_all(conversations(url, since), rules)
    except sqlalchemy.exc.SQLAlchemyError as error:
        print(f"cannot read the tracker store {target!r}: {error}", file=sys.stderr)
        return 1
    known = [e.text for e in nlu_files.load_examples(ROOT / "data" / "nlu")]
    rows = aggregate(picked, known)
    if args.lang:
        try:
            wanted = set(languages.parse_languages(args.lang))
        except ValueError as error:
            print(str(error), file=sys.stderr)
            return 2
        rows = [row for row in rows if row.language in wanted]
    write_review_file(args.out, rows)
    by_language = Counter(row.language for row in rows)
    print(
        f"==> {len(picked)} messages picked, {len(rows)} to review -> {args.out} ("
        + ", ".join(f"{lang} {by_language[lang]}" for lang in languages.LANGUAGES)
        + ")"
    )
    print("    Fill the 'label' column (an intent, or 'skip'), then run: make inbox-apply")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    if not args.file.exists():
        print(f"no review file at {args.file}; run 'make inbox' first", file=sys.stderr)
        return 1
    outcome = apply_labels(
        read_review_file(args.file),
        ROOT / "data" / "nlu",
        _domain_intents(ROOT),
        held_out_texts(ROOT),
        dry_run=args.dry_run,
    )
    verb = "would add" if args.dry_run else "added"
    for text, intent, path in outcome.added:
        print(f"  + {verb} to {path.relative_to(ROOT)} ({intent}): {text}")
    for text, label, reason in outcome.refused:
        print(f"  ✗ refused {text!r} -> {label}: {reason}")
    print(
        f"==> {len(outcome.added)} {verb}, {len(outcome.refused)} refused, "
        f"{outcome.dismissed} dismissed, {outcome.unlabelled} not labelled yet"
    )
    if outcome.added and not args.dry_run:
        print("    Next: make validate && make nlu-report")
    return 2 if outcome.refused else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.inbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    collect = sub.add_parser("collect", help="tracker store -> review file")
    defaults = Rules()
    collect.add_argument("--out", type=Path, default=ROOT / "reports" / "inbox.csv")
    collect.add_argument("--url", help="tracker store URL (default: TRACKER_DATABASE_URL)")
    collect.add_argument("--days", type=float, default=0, help="only the last N days (0: all)")
    collect.add_argument(
        "--lang", default="", help="only these languages, e.g. ko,zh (default: all)"
    )
    collect.add_argument(
        "--threshold",
        type=float,
        default=defaults.threshold,
        help="pick messages whose intent confidence is under this",
    )
    collect.add_argument(
        "--before-handoff",
        type=int,
        default=defaults.before_handoff,
        help="how many messages before a handoff to pick",
    )
    collect.add_argument(
        "--handoff-action",
        action="append",
        default=list(defaults.handoff_actions),
        help="action that hands off",
    )
    collect.add_argument(
        "--handoff-utter",
        action="append",
        default=list(defaults.handoff_utter_prefixes),
        help="response name prefix",
    )
    collect.add_argument("--rating-slot", action="append", default=list(defaults.rating_slots))
    collect.add_argument("--rating-intent", action="append", default=list(defaults.rating_intents))
    collect.add_argument("--rating-entity", default=defaults.rating_entity)
    collect.add_argument(
        "--low-rating",
        type=int,
        default=defaults.low_rating,
        help="ratings up to this count as unhappy",
    )
    collect.set_defaults(func=cmd_collect)
    apply = sub.add_parser("apply", help="labelled review file -> data/nlu")
    apply.add_argument("--file", type=Path, default=ROOT / "reports" / "inbox.csv")
    apply.add_argument("--dry-run", action="store_true", help="show what would be added")
    apply.set_defaults(func=cmd_apply)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
