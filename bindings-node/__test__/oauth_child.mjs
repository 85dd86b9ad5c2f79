// The child process of oauth.test.mjs's two-process refresh: open the ledger the parent
// describes in CL_OAUTH_CHILD (with the shared cipher, slow to seal), say READY, wait for the
// parent's go (a line on stdin, sent once both children are ready), then `sync` the plan or
// `check` it (either refreshes its expired token), and print the outcome.

import { once } from 'node:events'
import { createInterface } from 'node:readline'

import { Ledger } from 'costledger'

import { LEGACY_STREAMS, sharedCipher } from './helpers.mjs'

const { ledger: options, cipherKey, sealDelayMs, planId } = JSON.parse(process.env.CL_OAUTH_CHILD)
const action = process.argv[2]
const ledger = await Ledger.open({ ...options, cipher: sharedCipher(cipherKey, { sealDelayMs }) })
const lines = createInterface({ input: process.stdin })
console.log('READY')
await once(lines, 'line')
lines.close()
try {
  if (action === 'sync') {
    const report = await ledger.sync({ planId, initialBackfillDays: 11, streams: LEGACY_STREAMS })
    const [outcome] = report.plans
    console.log(`CHILD sync ${outcome.status}${outcome.error ? ` ${outcome.error.code} ${outcome.error.message}` : ''}`)
  } else {
    const org = await ledger.checkPlan(planId)
    console.log(`CHILD check ok ${org.id}`)
  }
} catch (e) {
  console.log(`CHILD ${action} failed ${e.code} ${e.message}`)
} finally {
  await ledger.close()
}
