"""What `make run` prints: a few progress lines, the summary, and real problems.

Rasa's training, the servers' start-up logs and the libraries' chatter used to fill the
terminal (70 lines before "Baton is running" with a trained model, hundreds while training),
and the web chat's address was lost among them. Everything now goes to log files under
``var/logs/``; the terminal gets one line per stage and, when something goes wrong, the tail
of the log that says why — and, once Baton is running, the servers' output as before.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import IO, Optional

from bot.settings import ROOT, var_dir

#: A line worth showing even while the servers start: an error, a crash.
PROBLEM = re.compile(
    rb"\b(ERROR|CRITICAL)\b|Traceback \(most recent call last\)|\"level\": \"(error|critical)\""
)

_terminal = threading.Lock()


def logs_dir() -> Path:
    """``var/logs`` (``$BATON_VAR_DIR/logs``), created on first use."""
    path = var_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def shown(path: Path) -> str:
    """A path as the user can type it: relative to the checkout when inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def step(text: str) -> None:
    """One stage of the start: ``==> text``."""
    say(f"==> {text}")


def detail(text: str) -> None:
    """A line under a stage, indented."""
    say(f"    {text}")


def say(text: str, stream: Optional[IO[str]] = None) -> None:
    with _terminal:
        print(text, file=stream or sys.stdout, flush=True)


def tail(path: Path, lines: int = 25) -> list[str]:
    """The last ``lines`` lines of a log (progress bars' carriage returns folded away)."""
    if not path.exists():
        return []
    with path.open("rb") as log:
        last = deque(log, maxlen=lines)
    return [line.decode(errors="replace").rstrip().rsplit("\r", 1)[-1] for line in last]


def show_tail(path: Path, why: str, lines: int = 25) -> None:
    """``why``, then the end of the log that explains it, on stderr."""
    end = tail(path, lines)
    text = [f"{why} The last {len(end)} lines of {shown(path)}:", *(f"  | {x}" for x in end)]
    say("\n".join(text), sys.stderr)


class ServerOutput:
    """One server's output: all of it into its log file; on the terminal only problems until
    ``running`` is set (the summary is printed), then everything, as before.

    The log is truncated when Baton starts and appended to when the supervisor restarts the
    server, so it tells the whole story of one `make run`.
    """

    def __init__(self, name: str, log: Path, running: threading.Event) -> None:
        self.name = name
        self.log = log
        self.running = running
        self._fresh = True

    def attach(self, proc: subprocess.Popen[bytes]) -> threading.Thread:
        """Copy ``proc``'s stdout (stderr folded in) until it closes, on a daemon thread."""
        mode = "wb" if self._fresh else "ab"
        self._fresh = False
        sink = self.log.open(mode)
        assert proc.stdout is not None, "start the server with stdout=PIPE"
        pump = threading.Thread(
            target=self._copy, args=(proc.stdout, sink), name=f"log {self.name}", daemon=True
        )
        pump.start()
        return pump

    def _copy(self, source: IO[bytes], sink: IO[bytes]) -> None:
        with source, sink:
            for line in iter(source.readline, b""):
                sink.write(line)
                sink.flush()
                if self.running.is_set():
                    self._echo(line)
                elif PROBLEM.search(line):
                    self._echo(b"[" + self.name.encode() + b"] " + line)

    @staticmethod
    def _echo(line: bytes) -> None:
        with _terminal:
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
