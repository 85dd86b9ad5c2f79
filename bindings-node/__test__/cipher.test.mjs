// A host-supplied key cipher (a KMS stand-in) instead of the master key, on every backend.

import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, DAYS, freshDb, openLedger, rejectsWith, startFake } from './helpers.mjs'

/** AES-256-GCM under a key the "KMS" keeps; a class, so `this` must survive the binding. */
class FakeKms {
  #key = randomBytes(32)
  keyId = 'kms:key/test-1'
  calls = []

  async encrypt(plaintext, aad) {
    this.calls.push(['encrypt', aad.toString()])
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(aad)
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body])
  }

  async decrypt(ciphertext, aad) {
    this.calls.push(['decrypt', aad.toString()])
    const decipher = createDecipheriv('aes-256-gcm', this.#key, ciphertext.subarray(0, 12)).setAAD(aad)
    decipher.setAuthTag(ciphertext.subarray(12, 28))
    // A Uint8Array (what KMS SDKs return) is accepted as well as a Buffer.
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext.subarray(28)), decipher.final()]))
  }
}

for (const kind of BACKENDS) {
  describe(`host cipher on ${kind}`, () => {
    let fake, db
    before(async () => {
      fake = await startFake({ orgs: 2 })
      db = freshDb(kind)
    })
    after(async () => {
      await fake?.stop()
      db?.drop()
    })

    it('seals and opens credentials with the host cipher, bound to their plan', async () => {
      const kms = new FakeKms()
      const ledger = await openLedger(db, fake, { masterKey: undefined, cipher: kms })
      const plan = await ledger.addPlan({ label: 'Acme', adminApiKey: fake.orgs[0].admin_key })
      assert.deepEqual(kms.calls, [['encrypt', `costledger:credential:v1:plan=${plan.id}:kind=admin_key`]])
      assert.equal((await ledger.checkPlan(plan.id)).id, fake.orgs[0].id)
      assert.deepEqual(kms.calls[1], ['decrypt', `costledger:credential:v1:plan=${plan.id}:kind=admin_key`])
      const report = await ledger.sync({ planId: plan.id, initialBackfillDays: DAYS })
      assert.equal(report.ok, true)
      await rejectsWith(ledger.rotateMasterKey(db.masterKey ?? randomBytes(32).toString('base64')), 'INVALID_INPUT', /rotates its own keys/)
      await ledger.close()

      // Another "KMS" with another key cannot open what the first sealed.
      const other = await openLedger(db, fake, { masterKey: undefined, cipher: new FakeKms() })
      await rejectsWith(other.checkPlan(plan.id), 'CRYPTO', /host cipher's decrypt failed: Unsupported state or unable to authenticate data/)
      await other.close()
    })

    it('turns a throwing or rejecting cipher into CRYPTO, and stores nothing', async () => {
      const throwing = {
        encrypt() {
          throw new Error('KMS unreachable')
        },
        decrypt: async () => Buffer.alloc(0),
      }
      const ledger = await openLedger(freshDbFor(kind, after), fake, { masterKey: undefined, cipher: throwing })
      await rejectsWith(ledger.addPlan({ label: 'Acme', adminApiKey: fake.orgs[0].admin_key }), 'CRYPTO', /encrypt failed: KMS unreachable/)
      assert.deepEqual(await ledger.listPlans({ includeDisconnected: true }), [])
      await ledger.close()

      const wrongType = { encrypt: async () => 'not bytes', decrypt: async () => Buffer.alloc(0) }
      const second = await openLedger(freshDbFor(kind, after), fake, { masterKey: undefined, cipher: wrongType })
      await rejectsWith(second.addPlan({ label: 'Acme', adminApiKey: fake.orgs[0].admin_key }), 'CRYPTO', /must resolve to a Buffer or Uint8Array/)
      await second.close()

      const kms = new FakeKms()
      const rejecting = { encrypt: (p, a) => kms.encrypt(p, a), decrypt: () => Promise.reject(new Error('access denied')) }
      const third = await openLedger(freshDbFor(kind, after), fake, { masterKey: undefined, cipher: rejecting })
      const plan = await third.addPlan({ label: 'Acme', adminApiKey: fake.orgs[0].admin_key })
      await rejectsWith(third.checkPlan(plan.id), 'CRYPTO', /decrypt failed: access denied/)
      const report = await third.sync({ planId: plan.id })
      assert.equal(report.plans[0].error.code, 'CRYPTO')
      await third.close()
    })

    it('opens without a master key to read, and refuses to seal or open a credential', async () => {
      const saved = process.env.COSTLEDGER_MASTER_KEY
      delete process.env.COSTLEDGER_MASTER_KEY
      const keyless = await openLedger(db, fake, { masterKey: undefined })
      try {
        const [plan] = await keyless.listPlans()
        assert.equal(plan.label, 'Acme')
        assert.ok((await keyless.syncHistory({ planId: plan.id })).length > 0, 'history reads without a key')
        await rejectsWith(keyless.addPlan({ label: 'Globex', adminApiKey: fake.orgs[1].admin_key }), 'INVALID_INPUT', /no master key is configured/)
        await rejectsWith(keyless.checkPlan(plan.id), 'INVALID_INPUT', /no master key is configured/)
      } finally {
        await keyless.close()
        if (saved !== undefined) process.env.COSTLEDGER_MASTER_KEY = saved
      }
    })
  })
}

/** A fresh database dropped when the suite ends. */
function freshDbFor(kind, after) {
  const db = freshDb(kind)
  after(() => db.drop())
  return db
}
