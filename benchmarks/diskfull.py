"""The database's disk full, in local mode (``make run``: SQLite), under customers.

The SQLite databases (store, tracker, handoff) live on a small tmpfs mounted for the run (the
servers' logs stay on the ordinary disk, through symlinks, so what fills is the database's
volume alone, as when a database server's data disk fills). Web chat customers have the
10-turn conversation of benchmarks/load.py; ``--fill-at`` seconds in, a file fills the volume
to the last byte; ``--full-for`` seconds later it is deleted (space is back). A customer who
gets the apology, or nothing, writes the same message again 2 s later, as a person would.

It prints what the customer saw (apologies, the longest gap), sent, answered, lost (given up
after ``--tries``), duplicated (a customer message stored twice in one conversation, read
from the tracker afterwards), reordered (an answer that does not belong to the message), and
checks that no server crashed and that each database passes ``PRAGMA integrity_check``.

Needs root (mount). Without it, say so and stop: the closest honest alternative is a
loop-mounted file system, which also needs root.

    .venv/bin/python benchmarks/diskfull.py
    .venv/bin/python benchmarks/diskfull.py --customers 6 --full-for 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from common import machine, pin_model
from load import APOLOGY_MARK, script

from tests.support.webchat_client import WebChatCustomer

DATABASES = ("store.db", "tracker.db", "handoff.db")


@dataclass
class Seen:
    """What the customers saw, summed."""

    sent: int = 0  # messages written, retries included
    answered: int = 0  # messages that got their real answer
    apologies: int = 0
    silent: int = 0  # a turn with no answer at all within the turn timeout
    lost: list[str] = field(default_factory=list)
    reordered: list[str] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)  # first send to the real answer
    apology_texts: Counter[str] = field(default_factory=Counter)
    # (conversation, text): how often the customer wrote it, and whether it was answered;
    # a message written again after an apology is a second message, not a duplicate
    written: Counter[tuple[str, str]] = field(default_factory=Counter)
    answered_keys: set[tuple[str, str]] = field(default_factory=set)


@contextlib.contextmanager
def small_volume(directory: Path, size_mb: int) -> Iterator[Path]:
    """A tmpfs of ``size_mb`` MiB mounted on ``directory``; always unmounted afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(directory)],
        check=True,
    )
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def fill(volume: Path) -> Path:
    """Write a file until the volume has no byte left (ENOSPC); the file, to delete later."""
    filler = volume / "filler"
    block = b"\0" * (1 << 16)
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        with contextlib.suppress(OSError):  # the last partial block
            while True:
                out.write(b"\0" * 512)
    return filler


async def customer(url: str, n: int, seen: Seen, tries: int, timeout: float) -> None:
    person = WebChatCustomer(url)
    conversation = (await person.connect(timeout=60)).split(".")[0]
    try:
        for turn, (text, mark) in enumerate(script(n), 1):
            await asyncio.sleep(1.0)
            first = time.perf_counter()
            for attempt in range(1, tries + 1):
                seen.sent += 1
                seen.written[(conversation, text)] += 1
                first_try = attempt == 1
                try:
                    answer = (await person.say(text, timeout=timeout)).text
                except asyncio.TimeoutError:
                    seen.silent += 1
                    answer = ""
                if answer and APOLOGY_MARK not in answer:
                    break
                if answer:
                    seen.apologies += 1
                    seen.apology_texts[answer[:100]] += 1
                await asyncio.sleep(2.0)  # the customer tries again
            else:
                seen.lost.append(f"webchat #{n} turn {turn} ({text!r}) after {tries} tries")
                return
            seen.answered += 1
            seen.answered_keys.add((conversation, text))
            seen.gaps.append(time.perf_counter() - first)
            if first_try and mark is not None and mark.lower() not in answer.lower():
                seen.reordered.append(f"#{n} turn {turn} ({text!r}): {answer[:100]!r}")
    finally:
        with contextlib.suppress(Exception):
            await person.close()


def storage(tracker: Path, seen: Seen) -> tuple[int, int]:
    """(duplicated, missing) from the tracker once space is back: a customer message stored
    more often than the customer wrote it, and an answered message not stored at all."""
    with contextlib.closing(sqlite3.connect(tracker)) as db:
        rows = db.execute(
            "SELECT sender_id, json_extract(data, '$.text'), count(*) FROM events "
            "WHERE type_name = 'user' GROUP BY 1, 2"
        ).fetchall()
    stored = Counter({(sender, text): n for sender, text, n in rows})
    duplicated = sum(max(0, stored[key] - n) for key, n in seen.written.items())
    missing = sum(1 for key in seen.answered_keys if stored[key] == 0)
    return duplicated, missing


