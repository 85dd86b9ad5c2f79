// Opening and closing a ledger, on every backend.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import util from 'node:util'

import { Ledger, generateMasterKey } from 'costledger'

import { BACKENDS, freshDb, rejectsWith } from './helpers.mjs'

for (const kind of BACKENDS) {
  describe(`ledger on ${kind}`, () => {
    it('opens, migrates, closes, and then refuses calls with CLOSED', async () => {
      const db = freshDb(kind)
      const masterKey = generateMasterKey()
      try {
        const ledger = await Ledger.open({ ...db.options, masterKey, maxConnections: 2, httpTimeoutMs: 5000, maxRetries: 1 })
        assert.ok(ledger instanceof Ledger)
        assert.deepEqual(await ledger.listPlans(), [])
        assert.ok(!util.inspect(ledger, { showHidden: true }).includes(masterKey))
        assert.equal(JSON.stringify({ ledger }), '{"ledger":{}}')
        await ledger.close()
        await ledger.close()
        await rejectsWith(ledger.listPlans(), 'CLOSED', /ledger is closed/)
        await rejectsWith(ledger.sync(), 'CLOSED')
        // Reopening finds the migrated database as it was.
        const again = await Ledger.open({ ...db.options, masterKey, runMigrations: false })
        assert.deepEqual(await again.listPlans(), [])
        await again.close()
      } finally {
        db.drop()
      }
    })
  })
}

describe('Ledger.open', () => {
  it('rejects malformed options with INVALID_INPUT, never echoing the master key', async () => {
    const masterKey = generateMasterKey()
    await rejectsWith(Ledger.open({ databaseUrl: 'mysql://x', masterKey }), 'INVALID_INPUT')
    const bad = masterKey.slice(0, 30)
    const error = await Ledger.open({ databaseUrl: 'sqlite::memory:', masterKey: bad }).catch((e) => e)
    assert.equal(error.code, 'INVALID_INPUT')
    assert.ok(!error.message.includes(bad), error.message)
    await rejectsWith(Ledger.open({ databaseUrl: 'sqlite::memory:', masterKey, now: '20 Nov 2026' }), 'INVALID_INPUT', /now must be an ISO-8601 timestamp/)
    await rejectsWith(Ledger.open({ databaseUrl: 'sqlite::memory:', masterKey, anthropicBaseUrl: 'ftp://x' }), 'INVALID_INPUT', /must start with http/)
    // Checked by the facade before anything native runs, so there is no native cause.
    await assert.rejects(Ledger.open({ databaseUrl: 'sqlite::memory:', masterKey, cipher: {} }), {
      name: 'CostLedgerError',
      code: 'INVALID_INPUT',
      message: /encrypt and decrypt/,
    })
  })
})
