"""One dbt invocation in a worker thread of this process, its console events streamed as they happen.

dbt's programmatic runner (`dbtRunner`) returns only when the build is over; its callbacks see every
event as it is fired, from dbt's own threads. Each event dbt would have printed as a JSON line
(`--log-format json`, console level info) goes through a queue to the caller, who turns it into Dagster
events while dbt goes on: progress streams as it did from the subprocess's stdout.
"""

from __future__ import annotations

import ctypes
import json
import threading
from collections.abc import Iterator, Sequence
from queue import SimpleQueue
from typing import Any

from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.utils import ExitCodes
from dbt_common.events.base_types import EventMsg
from dbt_common.events.event_manager_client import cleanup_event_logger
from dbt_common.events.functions import env_scrubber, msg_to_json
from dbt_common.events.logger import PRINT_EVENT_NAMES

# What dbt's console logger writes at its default level (dbt_common.events.functions.stdout_filter and
# the logger's level): info and above, print events always, cache events never.
_CONSOLE_LEVELS = frozenset({"info", "warn", "error"})
_CACHE_EVENTS = frozenset({"CacheAction", "CacheDumpGraph"})
# dbt's console logger is off (the events are relayed instead); dbt.log keeps its debug lines.
QUIET_CONSOLE_ARGS = ("--log-level", "none", "--log-level-file", "debug")
# How long a stopped build may take to end (dagster-dbt's default wait for its interrupted dbt process).
STOP_TIMEOUT_SECONDS = 25
# dbt keeps its flags, event manager and adapters in module globals: one invocation at a time.
_ONE_AT_A_TIME = threading.Lock()
_END = object()


def console_event(msg: EventMsg) -> dict[str, Any] | None:
    """The JSON line dbt prints for `msg` with `--log-format json`, as a dict (secrets scrubbed the
    same way); None when dbt's console would not show it."""
    name = msg.info.name
    if name in _CACHE_EVENTS or (msg.info.level not in _CONSOLE_LEVELS and name not in PRINT_EVENT_NAMES):
        return None
    return json.loads(env_scrubber(msg_to_json(msg)))


def close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after a build for the next one in the process
    (its profile option `keep_open`, true by default; a `dbt` process closed it on exit).

    Until it is closed, DuckDB refuses this process another connection to the warehouse with other
    settings (publish, the run's audit rows) and every other process the warehouse's file lock."""
    environment = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if environment is not None:
        environment.close()


class DbtThread:
    """`dbt <args>` in a worker thread; iterate `events()` for its console events, then read
    `exit_code` and `exception`."""

    def __init__(self, args: Sequence[str]) -> None:
        self.args = [*args, *QUIET_CONSOLE_ARGS]
        self.result: dbtRunnerResult | None = None

    @property
    def exit_code(self) -> int:
        """The code the `dbt` command would have exited with."""
        if self.result is not None and self.result.success:
            return ExitCodes.Success.value
        if self.result is None or self.result.exception is not None:
            return ExitCodes.UnhandledError.value
        return ExitCodes.ModelError.value

    @property
    def exception(self) -> BaseException | None:
        return None if self.result is None else self.result.exception

    def events(self) -> Iterator[dict[str, Any]]:
        """Start dbt and yield its console events until it ends.

        A caller that stops early (an interrupt, Dagster's termination of the run, an error while
        handling an event) stops dbt the way Ctrl-C stops the `dbt` command (see `stop`) before it goes
        on: the steps after this one, and the run's record, open the same warehouse.
        """
        queue: SimpleQueue[object] = SimpleQueue()

        def relay(msg: EventMsg) -> None:
            event = console_event(msg)
            if event is not None:
                queue.put(event)

        def work() -> None:
            try:
                with _ONE_AT_A_TIME:
                    self.result = dbtRunner(callbacks=[relay]).invoke(self.args)
                    close_duckdb()
                    cleanup_event_logger()  # dbt's loggers and this relay stay installed otherwise
            finally:
                queue.put(_END)

        thread = threading.Thread(target=work, name="dbt", daemon=True)
        thread.start()
        try:
            while (item := queue.get()) is not _END:
                yield item  # type: ignore[misc]
        finally:
            if thread.is_alive() and self.result is None:
                stop(thread)
            thread.join(STOP_TIMEOUT_SECONDS)


def stop(thread: threading.Thread) -> None:
    """Raise KeyboardInterrupt in dbt's main thread, as Ctrl-C does in the `dbt` process (dagster-dbt
    sent its process SIGINT): dbt stops scheduling nodes, cancels the running queries and returns.

    Python delivers it when that thread next runs Python code: at once while dbt parses, else when a
    running node ends."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt))
