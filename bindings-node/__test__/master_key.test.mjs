// Master keys: generating one, rotating the key credentials are sealed with, and reading
// with previous keys, on every backend.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { generateMasterKey } from 'costledger'

import { BACKENDS, assertNoKey, freshDb, openLedger, rejectsWith, startFake } from './helpers.mjs'

describe('generateMasterKey', () => {
  it('makes distinct 32-byte keys as base64', () => {
    const a = generateMasterKey()
    const b = generateMasterKey()
    assert.notEqual(a, b)
    assert.equal(Buffer.from(a, 'base64').length, 32)
    assert.equal(a.length, 44)
  })
})

for (const kind of BACKENDS) {
  describe(`master key rotation on ${kind}`, () => {
    let fake, db, plans
    before(async () => {
      fake = await startFake({ orgs: 2 })
      db = freshDb(kind)
      const ledger = await openLedger(db, fake)
      plans = []
      for (const org of fake.orgs) plans.push(await ledger.addPlan({ label: org.name, adminApiKey: org.admin_key }))
      await ledger.close()
    })
    after(async () => {
      await fake?.stop()
      db?.drop()
    })

    it('re-seals every credential under the new key, which then opens them alone', async () => {
      const oldKey = db.masterKey
      const newKey = generateMasterKey()
      const ledger = await openLedger(db, fake)
      assert.equal(await ledger.rotateMasterKey(newKey), 2)
      // The same handle goes on working with the new key.
      assert.equal((await ledger.checkPlan(plans[0].id)).id, fake.orgs[0].id)
      await ledger.close()

      const withNew = await openLedger(db, fake, { masterKey: newKey })
      assert.equal((await withNew.checkPlan(plans[1].id)).id, fake.orgs[1].id)
      await withNew.close()

      // The old key is refused when the ledger opens, naming the key id expected.
      let failed
      await rejectsWith(
        openLedger(db, fake, { masterKey: oldKey }).catch((e) => {
          failed = e
          throw e
        }),
        'CRYPTO',
        /wrong master key: .* sealed with master key sha256:[0-9a-f]{16}.*rotated away/,
      )
      assertNoKey(failed, fake.orgs.map((o) => o.admin_key))
      assert.ok(!failed.message.includes(oldKey) && !failed.message.includes(newKey))

      // The new key with the old one as previous (a roll-out) reads everything.
      const withPrevious = await openLedger(db, fake, { masterKey: newKey, previousMasterKeys: [oldKey] })
      assert.equal((await withPrevious.checkPlan(plans[0].id)).id, fake.orgs[0].id)
      await withPrevious.close()
      // Any other key is refused, even with the right one as previous: it would seal with
      // a second key.
      await rejectsWith(openLedger(db, fake, { masterKey: generateMasterKey(), previousMasterKeys: [newKey] }), 'CRYPTO')
      db.masterKey = newKey
    })

    it('rejects a malformed new key and changes nothing', async () => {
      const ledger = await openLedger(db, fake)
      await rejectsWith(ledger.rotateMasterKey('too-short'), 'INVALID_INPUT', /master key/)
      await rejectsWith(ledger.rotateMasterKey(Buffer.alloc(16).toString('base64')), 'INVALID_INPUT', /32 bytes, got 16/)
      assert.equal((await ledger.checkPlan(plans[0].id)).id, fake.orgs[0].id)
      await ledger.close()
      await rejectsWith(ledger.rotateMasterKey(generateMasterKey()), 'CLOSED')
    })
  })
}
