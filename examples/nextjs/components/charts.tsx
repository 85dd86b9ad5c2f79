'use client'

// Charts, drawn in the browser by Recharts from plain numbers the server components computed
// (`usdNumber` and token counts: floats are fine for drawing, never for sums).

import type { ReactElement } from 'react'
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'

import { formatCompact, formatCount, formatUsd } from '@/lib/format'

export interface CostPoint {
  date: string
  billed: number
  estimated: number
}

export interface UsagePoint {
  date: string
  uncachedInput: number
  cacheWrite: number
  cacheRead: number
  output: number
  webSearches: number
}

export interface ModelPoint {
  model: string
  cost: number
  tokens: number
}

const COLORS = { billed: '#2563eb', estimated: '#f59e0b', input: '#6366f1', cacheWrite: '#ec4899', cacheRead: '#14b8a6', output: '#f97316' }
const day = (date: string) => date.slice(5) // MM-DD
const money = (v: unknown) => formatUsd(Number(v))
const count = (v: unknown) => formatCount(Number(v))

function Frame({ name, height = 240, children }: { name: string; height?: number; children: ReactElement }) {
  return (
    <div className="chart" data-chart={name} style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </div>
  )
}

/** Usage cost per day, billed and estimated stacked (the daily series holds no subscription fees). */
export function CostPerDayChart({ data }: { data: CostPoint[] }) {
  return (
    <Frame name="cost-per-day">
      <BarChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="date" tickFormatter={day} fontSize={11} />
        <YAxis tickFormatter={(v: number) => `$${formatCompact(v)}`} fontSize={11} width={56} />
        <Tooltip formatter={money} />
        <Legend />
        <Bar dataKey="billed" name="Billed" stackId="cost" fill={COLORS.billed} isAnimationActive={false} />
        <Bar dataKey="estimated" name="Estimated" stackId="cost" fill={COLORS.estimated} isAnimationActive={false} />
      </BarChart>
    </Frame>
  )
}

/** Tokens per day, stacked by kind. */
export function TokensPerDayChart({ data }: { data: UsagePoint[] }) {
  return (
    <Frame name="tokens-per-day">
      <AreaChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="date" tickFormatter={day} fontSize={11} />
        <YAxis tickFormatter={formatCompact} fontSize={11} width={56} />
        <Tooltip formatter={count} />
        <Legend />
        <Area dataKey="uncachedInput" name="Input" stackId="t" stroke={COLORS.input} fill={COLORS.input} isAnimationActive={false} />
        <Area dataKey="cacheWrite" name="Cache writes" stackId="t" stroke={COLORS.cacheWrite} fill={COLORS.cacheWrite} isAnimationActive={false} />
        <Area dataKey="cacheRead" name="Cache reads" stackId="t" stroke={COLORS.cacheRead} fill={COLORS.cacheRead} isAnimationActive={false} />
        <Area dataKey="output" name="Output" stackId="t" stroke={COLORS.output} fill={COLORS.output} isAnimationActive={false} />
      </AreaChart>
    </Frame>
  )
}

/** Web search requests per day: the only request count the Admin API's usage report has. */
export function WebSearchesPerDayChart({ data }: { data: UsagePoint[] }) {
  return (
    <Frame name="web-searches-per-day" height={160}>
      <BarChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="date" tickFormatter={day} fontSize={11} />
        <YAxis tickFormatter={formatCompact} fontSize={11} width={56} allowDecimals={false} />
        <Tooltip formatter={count} />
        <Bar dataKey="webSearches" name="Web search requests" fill={COLORS.billed} isAnimationActive={false} />
      </BarChart>
    </Frame>
  )
}

/** Cost per model, largest first. */
export function ModelCostChart({ data }: { data: ModelPoint[] }) {
  return (
    <Frame name="cost-per-model" height={Math.max(120, 36 * data.length + 40)}>
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, left: 8, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={(v: number) => `$${formatCompact(v)}`} fontSize={11} />
        <YAxis type="category" dataKey="model" width={200} fontSize={11} />
        <Tooltip formatter={money} />
        <Bar dataKey="cost" name="Cost" fill={COLORS.billed} isAnimationActive={false} />
      </BarChart>
    </Frame>
  )
}
