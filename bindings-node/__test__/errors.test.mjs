// Errors: the facade's codes agree with the core's, every rejection is a CostLedgerError
// with a code and a cause, and a panic in Rust is an INTERNAL error, not a dead process.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'

import { CostLedgerError, ERROR_CODES, Ledger, generateMasterKey } from 'costledger'

import { rejectsWith } from './helpers.mjs'

// The native loader, for the two checks of the boundary itself; every other test goes
// through the package like a user.
const native = createRequire(import.meta.url)('../index.js')

describe('errors', () => {
  let ledger
  before(async () => {
    ledger = await Ledger.open({ databaseUrl: 'sqlite::memory:', masterKey: generateMasterKey() })
  })
  after(() => ledger?.close())

  it('has the same codes as the Rust core, in order', () => {
    assert.deepEqual([...ERROR_CODES], native.errorCodes())
  })

  it('rejects with a CostLedgerError carrying the code and the native cause', async () => {
    const error = await ledger.getPlan(42).catch((e) => e)
    assert.ok(error instanceof CostLedgerError)
    assert.ok(error instanceof Error)
    assert.equal(error.code, 'PLAN_NOT_FOUND')
    assert.equal(error.message, 'plan 42 not found; list the plans to see their ids')
    assert.equal(error.cause.message, `[PLAN_NOT_FOUND] ${error.message}`)
    assert.match(error.stack, /^CostLedgerError: plan 42 not found/)
    await assert.rejects(ledger.getPlan(42), { code: 'PLAN_NOT_FOUND', name: 'CostLedgerError' })
  })

  it('turns arguments of the wrong type into INVALID_INPUT', async () => {
    await rejectsWith(ledger.getPlan('42'), 'INVALID_INPUT', /f64/)
    await rejectsWith(ledger.addPlan(), 'INVALID_INPUT')
    await rejectsWith(ledger.addPlan({ label: 7 }), 'INVALID_INPUT', /NewPlan.label/)
    await rejectsWith(ledger.updatePlan(1, { subscription: { tier: 'pro' } }), 'INVALID_INPUT', /seats/)
    await rejectsWith(Ledger.open({ maxConnections: 'many' }), 'INVALID_INPUT', /maxConnections/)
  })

  it('turns a panic into an INTERNAL error and keeps the process alive', async () => {
    for (const insideRun of [true, false]) {
      const error = await native.__panicForTests(insideRun).then(
        () => assert.fail('no panic'),
        (e) => e,
      )
      // The facade is what users see; feed it the raw rejection the way every method does.
      const { toCostLedgerError } = createRequire(import.meta.url)('../dist/errors.js')
      const mapped = toCostLedgerError(error)
      assert.ok(mapped instanceof CostLedgerError)
      assert.equal(mapped.code, 'INTERNAL', mapped.message)
      if (insideRun) assert.match(mapped.message, /panicked: a deliberate panic for the tests/)
    }
    assert.deepEqual(await ledger.listPlans(), [], 'the addon still answers')
  })

  it('writes a union in the declarations for every value of each core enumeration', () => {
    // napi writes index.d.ts from the Rust options; scripts/gen-bindings.py writes the values'
    // types (lib/generated.ts) from the core's schema.
    const dts = ['index.d.ts', 'lib/generated.ts']
      .map((file) => readFileSync(path.join(import.meta.dirname, '..', file), 'utf8'))
      .join('\n')
    for (const [name, values] of Object.entries(native.__enumValues())) {
      const union = values.map((v) => `'${v}'`).join(' | ')
      assert.ok(dts.includes(union), `index.d.ts lacks the ${name} union ${union}; update the ts_type in src/ or regenerate lib/generated.ts`)
    }
  })
})
