// The package as npm publishes it: `npm pack`, installed from the tarball into a fresh project
// (offline: the package has no dependencies), then imported with ESM `import` and CommonJS
// `require`, type-checked both ways, and loaded where it cannot run (the Edge runtime, a
// bundle, a folder without its addon) to check the error says what to do.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const PKG = path.resolve(import.meta.dirname, '..')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const NEEDS_NODE = 'costledger needs the Node.js runtime; add it to serverExternalPackages'

/** Run `code` with node in `cwd` (as `.mjs` or `.cjs`); resolves to stdout, or rejects. */
async function node(cwd, name, code, args = []) {
  writeFileSync(path.join(cwd, name), code)
  const { stdout } = await run(process.execPath, [...args, name], { cwd })
  return stdout
}

/** The message and cause chain of what running `code` threw, from its stderr. */
async function failure(cwd, name, code, args = []) {
  try {
    await node(cwd, name, code, args)
  } catch (e) {
    return e.stderr
  }
  assert.fail(`${name} did not throw`)
}

describe('the packed package', () => {
  let dir
  let app
  let installed
  let packed

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'costledger-pack-'))
    const { stdout } = await run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: PKG,
      maxBuffer: 1 << 26,
    })
    packed = JSON.parse(stdout)[0]
    app = path.join(dir, 'app')
    mkdirSync(app)
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
    await run(NPM, ['install', '--offline', '--no-audit', '--no-fund', path.join(dir, packed.filename)], {
      cwd: app,
      maxBuffer: 1 << 26,
    })
    installed = path.join(app, 'node_modules', 'costledger')
  })

  after(() => rmSync(dir, { recursive: true, force: true }))

  it('holds the entries, the types and the addon, and nothing of the sources', () => {
    const files = packed.files.map((f) => f.path)
    for (const file of ['package.json', 'README.md', 'index.js', 'index.d.ts', 'dist/index.js', 'dist/index.d.ts',
      'esm/index.mjs', 'esm/index.d.mts', 'esm/unsupported.mjs']) {
      assert.ok(files.includes(file), `${file} is packed`)
    }
    assert.ok(files.some((f) => /^costledger\.[\w-]+\.node$/.test(f)), 'the addon is packed')
    assert.deepEqual(files.filter((f) => /^(lib|src|__test__|scripts|npm-stubs)\/|^Cargo|\.rs$/.test(f)), [])
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'))
    assert.equal(manifest.private, undefined, 'publishable')
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), [], 'installs offline')
  })

  it('imports with ESM and requires with CommonJS: the same module, working', async () => {
    const use = (load) => `${load}
const dir = mkdtempSync(join(tmpdir(), 'costledger-pack-db-'))
const ledger = await Ledger.open({ databaseUrl: 'sqlite://' + join(dir, 'l.db'), masterKey: generateMasterKey() })
const plans = await ledger.listPlans()
const missing = await ledger.userCosts('nobody', { period: '2026-11' }).catch((e) => e)
await ledger.close()
rmSync(dir, { recursive: true })
console.log(JSON.stringify({
  from: entry,
  plans,
  error: missing instanceof CostLedgerError ? missing.code : String(missing),
  codes: ERROR_CODES.length,
  exports: Object.keys(costledger).filter((k) => k !== 'default' && k !== '__esModule').sort(),
}))
`
    const esm = await node(app, 'esm.mjs', use(`import * as costledger from 'costledger'
import { CostLedgerError, ERROR_CODES, Ledger, generateMasterKey } from 'costledger'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const entry = import.meta.resolve('costledger')
if (createRequire(import.meta.url)('costledger').CostLedgerError !== CostLedgerError) throw new Error('two copies')`))
    const cjs = await node(app, 'cjs.cjs', `(async () => { ${use(`const costledger = require('costledger')
const { CostLedgerError, ERROR_CODES, Ledger, generateMasterKey } = costledger
const { mkdtempSync, rmSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const entry = require.resolve('costledger')`)} })().catch((e) => { console.error(e); process.exit(1) })`)
    const [fromEsm, fromCjs] = [JSON.parse(esm), JSON.parse(cjs)]
    assert.equal(fromEsm.from, new URL(`file://${path.join(installed, 'esm', 'index.mjs')}`).href)
    assert.equal(fromCjs.from, path.join(installed, 'dist', 'index.js'))
    for (const result of [fromEsm, fromCjs]) {
      assert.deepEqual(result.plans, [])
      assert.equal(result.error, 'SUBJECT_NOT_FOUND')
      assert.ok(result.codes > 10)
    }
    assert.deepEqual(fromEsm.exports, fromCjs.exports, 'the ESM entry exports what the CommonJS one does')
    assert.deepEqual(fromEsm.exports, ['CostLedgerError', 'ERROR_CODES', 'Ledger', 'OAuthClient', 'generateMasterKey'])
  })

  it('type-checks from ESM (.mts) and CommonJS (.cts), each through its own declarations', async () => {
    const sample = (head) => `${head}
export async function month(url: string): Promise<string> {
  const ledger: Ledger = await Ledger.open({ databaseUrl: url, masterKey: generateMasterKey() })
  const plans: Plan[] = await ledger.listPlans()
  const code: ErrorCode = 'PLAN_NOT_FOUND'
  // @ts-expect-error: the types are the package's, not \`any\`
  await ledger.noSuchMethod()
  const error = new CostLedgerError('x', code)
  return \`\${plans.length} \${error.code}\`
}
`
    writeFileSync(path.join(app, 'esm.mts'), sample(`import { CostLedgerError, Ledger, generateMasterKey, type ErrorCode, type Plan } from 'costledger'`))
    writeFileSync(path.join(app, 'cjs.cts'), sample(`import costledger = require('costledger')
import { CostLedgerError, Ledger, generateMasterKey } from 'costledger'
type ErrorCode = costledger.ErrorCode
type Plan = costledger.Plan`))
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
        // The declarations are checked by the build; here, what a user's code sees through them.
        skipLibCheck: true,
        types: ['node'], typeRoots: [path.join(PKG, 'node_modules', '@types')],
      },
      files: ['esm.mts', 'cjs.cts'],
    }))
    const tsc = path.join(PKG, 'node_modules', 'typescript', 'bin', 'tsc')
    let listed
    try {
      ;({ stdout: listed } = await run(process.execPath, [tsc, '-p', app, '--listFiles'], { cwd: app }))
    } catch (e) {
      assert.fail(`the package's types do not check:\n${e.stdout}`)
    }
    assert.ok(listed.includes(path.join(installed, 'esm', 'index.d.mts')), 'ESM resolves esm/index.d.mts')
    assert.ok(listed.includes(path.join(installed, 'dist', 'index.d.ts')), 'CommonJS resolves dist/index.d.ts')
  })

  it('says it needs Node.js when imported for the Edge runtime, a worker or a browser', async () => {
    for (const condition of ['edge-light', 'worker', 'browser']) {
      const stderr = await failure(app, 'edge.mjs', `await import('costledger')`, [`--conditions=${condition}`])
      assert.match(stderr, new RegExp(`Error: ${NEEDS_NODE}\\. It was imported for the Edge runtime`), condition)
    }
  })

  it('says it needs Node.js when loaded inside the Edge runtime', async () => {
    // Next.js's Edge sandbox defines the global `EdgeRuntime`.
    const stderr = await failure(app, 'edge.cjs', `globalThis.EdgeRuntime = 'edge-runtime'; require('costledger')`)
    assert.match(stderr, new RegExp(`Error: ${NEEDS_NODE}\\. It was loaded in the Edge runtime`))
    assert.doesNotMatch(stderr, /Cannot find native binding/)
  })

  it('says it needs Node.js when bundled, away from its addon, instead of napi\'s missing-binding message', async () => {
    // What a bundler does: the package's JavaScript copied into its output, the addon not.
    const bundle = path.join(dir, 'bundle', 'chunks')
    mkdirSync(bundle, { recursive: true })
    cpSync(path.join(installed, 'dist'), path.join(bundle, 'dist'), { recursive: true })
    cpSync(path.join(installed, 'index.js'), path.join(bundle, 'index.js'))
    const stderr = await failure(bundle, 'server.cjs', `require('./dist/index.js')`)
    assert.match(stderr, new RegExp(`Error: ${NEEDS_NODE}\\. It was bundled: its code runs from ${path.join(bundle, 'dist')}`))
    assert.match(stderr, /serverExternalPackages: \['costledger'\]/)
    assert.match(stderr, /\[cause\]: Error: Cannot find native binding/, 'napi\'s error stays the cause')
  })

  it('names the prebuilt platforms when the package has no addon for this one', async () => {
    const copy = path.join(dir, 'no-addon', 'node_modules', 'costledger')
    cpSync(installed, copy, { recursive: true, filter: (f) => !f.endsWith('.node') })
    assert.deepEqual(readdirSync(copy).filter((f) => f.endsWith('.node')), [])
    const stderr = await failure(path.dirname(path.dirname(copy)), 'load.cjs', `require('costledger')`)
    assert.match(stderr, new RegExp(`costledger could not load its native addon in ${copy} on ${process.platform}-${process.arch}: prebuilt for linux-x64-gnu`))
    assert.doesNotMatch(stderr, new RegExp(NEEDS_NODE))
  })
})
