// costledger from a Node.js script: connect two Anthropic organisations, sync their usage and
// cost into SQLite, attribute their API keys to the app's users, and print one user's monthly
// costs and the company's dashboard.
//
// It talks to the fake Admin API (tests/fake-admin-api), so it needs no real key:
//
//   cargo build -p fake-admin-api
//   npm install && node monthly-costs.mjs
//
// COSTLEDGER_FAKE_ADMIN_API names the fake's binary when it is not in ../../target/debug.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

import { Ledger, generateMasterKey } from 'costledger'

const FAKE = process.env.COSTLEDGER_FAKE_ADMIN_API || path.resolve(import.meta.dirname, '../../target/debug/fake-admin-api')
const NOW = '2026-11-20T00:00:00Z' // the fake's clock; the ledger uses it too
const PERIOD = '2026-11'

/** Money for display: `usd` is exact to the nanodollar, `usdNumber` is for showing. */
const $ = (money) => `$${money.usdNumber.toFixed(2)}`

// The fake: two organisations with the ten days of usage and cost before NOW.
const fake = spawn(FAKE, ['--port', '0', '--seed', '7', '--orgs', '2', '--days', '10', '--now', NOW], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
const lines = createInterface({ input: fake.stdout })[Symbol.asyncIterator]()
const port = /^LISTENING (\d+)$/.exec((await lines.next()).value)[1]
const { orgs } = JSON.parse((await lines.next()).value)

const dir = mkdtempSync(path.join(tmpdir(), 'costledger-example-'))
const ledger = await Ledger.open({
  databaseUrl: `sqlite://${path.join(dir, 'ledger.db')}`,
  masterKey: generateMasterKey(), // in production: COSTLEDGER_MASTER_KEY, from a secret store
  anthropicBaseUrl: `http://127.0.0.1:${port}`,
  now: NOW,
  requestIntervalMs: 0, // the fake has no rate limit; keep the default with the real API
})
try {
  // Each organisation is connected with its Admin API key, which is sealed: only its hint
  // ever comes back.
  const plans = []
  for (const org of orgs) plans.push(await ledger.addPlan({ label: org.name, adminApiKey: org.admin_key }))
  const report = await ledger.sync({ initialBackfillDays: 10 })
  console.log(`Synced ${plans.map((p) => `${p.label} (${p.keyHint})`).join(' and ')}: ${report.rowsWritten} rows`)

  // The sync brought each organisation's API keys and members. Ada holds the keys of one
  // workspace of the first; Grace is a member of the second, so the keys she created are
  // hers by email. Mappings change reports at once: no second sync.
  const [first, second] = plans
  const { apiKeys, workspaces } = await ledger.planMetadata(first.id)
  const workspace = workspaces.find((w) => apiKeys.some((k) => k.workspaceId === w.id))
  await ledger.upsertSubject({ id: 'u-ada', email: 'ada@example.com', name: 'Ada Lovelace' })
  for (const key of apiKeys.filter((k) => k.workspaceId === workspace.id)) {
    await ledger.mapKey({ planId: first.id, apiKeyId: key.id, subjectId: 'u-ada' })
  }
  const members = await ledger.planMetadata(second.id)
  const creator = members.users.find((u) => members.apiKeys.some((k) => k.createdById === u.id))
  await ledger.upsertSubject({ id: 'u-grace', email: creator.email, name: 'Grace Hopper' })

  const ada = await ledger.userCosts('u-ada', { period: PERIOD })
  console.log(`\n${ada.subject.name} in ${ada.period.label} (the keys of ${workspace.name}):`)
  console.log(`  ${$(ada.total.total)} = billed ${$(ada.total.billed)} + estimated ${$(ada.total.estimated)} + seats ${$(ada.total.subscription)}`)
  for (const m of ada.perModel) console.log(`  ${m.model.padEnd(32)} ${$(m.cost.total)}`)
  const busiest = ada.perDay.reduce((a, b) => (b.cost.total.usdNumber > a.cost.total.usdNumber ? b : a))
  console.log(`  busiest day: ${busiest.date}, ${$(busiest.cost.total)}`)

  const dashboard = await ledger.dashboard({ period: PERIOD, topSubjects: 5 })
  const { totals } = dashboard
  console.log(`\nDashboard ${dashboard.period.label}: ${$(totals.total)}`)
  console.log(`  billed exactly $${totals.billed.usd}, estimated $${totals.estimated.usd}`)
  for (const p of dashboard.perPlan) console.log(`  plan ${p.label.padEnd(28)} ${$(p.cost.total)}`)
  for (const s of dashboard.topSubjects) console.log(`  user ${(s.name ?? s.subjectId).padEnd(28)} ${$(s.cost.total)}`)
  console.log(`  ${'unattributed'.padEnd(33)} ${$(dashboard.unattributed.total)}`)
} finally {
  await ledger.close()
  fake.kill()
  await once(fake, 'exit')
  rmSync(dir, { recursive: true, force: true })
}
