// GET /api/costs?user=u-ada&period=2026-11: what one user of this app cost in a period, as
// costledger reports it (money as exact dollar strings, every amount with its basis).

import { CostLedgerError, Ledger } from 'costledger'

// A native addon needs the Node.js runtime; the Edge runtime cannot load it.
export const runtime = 'nodejs'
// Costs change with every sync: never prerender this route.
export const dynamic = 'force-dynamic'

// One ledger per server process, opened on first use and shared by every request. Reports
// need no master key; it is passed when set, for routes that add plans or sync.
let ledger: Promise<Ledger> | undefined
function openLedger(): Promise<Ledger> {
  ledger ??= Ledger.open({
    databaseUrl: process.env.COSTLEDGER_DATABASE_URL,
    masterKey: process.env.COSTLEDGER_MASTER_KEY,
  }).catch((error: unknown) => {
    ledger = undefined // try again on the next request
    throw error
  })
  return ledger
}

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
    const costs = await (await openLedger()).userCosts(user, { period, timeZone: params.get('timeZone') ?? undefined })
    return Response.json(costs)
  } catch (error) {
    if (error instanceof CostLedgerError) {
      return Response.json({ error: error.message, code: error.code }, { status: STATUS[error.code] ?? 500 })
    }
    throw error
  }
}
