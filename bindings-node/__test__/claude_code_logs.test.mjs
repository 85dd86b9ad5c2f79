// A Claude Code logs plan and its reports (days, months, sessions, 5-hour blocks, the files
// read) and their exports, on every backend, from JSONL logs written the way Claude Code writes them.

import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, NOW, freshDb, nanos, openLedger, parseCsv, rejectsWith, startFake, sumUsd } from './helpers.mjs'

const SONNET = 'claude-sonnet-4-5-20250929'

/** One assistant turn of a session, as a line of Claude Code's log. */
function turn(session, id, at, model, input, output) {
  const usage = { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output, service_tier: 'standard' }
  return (
    JSON.stringify({
      parentUuid: `p-${id}`,
      isSidechain: false,
      userType: 'external',
      cwd: '/home/dev/app',
      sessionId: session,
      version: '2.0.14',
      message: { id: `msg_${id}`, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'ok' }], usage },
      requestId: `req_${id}`,
      type: 'assistant',
      uuid: `u-${id}`,
      timestamp: at,
    }) + '\n'
  )
}

for (const kind of BACKENDS) {
  describe(`Claude Code logs on ${kind}`, () => {
    let fake, db, ledger, dir, plan
    before(async () => {
      fake = await startFake({ orgs: 1 })
      db = freshDb(kind)
      ledger = await openLedger(db, fake)
      dir = mkdtempSync(path.join(tmpdir(), 'costledger-logs-'))
      const app = path.join(dir, 'app')
      mkdirSync(app)
      // 14:30 and 15:30 UTC on the 18th are 23:30 on the 18th and 00:30 on the 19th in Tokyo.
      appendFileSync(path.join(app, 's1.jsonl'), turn('s1', 'a', '2026-11-18T14:30:00.000Z', SONNET, 10, 100))
      appendFileSync(path.join(app, 's1.jsonl'), turn('s1', 'b', '2026-11-18T15:30:00.000Z', SONNET, 20, 200))
      appendFileSync(path.join(app, 's2.jsonl'), turn('s2', 'c', '2026-11-19T22:00:00.000Z', 'claude-made-up-9', 5, 50))
      // A line that claims usage but is cut short: skipped and counted as malformed.
      appendFileSync(path.join(app, 's2.jsonl'), '{"type":"assistant","message":{"usage":{"input_tokens":\n')
    })
    after(async () => {
      await ledger?.close()
      await fake?.stop()
      db?.drop()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('adds a logs plan without a key, and syncs its files', async () => {
      plan = await ledger.addPlan({ label: 'My Max plan', provider: 'claude_code_logs', directories: [dir] })
      assert.deepEqual([plan.provider, plan.keyHint, plan.directories, plan.status], ['claude_code_logs', null, [dir], 'active'])
      const report = await ledger.sync({ planId: plan.id })
      const [outcome] = report.plans
      const usage = outcome.streams.find((st) => st.stream === 'usage')
      assert.equal(usage.status, 'partial', 'the malformed line is skipped, everything else synced')
      assert.deepEqual(usage.error, { code: 'LOG_LINES_SKIPPED', message: 'skipped 1 malformed line(s); everything else was synced' })
      const files = await ledger.claudeCodeLogFiles(plan.id)
      assert.deepEqual(
        files.map((f) => [path.basename(f.path), f.project, f.lines, f.entries, f.malformed, f.tooLong]),
        [
          ['s1.jsonl', 'app', 2, 2, 0, 0],
          ['s2.jsonl', 'app', 2, 1, 1, 0],
        ].sort(),
      )
      for (const f of files) {
        assert.equal(f.parsedTo, f.size)
        assert.match(f.modifiedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      }
    })

    it('reports days in a time zone, months, sessions and blocks, estimated at list prices', async () => {
      const days = await ledger.claudeCodeLogsDaily(plan.id)
      assert.deepEqual(
        days.map((d) => [d.period, d.usage.entries, d.usage.tokens.output, d.usage.missingPrices]),
        [
          ['2026-11-18', 2, 300, []],
          ['2026-11-19', 1, 50, ['claude-made-up-9']],
        ],
      )
      const [first, second] = days
      assert.ok(nanos(first.usage.estimatedCost.usd) > 0n, 'sonnet has a list price')
      assert.deepEqual(first.usage.models.map((m) => [m.model, m.entries, m.tokens.uncachedInput]), [[SONNET, 2, 30]])
      assert.equal(first.usage.models[0].estimatedCost.usd, first.usage.estimatedCost.usd)
      assert.equal(second.usage.models[0].estimatedCost, null, 'no price: unknown, not zero')
      assert.equal(second.usage.estimatedCost.usd, '0.00')

      const tokyo = await ledger.claudeCodeLogsDaily(plan.id, { timeZone: 'Asia/Tokyo' })
      assert.deepEqual(tokyo.map((d) => [d.period, d.usage.tokens.output]), [
        ['2026-11-18', 100],
        ['2026-11-19', 200],
        ['2026-11-20', 50],
      ])
      const window = await ledger.claudeCodeLogsDaily(plan.id, { since: '2026-11-19', until: '2026-11-19' })
      assert.deepEqual(window.map((d) => d.period), ['2026-11-19'])

      const months = await ledger.claudeCodeLogsMonthly(plan.id)
      assert.deepEqual(months.map((m) => [m.period, m.usage.entries]), [['2026-11', 3]])
      assert.equal(months[0].usage.estimatedCost.usd, sumUsd(days.map((d) => d.usage.estimatedCost)))

      // ISO weeks, named by their Monday; a project's entries only.
      const weeks = await ledger.claudeCodeLogsWeekly(plan.id, { timeZone: 'Asia/Kathmandu' })
      assert.deepEqual(weeks.map((w) => [w.period, w.usage.entries]), [['2026-11-16', 3]])
      assert.deepEqual(await ledger.claudeCodeLogsDaily(plan.id, { project: 'elsewhere' }), [])
      assert.equal((await ledger.claudeCodeLogsBlocks(plan.id, { project: 'elsewhere' })).length, 0)
      assert.equal((await ledger.claudeCodeLogsSessions(plan.id, { project: 'app' })).length, 2)

      const sessions = await ledger.claudeCodeLogsSessions(plan.id)
      assert.deepEqual(
        sessions.map((x) => [x.project, x.session, x.firstAt, x.lastAt, x.usage.entries]),
        [
          ['app', 's2', '2026-11-19T22:00:00.000Z', '2026-11-19T22:00:00.000Z', 1],
          ['app', 's1', '2026-11-18T14:30:00.000Z', '2026-11-18T15:30:00.000Z', 2],
        ],
      )

      const blocks = await ledger.claudeCodeLogsBlocks(plan.id)
      assert.deepEqual(
        blocks.map((b) => [b.start, b.end, b.firstAt, b.lastAt, b.active, b.usage.entries]),
        [
          ['2026-11-18T14:00:00.000Z', '2026-11-18T19:00:00.000Z', '2026-11-18T14:30:00.000Z', '2026-11-18T15:30:00.000Z', false, 2],
          // The ledger's clock is 2026-11-20T00:00Z: two hours into the block.
          ['2026-11-19T22:00:00.000Z', '2026-11-20T03:00:00.000Z', '2026-11-19T22:00:00.000Z', '2026-11-19T22:00:00.000Z', true, 1],
        ],
      )
      assert.equal(NOW, '2026-11-20T00:00:00Z')
    })

    it('exports the log reports as the core writes them', async () => {
      const days = await ledger.claudeCodeLogsDaily(plan.id)
      const json = JSON.parse(await ledger.exportClaudeCodeLogsDaily(plan.id, {}, 'json'))
      assert.deepEqual(
        json.map((d) => [d.period, d.usage.entries, d.usage.estimated_cost]),
        days.map((d) => [d.period, d.usage.entries, d.usage.estimatedCost.usd]),
      )
      const csv = parseCsv(await ledger.exportClaudeCodeLogsDaily(plan.id, { timeZone: 'Asia/Tokyo' }, 'csv'))
      assert.deepEqual(csv.header.slice(0, 3), ['period', 'usage.entries', 'usage.tokens.uncached_input'])
      assert.deepEqual(csv.records.map((r) => r.period), ['2026-11-18', '2026-11-19', '2026-11-20'])
      assert.equal(parseCsv(await ledger.exportClaudeCodeLogsMonthly(plan.id, {}, 'csv')).records[0].period, '2026-11')
      assert.equal(parseCsv(await ledger.exportClaudeCodeLogsWeekly(plan.id, { project: 'app' }, 'csv')).records[0].period, '2026-11-16')
      assert.deepEqual(parseCsv(await ledger.exportClaudeCodeLogsSessions(plan.id, {}, 'csv')).records.map((r) => r.session), ['s2', 's1'])
      assert.equal(JSON.parse(await ledger.exportClaudeCodeLogsBlocks(plan.id, {}, 'json')).length, 2)
      await rejectsWith(ledger.exportClaudeCodeLogsBlocks(plan.id, {}, 'yaml'), 'INVALID_INPUT', /format must be json or csv/)
      await rejectsWith(ledger.exportClaudeCodeLogsDaily(9999, {}, 'csv'), 'PLAN_NOT_FOUND')
    })

    it('lists a model without a price in the dashboard, its cost unknown, for exactly the period', async () => {
      const line = (d, model) => d.perModel.find((m) => m.model === model)
      // 22:00 UTC on the 19th: in the UTC day of the 19th and the Los Angeles day of the 19th.
      for (const period of ['2026-11-19', '2026-11-19 America/Los_Angeles']) {
        const d = await ledger.dashboard({ period, planIds: [plan.id] })
        const made = line(d, 'claude-made-up-9')
        assert.ok(made, `${period}: ${JSON.stringify(d.perModel)}`)
        assert.deepEqual([made.costUnknown, made.unpricedTokens, made.tokens.output, made.cost.total.usd], [true, 55, 50, '0.00'])
        assert.deepEqual(d.missingPrices.map((m) => [m.model, m.tokens]), [['claude-made-up-9', 55]])
      }
      // The UTC day before has none of it.
      const before = await ledger.dashboard({ period: '2026-11-18', planIds: [plan.id] })
      assert.deepEqual(before.missingPrices, [])
      assert.equal(line(before, 'claude-made-up-9'), undefined)
      assert.deepEqual([line(before, SONNET).costUnknown, line(before, SONNET).unpricedTokens], [false, 0])
    })

    it('prices in the cost mode asked for: auto (the default), calculate or display', async () => {
      const costDir = mkdtempSync(path.join(tmpdir(), 'costledger-logs-'))
      const file = path.join(costDir, 'app', 's3.jsonl')
      mkdirSync(path.dirname(file))
      const withCost = JSON.parse(turn('s3', 'x', '2026-11-17T10:00:00.000Z', SONNET, 10, 100))
      appendFileSync(file, JSON.stringify({ ...withCost, costUSD: 0.25 }) + '\n')
      appendFileSync(file, turn('s3', 'y', '2026-11-17T11:00:00.000Z', SONNET, 20, 200))
      try {
        const costPlan = await ledger.addPlan({ label: 'Cost modes', provider: 'claude_code_logs', directories: [costDir] })
        await ledger.sync({ planId: costPlan.id })
        const cost = async (options) => {
          const [day] = await ledger.claudeCodeLogsDaily(costPlan.id, options)
          return nanos(day.usage.estimatedCost.usd)
        }
        const [auto, calculate, display] = [await cost({ costMode: 'auto' }), await cost({ costMode: 'calculate' }), await cost({ costMode: 'display' })]
        assert.equal(display, 250_000_000n, "only the line's costUSD")
        assert.equal(await cost({}), auto, 'auto is the default')
        assert.ok(display < auto && auto < display + calculate, 'auto: costUSD where the line has one, else calculated')
        await rejectsWith(ledger.claudeCodeLogsDaily(costPlan.id, { costMode: 'guess' }), 'INVALID_INPUT', /cost mode must be auto, calculate or display/)
      } finally {
        rmSync(costDir, { recursive: true, force: true })
      }
    })

    it('refuses other plans and bad options with their codes', async () => {
      const anthropic = await ledger.addPlan({ label: 'Org', adminApiKey: fake.orgs[0].admin_key })
      await rejectsWith(ledger.claudeCodeLogsDaily(anthropic.id), 'INVALID_INPUT', /log reports need a claude_code_logs plan/)
      await rejectsWith(ledger.claudeCodeLogFiles(anthropic.id), 'INVALID_INPUT', /claude_code_logs/)
      await rejectsWith(ledger.claudeCodeLogsMonthly(9999), 'PLAN_NOT_FOUND')
      await rejectsWith(ledger.claudeCodeLogsSessions(9999), 'PLAN_NOT_FOUND')
      await rejectsWith(ledger.claudeCodeLogsBlocks(9999), 'PLAN_NOT_FOUND')
      await rejectsWith(ledger.claudeCodeLogFiles(9999), 'PLAN_NOT_FOUND')
      await rejectsWith(ledger.claudeCodeLogsDaily(plan.id, { timeZone: 'Mars/Olympus' }), 'INVALID_INPUT', /time zone must be an IANA name/)
      await rejectsWith(ledger.claudeCodeLogsDaily(plan.id, { since: '2026-11-19', until: '2026-11-18' }), 'INVALID_INPUT', /must not be after until/)
      await rejectsWith(ledger.claudeCodeLogsDaily(plan.id, { since: '19/11/2026' }), 'INVALID_INPUT', /since must be a date like 2026-11-01/)
      await rejectsWith(
        ledger.addPlan({ label: 'Nowhere', provider: 'claude_code_logs', directories: [path.join(dir, 'missing')] }),
        'INVALID_INPUT',
        /does not exist/,
      )
    })
  })
}
