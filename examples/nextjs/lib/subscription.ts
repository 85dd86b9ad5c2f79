// The next payment date of a subscription.
//
// costledger's core computes it (`costledger::pricing::next_payment_date`, docs/pricing.md),
// but the npm package does not expose it yet, so this page applies the same documented rule:
// periods start on the anchor date and renew on its day of month (monthly) or its month and
// day (annual), clamped to the month's length and always measured from the anchor; the next
// payment is the first period start strictly after the given day.

import type { Subscription } from 'costledger'

function clampedDate(year: number, month0: number, day: number): string {
  const y = year + Math.floor(month0 / 12)
  const m = ((month0 % 12) + 12) % 12
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  return new Date(Date.UTC(y, m, Math.min(day, last))).toISOString().slice(0, 10)
}

/** The first billing period start after `after` (`YYYY-MM-DD`); the anchor when it is later. */
export function nextPaymentDate(sub: Pick<Subscription, 'anchorDate' | 'cycle'>, after: string): string {
  if (sub.anchorDate > after) return sub.anchorDate
  const [year, month, day] = sub.anchorDate.split('-').map(Number)
  const step = sub.cycle === 'annual' ? 12 : 1
  for (let months = step; ; months += step) {
    const start = clampedDate(year, month - 1 + months, day)
    if (start > after) return start
  }
}
