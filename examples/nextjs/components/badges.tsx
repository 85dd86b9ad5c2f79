import type { Plan, Subscription } from 'costledger'
import type { CSSProperties } from 'react'

import { TIER_NAMES } from '@/lib/format'

// A plan's colour comes from its id, so its badge looks the same on every page.
const PLAN_HUES = [210, 150, 30, 280, 0, 180, 90, 330]

export function PlanBadge({ planId, label }: { planId: number; label: string }) {
  const hue = PLAN_HUES[planId % PLAN_HUES.length]
  return (
    <span className="badge plan-badge" data-plan-badge={planId} style={{ '--hue': hue } as CSSProperties}>
      {label}
    </span>
  )
}

export function StatusBadge({ status }: { status: Plan['status'] }) {
  return (
    <span className={`badge status-${status}`} data-status-badge={status}>
      {status}
    </span>
  )
}

export function TierBadge({ tier }: { tier: Subscription['tier'] }) {
  return (
    <span className="badge tier-badge" data-tier-badge={tier}>
      {TIER_NAMES[tier]}
    </span>
  )
}
