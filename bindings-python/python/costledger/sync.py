"""Sync: the report types and the ``sync`` / ``sync_history`` methods of
:class:`~costledger.Ledger` and :class:`~costledger.AsyncLedger` (core ``sync/``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

from ._convert import opt_utc, seconds, to_utc, utc
from .budgets import BudgetAlert
from .export import Exported, ReportList
from . import _native
from .types import SyncStatus, SyncStream

__all__ = ["PlanSyncReport", "StreamReport", "SyncEvent", "SyncFailure", "SyncReport"]


@dataclass(frozen=True, slots=True)
class SyncFailure:
    """An error as a sync report carries it (the plan's failure does not raise).

    Attributes:
        code: The stable error code, as :attr:`CostLedgerError.code`.
        message: The message, with its causes.
    """

    code: str
    message: str

    @classmethod
    def _from_json(cls, data: dict[str, Any] | None) -> SyncFailure | None:
        return None if data is None else cls(code=data["code"], message=data["message"])


@dataclass(frozen=True, slots=True)
class StreamReport:
    """What one stream of one plan did.

    Attributes:
        stream: The stream.
        status: How it ended.
        started_at: When it started (UTC).
        window_start: Start of the window synced.
        window_end: End of the window synced.
        buckets_written: Buckets (hours, days) written.
        rows_written: Rows written.
        requests: HTTP requests made, retries included.
        retries: Retries among them.
        duration: How long it took.
        error: Why it failed.
    """

    stream: SyncStream
    status: SyncStatus
    started_at: datetime
    window_start: datetime | None
    window_end: datetime | None
    buckets_written: int
    rows_written: int
    requests: int
    retries: int
    duration: timedelta
    error: SyncFailure | None

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> StreamReport:
        return cls(
            stream=data["stream"],
            status=data["status"],
            started_at=utc(data["started_at"]),
            window_start=opt_utc(data["window_start"]),
            window_end=opt_utc(data["window_end"]),
            buckets_written=data["buckets_written"],
            rows_written=data["rows_written"],
            requests=data["requests"],
            retries=data["retries"],
            duration=timedelta(milliseconds=data["duration_ms"]),
            error=SyncFailure._from_json(data["error"]),
        )


@dataclass(frozen=True, slots=True)
class PlanSyncReport:
    """What the sync of one plan did.

    Attributes:
        plan_id: The plan.
        label: Its label.
        status: ``"ok"``, ``"partial"``, ``"error"``, ``"skipped"`` or ``"interrupted"``.
        skipped_reason: Why it was skipped (``"locked"``: another worker holds the plan).
        error: The error that ended the plan's sync, the first stream error of a partial
            sync, or ``INTERRUPTED``.
        rows_written: Rows written by every stream.
        streams: One report per stream that ran.
    """

    plan_id: int
    label: str
    status: SyncStatus
    skipped_reason: str | None
    error: SyncFailure | None
    rows_written: int
    streams: tuple[StreamReport, ...]

    def stream(self, stream: SyncStream) -> StreamReport | None:
        """The report of one stream, if it ran."""
        return next((s for s in self.streams if s.stream == stream), None)

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> PlanSyncReport:
        return cls(
            plan_id=data["plan_id"],
            label=data["label"],
            status=data["status"],
            skipped_reason=data["skipped_reason"],
            error=SyncFailure._from_json(data["error"]),
            rows_written=data["rows_written"],
            streams=tuple(StreamReport._from_json(s) for s in data["streams"]),
        )


@dataclass(frozen=True, slots=True)
class SyncReport(Exported):
    """What a sync did: one outcome per plan, in id order. A plan's failure is reported
    here, not raised, so one plan never hides another's outcome.

    Attributes:
        started_at: When the sync started (UTC).
        finished_at: When it finished (UTC).
        is_ok: True when every plan synced completely.
        rows_written: Rows written across all plans.
        plans: One outcome per plan.
        budget_alerts: Budget thresholds reached for the first time in their current
            period, evaluated at the end of the sync.
    """

    started_at: datetime
    finished_at: datetime
    is_ok: bool
    rows_written: int
    plans: tuple[PlanSyncReport, ...]
    budget_alerts: tuple[BudgetAlert, ...]
    _report: _native.Report | None = field(default=None, repr=False, compare=False)

    def plan(self, plan_id: int) -> PlanSyncReport | None:
        """The outcome of one plan, if it was synced."""
        return next((p for p in self.plans if p.plan_id == plan_id), None)

    @classmethod
    def _from_report(cls, report: _native.Report) -> SyncReport:
        data = json.loads(report.data)
        return cls(
            started_at=utc(data["started_at"]),
            finished_at=utc(data["finished_at"]),
            is_ok=data["ok"],
            rows_written=data["rows_written"],
            plans=tuple(PlanSyncReport._from_json(p) for p in data["plans"]),
            budget_alerts=tuple(BudgetAlert._from_json(a) for a in data["budget_alerts"]),
            _report=report,
        )


@dataclass(frozen=True, slots=True)
class SyncEvent:
    """One persisted record of a sync of one plan's stream.

    Attributes:
        id: The event's id (increasing).
        plan_id: The plan.
        stream: The stream (``"plan"`` for a failure before any stream started).
        started_at: When it started (UTC).
        finished_at: When it finished (UTC).
        status: How it ended.
        window_start: Start of the window synced.
        window_end: End of the window synced.
        buckets_written: Buckets written.
        rows_written: Rows written.
        requests: HTTP requests made, retries included.
        retries: Retries among them.
        error_code: The error code, when it failed or was skipped.
        error_message: The error message.
    """

    id: int
    plan_id: int
    stream: SyncStream
    started_at: datetime
    finished_at: datetime
    status: SyncStatus
    window_start: datetime | None
    window_end: datetime | None
    buckets_written: int
    rows_written: int
    requests: int
    retries: int
    error_code: str | None
    error_message: str | None

    @classmethod
    def _list_from_report(cls, report: _native.Report) -> ReportList[SyncEvent]:
        events = (
            cls(
                id=e["id"],
                plan_id=e["plan_id"],
                stream=e["stream"],
                started_at=utc(e["started_at"]),
                finished_at=utc(e["finished_at"]),
                status=e["status"],
                window_start=opt_utc(e["window_start"]),
                window_end=opt_utc(e["window_end"]),
                buckets_written=e["buckets_written"],
                rows_written=e["rows_written"],
                requests=e["requests"],
                retries=e["retries"],
                error_code=e["error_code"],
                error_message=e["error_message"],
            )
            for e in json.loads(report.data)
        )
        return ReportList(events, report)


def _instant(value: datetime | date, name: str) -> datetime:
    """A date is its midnight UTC; a datetime must be timezone-aware."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return to_utc(value, name)


def _sync_args(
    plan_id: int | None,
    streams: Sequence[SyncStream] | None,
    usage_width: str,
    initial_backfill_days: int,
    backfill: tuple[datetime | date, datetime | date] | None,
    concurrency: int,
    usage_lookback_days: int | None,
    cost_lookback_days: int | None,
    claude_code_lookback_days: int | None,
    lease_ttl: float | timedelta | None,
) -> dict[str, Any]:
    names: list[str] | None = None
    if isinstance(streams, str):  # one stream given bare: not a sequence of letters
        names = [streams]
    elif streams is not None:
        names = list(streams)
    return {
        "plan_id": plan_id,
        "streams": names,
        "usage_width": usage_width,
        "initial_backfill_days": initial_backfill_days,
        "usage_lookback_days": usage_lookback_days,
        "cost_lookback_days": cost_lookback_days,
        "claude_code_lookback_days": claude_code_lookback_days,
        "backfill": None
        if backfill is None
        else (_instant(backfill[0], "backfill start"), _instant(backfill[1], "backfill end")),
        "concurrency": concurrency,
        "lease_ttl": seconds(lease_ttl),
    }


class SyncMethods:
    """The sync methods of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def sync(
        self,
        *,
        plan_id: int | None = None,
        streams: Sequence[SyncStream] | None = None,
        usage_width: Literal["1h", "1d"] = "1h",
        initial_backfill_days: int = 30,
        backfill: tuple[datetime | date, datetime | date] | None = None,
        concurrency: int = 4,
        usage_lookback_days: int | None = None,
        cost_lookback_days: int | None = None,
        claude_code_lookback_days: int | None = None,
        lease_ttl: float | timedelta | None = None,
    ) -> SyncReport:
        """Sync every plan that is not disconnected, or the one named.

        Each plan takes its sync lease first; a plan another worker is syncing is reported
        ``"skipped"`` (reason ``"locked"``). One plan failing never stops the others: its
        error is in the report, not raised.

        Ctrl-C (``KeyboardInterrupt``) while it runs stops it gracefully: each plan commits the
        page being written, records an ``"interrupted"`` event and releases its lease, then
        ``KeyboardInterrupt`` is raised. A second Ctrl-C raises at once.

        Args:
            plan_id: Sync only this plan.
            streams: Which streams, in order (default: metadata, usage, cost, claude_code,
                analytics; without analytics, every day is billed by the legacy allocation).
            usage_width: Usage bucket width, ``"1h"`` or ``"1d"``.
            initial_backfill_days: How far back a plan's first sync reaches.
            backfill: Re-sync this ``(start, end)`` range instead of the watermark window,
                without moving any watermark back; dates mean midnight UTC.
            concurrency: Plans synced at once (1-64).
            usage_lookback_days: Recent usage synced again each time (default 2).
            cost_lookback_days: Recent cost synced again each time (default 3).
            claude_code_lookback_days: Recent Claude Code days synced again (default 2).
            lease_ttl: Lifetime of a plan's sync lease in seconds (default 60).

        Returns:
            One outcome per plan.

        Raises:
            InvalidInputError: Bad options, the plan named is disconnected, or a plan to sync
                has a credential and the ledger was opened without a master key (refused up
                front; plans of local logs need none).
            NotFoundError: The plan named does not exist.
        """
        args = _sync_args(
            plan_id, streams, usage_width, initial_backfill_days, backfill, concurrency,
            usage_lookback_days, cost_lookback_days, claude_code_lookback_days, lease_ttl,
        )  # fmt: skip
        return SyncReport._from_report(self._native.sync(args, _native.SyncCancel()).wait())

    def sync_history(
        self,
        *,
        plan_id: int | None = None,
        stream: SyncStream | None = None,
        status: SyncStatus | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> ReportList[SyncEvent]:
        """Persisted sync events, newest first.

        Args:
            plan_id: Only this plan's events.
            stream: Only this stream's.
            status: Only events that ended so.
            before_id: Only events older than this id (to page back).
            limit: At most this many (at most 10 000).

        Returns:
            The events.
        """
        pending = self._native.sync_history(plan_id, stream, status, before_id, limit)
        return SyncEvent._list_from_report(pending.wait())


class AsyncSyncMethods:
    """The sync methods of :class:`costledger.AsyncLedger`: awaitable twins of
    :class:`SyncMethods`."""

    __slots__ = ()
    _native: _native.Ledger

    async def sync(
        self,
        *,
        plan_id: int | None = None,
        streams: Sequence[SyncStream] | None = None,
        usage_width: Literal["1h", "1d"] = "1h",
        initial_backfill_days: int = 30,
        backfill: tuple[datetime | date, datetime | date] | None = None,
        concurrency: int = 4,
        usage_lookback_days: int | None = None,
        cost_lookback_days: int | None = None,
        claude_code_lookback_days: int | None = None,
        lease_ttl: float | timedelta | None = None,
    ) -> SyncReport:
        """Sync plans; see :meth:`costledger.Ledger.sync`.

        Cancelling the task that awaits it (``task.cancel()``) stops the sync gracefully:
        each plan commits the page being written, records an ``"interrupted"`` event and
        releases its lease, then ``asyncio.CancelledError`` is raised.
        """
        args = _sync_args(
            plan_id, streams, usage_width, initial_backfill_days, backfill, concurrency,
            usage_lookback_days, cost_lookback_days, claude_code_lookback_days, lease_ttl,
        )  # fmt: skip
        cancel = _native.SyncCancel()
        running = asyncio.ensure_future(self._native.sync(args, cancel))
        try:
            report = await asyncio.shield(running)
        except asyncio.CancelledError:
            # Stop at the next safe point and wait for it, then let the cancellation through.
            cancel.cancel()
            await asyncio.wait([running])
            if not running.cancelled():
                running.exception()  # retrieved: the cancellation is what is raised
            raise
        return SyncReport._from_report(report)

    async def sync_history(
        self,
        *,
        plan_id: int | None = None,
        stream: SyncStream | None = None,
        status: SyncStatus | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> ReportList[SyncEvent]:
        """Sync events, newest first; see :meth:`costledger.Ledger.sync_history`."""
        pending = self._native.sync_history(plan_id, stream, status, before_id, limit)
        return SyncEvent._list_from_report(await pending)
