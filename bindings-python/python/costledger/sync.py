"""Sync: the report types and the ``sync`` / ``sync_history`` methods of
:class:`~costledger.Ledger` and :class:`~costledger.AsyncLedger` (core ``sync/``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from . import _native
from ._convert import call, named, seconds, to_utc
from ._generated import PlanSyncReport, StreamReport, SyncEvent, SyncFailure, SyncReport
from .export import ReportList
from .types import SyncStatus, SyncStream

__all__ = ["PlanSyncReport", "StreamReport", "SyncEvent", "SyncFailure", "SyncReport"]


def _events(report: _native.Report) -> ReportList[SyncEvent]:
    return ReportList((SyncEvent._from_json(e) for e in json.loads(report.data)), report)


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
) -> str:
    """The options as the core reads them (``costledger::sync_options``)."""
    return named(
        plan_id=plan_id,
        # One stream given bare is not a sequence of letters.
        streams=[streams] if isinstance(streams, str) else streams,
        usage_width=usage_width,
        initial_backfill_days=initial_backfill_days,
        usage_lookback_days=usage_lookback_days,
        cost_lookback_days=cost_lookback_days,
        claude_code_lookback_days=claude_code_lookback_days,
        backfill=None
        if backfill is None
        else (_instant(backfill[0], "backfill start"), _instant(backfill[1], "backfill end")),
        concurrency=concurrency,
        lease_ttl=seconds(lease_ttl),
    )


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
        pending = call(
            self._native, "sync_history", plan_id=plan_id, stream=stream, status=status,
            before_id=before_id, limit=limit,
        )  # fmt: skip
        return _events(pending.wait())


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
        pending = call(
            self._native, "sync_history", plan_id=plan_id, stream=stream, status=status,
            before_id=before_id, limit=limit,
        )  # fmt: skip
        return _events(await pending)
