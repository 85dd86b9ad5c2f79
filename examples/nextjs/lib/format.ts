// Display formats. Money is shown rounded to the cent from `usdNumber`; the exact amount,
// `usd`, stays in the page as `data-usd` and as the tooltip (see components/money.tsx).

import type { Subscription, TokenCounts } from 'costledger'

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })
const integers = new Intl.NumberFormat('en-US')
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

export const formatUsd = (amount: number): string => dollars.format(amount)
export const formatCount = (n: number): string => integers.format(n)
export const formatCompact = (n: number): string => compact.format(n)

/** Every token of a usage, input of every kind and output. */
export function tokenTotal(t: TokenCounts): number {
  return t.uncachedInput + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead + t.output
}

/** An ISO-8601 instant as `2026-11-20 14:05 UTC`. */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** Subscription tiers as people write them. */
export const TIER_NAMES: Record<Subscription['tier'], string> = {
  free: 'Free',
  pro: 'Pro',
  max_5x: 'Max 5x',
  max_20x: 'Max 20x',
  team_standard: 'Team Standard',
  team_premium: 'Team Premium',
  enterprise: 'Enterprise',
  api: 'API',
}
/** A model's name, or what a bill line without one stands for. */
export function modelName(model: string): string {
  return model || 'No model (code execution)'
}