def integrity(volume: Path) -> dict[str, str]:
    result = {}
    for name in DATABASES:
        with contextlib.closing(sqlite3.connect(volume / name)) as db:
            result[name] = str(db.execute("PRAGMA integrity_check").fetchone()[0])
    return result


async def run(url: str, volume: Path, args: argparse.Namespace) -> Seen:
    seen = Seen()

    async def disk() -> None:
        await asyncio.sleep(args.fill_at)
        filler = await asyncio.to_thread(fill, volume)
        free = os.statvfs(volume).f_bavail
        print(f"  [{time.strftime('%H:%M:%S')}] volume full ({free} blocks free)")
        await asyncio.sleep(args.full_for)
        filler.unlink()
        print(f"  [{time.strftime('%H:%M:%S')}] space back (filler deleted)")

    await asyncio.gather(
        disk(),
        *(customer(url, n, seen, args.tries, args.turn_timeout) for n in range(args.customers)),
    )
    return seen


def report(
    seen: Seen, seconds: float, stored: tuple[int, int], checks: dict[str, str], alive: str
) -> bool:
    duplicated, missing = stored
    print(f"\n== SQLite volume full for the customers ({seconds:.0f} s) ==")
    print(
        f"  sent {seen.sent} (retries included), answered {seen.answered}, apologies "
        f"{seen.apologies}, turns with no answer {seen.silent}; lost {len(seen.lost)}, "
        f"duplicated {duplicated}, reordered {len(seen.reordered)}; longest gap a customer "
        f"saw {max(seen.gaps, default=0):.1f} s; answered but not in the tracker {missing}"
    )
    for text, n in seen.apology_texts.most_common(3):
        print(f"    apology ({n}x): {text!r}")
    for item in (seen.lost + seen.reordered)[:10]:
        print(f"    problem: {item}")
    print(f"  servers: {alive}; integrity_check: {checks}")
    ok_db = all(v == "ok" for v in checks.values())
    return (
        not seen.lost
        and not seen.reordered
        and duplicated == 0
        and missing == 0
        and ok_db
        and "crashed" not in alive
    )


def main(args: argparse.Namespace) -> bool:
    from bot.launcher import stop
    from bot.training import ensure_model
    from tests.support.servers import start_baton

    if os.geteuid() != 0:
        print("diskfull needs root to mount a small tmpfs; not run (no honest stand-in without it)")
        return False
    model = ensure_model()
    with tempfile.TemporaryDirectory(prefix="baton-diskfull-") as tmp:
        var_dir, logs = Path(tmp) / "var", Path(tmp) / "logs"
        var_dir.mkdir()
        logs.mkdir()
        with small_volume(Path(tmp) / "db", args.size_mb) as volume:
            for name in DATABASES:  # the databases on the small volume, the rest on disk
                (var_dir / name).symlink_to(volume / name)
            baton = start_baton(model, var_dir)
            try:
                print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
                sizes = {p.name: p.stat().st_size for p in volume.iterdir()}
                print(f"  on the {args.size_mb} MiB volume: {sizes}")
                started = time.perf_counter()
                seen = asyncio.run(run(baton.rasa_url, volume, args))
                seconds = time.perf_counter() - started
                codes = {n: p.poll() for n, p in baton.running.items()}
                alive = ", ".join(
                    f"{n} {'running' if c is None else f'crashed ({c})'}" for n, c in codes.items()
                )
                stored = storage(volume / "tracker.db", seen)
                checks = integrity(volume)
            finally:
                stop(baton.procs)
                for log in baton.logs:
                    text = log.read_text(errors="replace") if log.exists() else ""
                    print(
                        f"  {log.name}: {text.count('Traceback')} tracebacks, "
                        f"{text.count('database or disk is full')} 'disk is full' lines"
                    )
    return report(seen, seconds, stored, checks, alive)


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, live
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--size-mb", type=int, default=32)
    parser.add_argument("--fill-at", type=float, default=4.0)
    parser.add_argument("--full-for", type=float, default=20.0)
    parser.add_argument("--tries", type=int, default=20)
    parser.add_argument("--turn-timeout", type=float, default=60.0)
    parser.add_argument("--model", type=Path, help="this model archive, not the current data's")
    args = parser.parse_args()
    pin_model(args.model)
    ok = main(args)
    print("nothing lost, duplicated, reordered or corrupted" if ok else "FAILED: see above")
    raise SystemExit(0 if ok else 1)
