"""Crash-only supervision: a process that dies is started again; the others keep serving.

``make run-prod`` (:mod:`infra.prod`) and ``make run`` (:mod:`bot.launcher`) hand their
processes to a :class:`Supervisor`. It used to be that any process exiting stopped the whole
profile — one ``kill -9`` of a Rasa replica took down its partner, nginx, Redis and
PostgreSQL with it, which defeats having replicas. Now each process has a watcher thread
that notices the exit within ``interval`` seconds and starts it again after the backoff of
:mod:`infra.restart`; past the crash-loop limit it stops trying and reports it: an ERROR log
line, the ``on_crash_loop`` callback, and ``crash-loop`` in :meth:`Supervisor.status`
(written to ``status_file`` for ``python -m infra.prod status``).

A process an operator or a test stops on purpose is *held* (:meth:`Supervisor.hold`, like
``supervisorctl stop``): it stays down until :meth:`Supervisor.release`. On a VM the same
job is systemd's (deploy/systemd/), in Kubernetes the kubelet's; this module is what one
machine without either runs.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from infra.restart import CrashHistory, RestartPolicy

logger = logging.getLogger(__name__)

RUNNING, RESTARTING, HELD, CRASH_LOOP = "running", "restarting", "held", "crash-loop"


@dataclass
class Watched:
    """One supervised process, seen through three callables so that replicas, PostgreSQL,
    Redis and nginx (each started its own way) are supervised alike.

    ``start`` starts it (and may wait until it answers); it raises if it cannot.
    """

    name: str
    start: Callable[[], None]
    pid: Callable[[], Optional[int]]  # None: not running
    returncode: Callable[[], Optional[int]] = lambda: None
    state: str = RUNNING
    restarts: int = 0
    last_exit: str = ""
    history: CrashHistory = field(default_factory=CrashHistory)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)


def describe_exit(code: Optional[int]) -> str:
    """``killed by SIGKILL`` or ``exit code 1``: what an operator wants to read."""
    if code is None:
        return "exited"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    """Watches processes that are already running; :meth:`start` begins watching."""

    def __init__(
        self,
        watched: list[Watched],
        policy: Optional[RestartPolicy] = None,
        *,
        interval: float = 0.5,
        status_file: Optional[Path] = None,
        on_event: Callable[[str], None] = lambda _line: None,
        on_crash_loop: Callable[[str], None] = lambda _name: None,
    ) -> None:
        self.policy = policy or RestartPolicy()
        self._watched = {w.name: w for w in watched}
        for w in watched:
            w.history = CrashHistory(self.policy)
        self.interval = interval
        self.status_file = status_file
        self._on_event = on_event
        self._on_crash_loop = on_crash_loop
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._status_lock = threading.Lock()

    # --- operator's side ----------------------------------------------------------------

    def start(self) -> None:
        self._write_status()
        for w in self._watched.values():
            thread = threading.Thread(target=self._watch, args=(w,), name=f"watch-{w.name}")
            thread.daemon = True  # never keeps an interrupted `make run-prod` alive
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop watching (before the processes are stopped, so none is restarted)."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def hold(self, name: str) -> None:
        """Do not restart ``name`` until :meth:`release` (waits out a restart in progress)."""
        w = self._watched[name]
        with w.lock:
            w.state = HELD
        self._write_status()

    def release(self, name: str) -> None:
        """Watch ``name`` again, with a clean crash history (someone started it on purpose)."""
        w = self._watched[name]
        with w.lock:
            w.state = RUNNING
            w.history.forget()
        self._write_status()

    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        """Held for the duration, e.g. while PostgreSQL is restarted on purpose."""
        self.hold(name)
        try:
            yield
        finally:
            self.release(name)

    def status(self) -> dict[str, dict[str, object]]:
        return {
            w.name: {
                "state": w.state,
                "pid": w.pid(),
                "restarts": w.restarts,
                "last_exit": w.last_exit,
            }
            for w in self._watched.values()
        }

    def crash_loops(self) -> list[str]:
        return [w.name for w in self._watched.values() if w.state == CRASH_LOOP]

    # --- the watcher threads ------------------------------------------------------------

    def _watch(self, w: Watched) -> None:
        while not self._stopping.wait(self.interval):
            with w.lock:
                if w.state in (HELD, CRASH_LOOP) or w.pid() is not None:
                    continue
                w.last_exit = describe_exit(w.returncode())
                decision = w.history.crashed(time.monotonic())
                if decision.crash_loop:
                    w.state = CRASH_LOOP
                    self._crash_loop(w, decision.crashes_in_window)
                    continue
                w.state = RESTARTING
                self._event(
                    f"{w.name} {w.last_exit}; restarting in {decision.delay:.0f} s "
                    f"(crash {decision.crashes_in_window} of {self.policy.limit} allowed in "
                    f"{self.policy.window:.0f} s)"
                )
            if self._stopping.wait(decision.delay):
                return
            self._restart(w)

    def _restart(self, w: Watched) -> None:
        with w.lock:
            if w.state != RESTARTING:  # held meanwhile, or started by someone else
                return
            try:
                w.start()
            except Exception as problem:  # any failure to start is one more crash
                self._event(f"{w.name} did not start again: {str(problem)[:300]}")
                return  # not running: the next look counts it as a crash
            w.restarts += 1
            w.state = RUNNING
            self._event(f"{w.name} started again (pid {w.pid()})")

    def _crash_loop(self, w: Watched, crashes: int) -> None:
        line = (
            f"CRASH LOOP: {w.name} died {crashes} times in {self.policy.window:.0f} s "
            f"(last: {w.last_exit}); not restarting it until an operator does"
        )
        logger.error(line)
        self._event(line)
        self._on_crash_loop(w.name)

    def _event(self, line: str) -> None:
        logger.info(line)  # on_event shows it where the operator looks; crash loops log ERROR
        self._on_event(line)
        self._write_status()

    def _write_status(self) -> None:
        if self.status_file is None:
            return
        with self._status_lock:
            tmp = self.status_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.status(), indent=2) + "\n")
            tmp.replace(self.status_file)
