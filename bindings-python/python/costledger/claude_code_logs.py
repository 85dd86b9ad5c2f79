"""Reports of a Claude Code logs plan (core ``source/claude_code_logs/report.rs``): usage per
day, week, month, session and 5-hour block, and the log files it tracks.

Add such a plan with ``ledger.add_plan("My Max plan", directories=[])`` (empty: Claude
Code's default directories) and ``sync()`` it. Costs are estimates (the logs carry no bill), by
default in cost mode ``auto``: a line's ``costUSD`` when it has one, else list prices, with
fast-mode and over-200k requests at their own rates (``cost_mode=`` chooses another mode).
Each report is a list that also exports (``to_csv()``, ``to_json()``) and
converts to a DataFrame, one row per day, month, session or block.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._convert import call
from ._generated import LogBlockUsage, LogModelUsage, LogPeriodUsage, LogSessionUsage, LogUsage
from .export import ReportList

if TYPE_CHECKING:
    from collections.abc import Callable

    from . import _native
    from ._native import Report as _Report

__all__ = [
    "CostMode",
    "LogBlockUsage",
    "LogFile",
    "LogModelUsage",
    "LogPeriodUsage",
    "LogSessionUsage",
    "LogUsage",
]


@dataclass(frozen=True, slots=True)
class LogFile:
    """A log file the plan tracks, with how far it was read.

    Attributes:
        id: The store's id.
        path: The file's path when last seen.
        project: The project its entries belong to.
        device: Device number of its identity (0 where the platform has none).
        inode: Inode number of its identity (0 where the platform has none).
        size: Its size in bytes when last read.
        mtime_ns: Its modification time when last read, nanoseconds since the epoch.
        parsed_to: The offset after the last complete line parsed.
        fingerprint: Hash of the bytes just before ``parsed_to``.
        lines: Lines read so far.
        entries: Usage entries found so far (duplicates included).
        malformed: Lines skipped because they were not the JSON they claimed to be.
        too_long: Lines skipped because they were longer than the line buffer.
    """

    id: int
    path: str
    project: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    parsed_to: int
    fingerprint: int
    lines: int
    entries: int
    malformed: int
    too_long: int


def _log_file(d: dict[str, Any]) -> LogFile:
    return LogFile(**d)


T = TypeVar("T")


def _list(report: _native.Report, item: Callable[[dict[str, Any]], T]) -> ReportList[T]:
    return ReportList((item(d) for d in json.loads(report.data)), report)


CostMode = Literal["auto", "calculate", "display"]
"""Where a log report takes each entry's cost from: ``auto`` (the ``costUSD`` Claude Code
wrote when the line has one, else calculated at list prices; the default, as ccusage),
``calculate`` (always from the tokens at list prices) or ``display`` (only the lines'
``costUSD``)."""


def _native_report(
    native: _native.Ledger, report: str, plan_id: int, time_zone: str | None,
    since: date | None, until: date | None, project: str | None, cost_mode: CostMode,
) -> _native.Pending:  # fmt: skip
    return call(
        native, f"claude_code_logs_{report}", plan_id=plan_id, time_zone=time_zone,
        since=since, until=until, project=project, cost_mode=cost_mode,
    )  # fmt: skip


class ClaudeCodeLogMethods:
    """The Claude Code log report methods of :class:`costledger.Ledger`.

    Each takes the plan and optional ``time_zone`` (IANA; days, weeks and months are cut
    there, default UTC), ``since`` and ``until`` (the first and last local day included),
    ``project`` (only that project's entries: the directory under ``projects/``) and
    ``cost_mode`` (:data:`CostMode`, default ``"auto"``). A plan that is not a
    ``claude_code_logs`` plan raises :class:`InvalidInputError`; a missing one
    :class:`NotFoundError` (``PLAN_NOT_FOUND``).
    """

    __slots__ = ()
    _native: _native.Ledger

    def _report(
        self, report: str, plan_id: int, time_zone: str | None, since: date | None,
        until: date | None, project: str | None, cost_mode: CostMode,
    ) -> _Report:  # fmt: skip
        done: _Report = _native_report(
            self._native, report, plan_id, time_zone, since, until, project, cost_mode
        ).wait()
        return done

    def claude_code_logs_daily(
        self, plan_id: int, *, time_zone: str | None = None, since: date | None = None,
        until: date | None = None, project: str | None = None, cost_mode: CostMode = "auto",
    ) -> ReportList[LogPeriodUsage]:  # fmt: skip
        """Counted usage per local day, oldest first; costs are list-price estimates."""
        report = self._report("daily", plan_id, time_zone, since, until, project, cost_mode)
        return _list(report, LogPeriodUsage._from_json)

    def claude_code_logs_weekly(
        self, plan_id: int, *, time_zone: str | None = None, since: date | None = None,
        until: date | None = None, project: str | None = None, cost_mode: CostMode = "auto",
    ) -> ReportList[LogPeriodUsage]:  # fmt: skip
        """Counted usage per ISO week (Monday to Sunday, named by its Monday),
        oldest first."""
        report = self._report("weekly", plan_id, time_zone, since, until, project, cost_mode)
        return _list(report, LogPeriodUsage._from_json)

    def claude_code_logs_monthly(
        self, plan_id: int, *, time_zone: str | None = None, since: date | None = None,
        until: date | None = None, project: str | None = None, cost_mode: CostMode = "auto",
    ) -> ReportList[LogPeriodUsage]:  # fmt: skip
        """Counted usage per local month, oldest first."""
        report = self._report("monthly", plan_id, time_zone, since, until, project, cost_mode)
        return _list(report, LogPeriodUsage._from_json)

    def claude_code_logs_sessions(
        self, plan_id: int, *, time_zone: str | None = None, since: date | None = None,
        until: date | None = None, project: str | None = None, cost_mode: CostMode = "auto",
    ) -> ReportList[LogSessionUsage]:  # fmt: skip
        """Counted usage per session, the most recently active first."""
        report = self._report("sessions", plan_id, time_zone, since, until, project, cost_mode)
        return _list(report, LogSessionUsage._from_json)

    def claude_code_logs_blocks(
        self, plan_id: int, *, time_zone: str | None = None, since: date | None = None,
        until: date | None = None, project: str | None = None, cost_mode: CostMode = "auto",
    ) -> ReportList[LogBlockUsage]:  # fmt: skip
        """Counted usage per 5-hour block (ccusage's ``blocks``), oldest first."""
        report = self._report("blocks", plan_id, time_zone, since, until, project, cost_mode)
        return _list(report, LogBlockUsage._from_json)

    def claude_code_log_files(self, plan_id: int) -> ReportList[LogFile]:
        """The log files the plan tracks, with how far each was read and lines skipped."""
        return _list(call(self._native, "claude_code_log_files", plan_id=plan_id).wait(), _log_file)
