import type { ReactNode } from 'react'

/** One figure of a summary row. */
export function Stat({ name, label, children }: { name: string; label: string; children: ReactNode }) {
  return (
    <div className="stat" data-stat={name}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{children}</div>
    </div>
  )
}
