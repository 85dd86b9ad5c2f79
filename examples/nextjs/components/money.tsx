import type { Money as MoneyValue } from 'costledger'

import { formatUsd } from '@/lib/format'

/**
 * An amount rounded to the cent for reading, with the exact amount to the nanodollar kept as
 * `data-usd` and shown as the tooltip.
 */
export function Money({ value }: { value: MoneyValue }) {
  return (
    <span className="money" data-usd={value.usd} title={`exactly $${value.usd}`}>
      {formatUsd(value.usdNumber)}
    </span>
  )
}
