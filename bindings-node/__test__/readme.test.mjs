// The README's TypeScript samples type-check against the built package, so they cannot
// drift from the API.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { it } from 'node:test'

const PKG = path.resolve(import.meta.dirname, '..')

it('type-checks every ts sample of this README and of the repository README', () => {
  const samples = [path.join(PKG, 'README.md'), path.join(PKG, '..', 'README.md')].flatMap((file) => {
    const found = [...readFileSync(file, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
    assert.ok(found.length >= 2, `${file} has its samples`)
    return found
  })
  const dir = mkdtempSync(path.join(tmpdir(), 'costledger-readme-'))
  try {
    const files = samples.map((code, i) => {
      const file = path.join(dir, `sample${i}.mts`)
      writeFileSync(file, code)
      return file
    })
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.join(PKG, 'node_modules', '@types')],
        paths: { costledger: [path.join(PKG, 'dist', 'index.d.ts')] },
      },
      files,
    }
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
    const tsc = path.join(PKG, 'node_modules', 'typescript', 'bin', 'tsc')
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' })
    } catch (e) {
      assert.fail(`README samples do not type-check:\n${e.stdout}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

it('the READMEs next.config.mjs samples load and keep costledger external', async () => {
  for (const file of [path.join(PKG, 'README.md'), path.join(PKG, '..', 'README.md')]) {
    const configs = [...readFileSync(file, 'utf8').matchAll(/```js\n(\/\/ next\.config\.mjs\n[\s\S]*?)```/g)]
    assert.equal(configs.length, 1, `${file} has one next.config.mjs sample`)
    const dir = mkdtempSync(path.join(tmpdir(), 'costledger-next-config-'))
    try {
      writeFileSync(path.join(dir, 'next.config.mjs'), configs[0][1])
      const { default: config } = await import(path.join(dir, 'next.config.mjs'))
      assert.deepEqual(config.serverExternalPackages, ['costledger'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
})
