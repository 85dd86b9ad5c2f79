// A sync stopped by its AbortSignal, on every backend: it stops gracefully (interrupted
// events, leases released, the next sync not held back) and rejects with an AbortError-named
// CostLedgerError; a signal already aborted rejects at once without syncing.

import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'

import { CostLedgerError } from 'costledger'

import { BACKENDS, DAYS, freshDb, openLedger, startFake } from './helpers.mjs'

for (const kind of BACKENDS) {
  describe(`interrupting a sync on ${kind}`, () => {
    let fake, db, ledger, plans
    before(async () => {
      fake = await startFake({ orgs: 2 })
      db = freshDb(kind)
      ledger = await openLedger(db, fake)
      plans = []
      for (const org of fake.orgs) plans.push(await ledger.addPlan({ label: org.name, adminApiKey: org.admin_key }))
    })
    after(async () => {
      await ledger?.close()
      await fake?.stop()
      db?.drop()
    })

    it('stops gracefully when its signal aborts, then rejects with an AbortError', async () => {
      const controller = new AbortController()
      // Each request is answered after 250 ms: a plan's sync takes seconds, so a page is seen
      // committed while the sync still runs even when this machine polls slowly.
      await fake.setFaults('slow:250')
      const pending = ledger.sync({ initialBackfillDays: DAYS, signal: controller.signal })
      const deadline = Date.now() + 60_000
      while (db.sql('SELECT COUNT(*) FROM costledger_sync_state').trim() === '0') {
        assert.ok(Date.now() < deadline, 'no page was committed')
        await sleep(20)
      }
      // Every later request waits a minute, so the sync is still running when it is aborted
      // however slowly this machine polled (the graceful stop does not wait for a request).
      await fake.setFaults('slow:60000')
      const reason = new Error('the host is shutting down')
      controller.abort(reason)
      const error = await pending.catch((e) => e)
      await fake.setFaults('')
      assert.ok(error instanceof CostLedgerError, String(error))
      assert.equal(error.code, 'INTERRUPTED')
      assert.equal(error.name, 'AbortError')
      assert.equal(error.cause, reason)
      for (const plan of plans) {
        const [event] = await ledger.syncHistory({ planId: plan.id, stream: 'plan' })
        assert.equal(event.status, 'interrupted')
        assert.equal(event.errorCode, 'INTERRUPTED')
      }
      assert.equal(db.sql('SELECT COUNT(*) FROM costledger_sync_leases').trim(), '0')
      // The next sync is not held back by a lease.
      const next = await ledger.sync({ initialBackfillDays: DAYS })
      assert.deepEqual(
        next.plans.map((p) => p.status),
        plans.map(() => 'ok'),
      )
    })

    it('rejects at once, without syncing, when its signal is already aborted', async () => {
      const before = (await ledger.syncHistory()).length
      await assert.rejects(ledger.sync({ signal: AbortSignal.abort() }), { code: 'INTERRUPTED', name: 'AbortError' })
      assert.equal((await ledger.syncHistory()).length, before)
    })
  })
}
