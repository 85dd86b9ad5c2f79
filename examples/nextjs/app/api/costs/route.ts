// GET /api/costs?user=u-ada&period=2026-11: what one user of this app cost in a period, as
// costledger reports it (money as exact dollar strings, every amount with its basis).

import { CostLedgerError } from 'costledger'

import { getLedger } from '@/lib/ledger'

// A native addon needs the Node.js runtime; the Edge runtime cannot load it.
export const runtime = 'nodejs'
// Costs change with every sync: never prerender this route.
export const dynamic = 'force-dynamic'

const STATUS: Partial<Record<CostLedgerError['code'], number>> = {
  INVALID_INPUT: 400,
  SUBJECT_NOT_FOUND: 404,
}

export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams
  const user = params.get('user')
  const period = params.get('period') ?? new Date().toISOString().slice(0, 7) // this month, UTC
  if (!user) {
    return Response.json({ error: 'give the user as ?user=…', code: 'INVALID_INPUT' }, { status: 400 })
  }
  try {
    // The process's one ledger (lib/ledger.ts), shared with the pages and server actions.
    const ledger = await getLedger()
    const costs = await ledger.userCosts(user, { period, timeZone: params.get('timeZone') ?? undefined })
    return Response.json(costs)
  } catch (error) {
    if (error instanceof CostLedgerError) {
      return Response.json({ error: error.message, code: error.code }, { status: STATUS[error.code] ?? 500 })
    }
    throw error
  }
}
