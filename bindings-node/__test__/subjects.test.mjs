// Subjects, projects and key mappings, and the organisation metadata they are made from, on
// every backend against the fake Admin API as a process.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, assertNoKey, rejectsWith, syncedLedger } from './helpers.mjs'

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

for (const kind of BACKENDS) {
  describe(`subjects on ${kind}`, () => {
    let s
    before(async () => {
      s = await syncedLedger(kind)
    })
    after(() => s?.close())

    it("reads a plan's synced metadata: workspaces, keys and members", async () => {
      const meta = await s.ledger.planMetadata(s.plans[0].id)
      // The organisation as the plan stored it, as Python's plan_metadata gives it.
      assert.deepEqual(Object.keys(meta), ['org', 'workspaces', 'apiKeys', 'users'])
      assert.deepEqual(meta.org, { id: s.plans[0].orgId, name: s.plans[0].orgName })
      assert.ok(meta.workspaces.length > 0 && meta.apiKeys.length > 0 && meta.users.length > 0)
      for (const key of meta.apiKeys) {
        assert.match(key.id, /^apikey_/)
        assert.ok(key.workspaceId === null || key.workspaceId.startsWith('wrkspc_'))
        assert.ok(key.createdAt === null || ISO.test(key.createdAt))
      }
      const workspaceIds = new Set(meta.workspaces.map((w) => w.id))
      assert.ok(meta.apiKeys.every((k) => k.workspaceId === null || workspaceIds.has(k.workspaceId)))
      assert.ok(meta.users.every((u) => u.email.includes('@')))
      assertNoKey(meta, s.keys)
      await rejectsWith(s.ledger.planMetadata(9999), 'PLAN_NOT_FOUND', /plan 9999 not found/)
    })

    it('creates, updates, lists and deletes subjects', async () => {
      const ada = await s.ledger.upsertSubject({ id: ' u-ada ', email: 'ada@example.com', name: 'Ada' })
      assert.deepEqual([ada.id, ada.email, ada.name], ['u-ada', 'ada@example.com', 'Ada'])
      assert.match(ada.createdAt, ISO)
      const renamed = await s.ledger.upsertSubject({ id: 'u-ada', email: 'ada@example.com', name: 'Ada L.' })
      assert.equal(renamed.name, 'Ada L.')
      assert.equal(renamed.createdAt, ada.createdAt)
      const bob = await s.ledger.upsertSubject({ id: 'u-bob' })
      assert.deepEqual([bob.email, bob.name], [null, null])
      assert.deepEqual(await s.ledger.getSubject('u-ada'), renamed)
      assert.deepEqual((await s.ledger.listSubjects()).map((x) => x.id), ['u-ada', 'u-bob'])

      await rejectsWith(s.ledger.upsertSubject({ id: 'u-eve', email: 'ADA@example.com' }), 'CONFLICT', /already belongs/)
      await rejectsWith(s.ledger.upsertSubject({ id: '' }), 'INVALID_INPUT', /subject id must be 1-200 characters, got 0/)
      await rejectsWith(s.ledger.upsertSubject({ id: 'u-x', email: 'nope' }), 'INVALID_INPUT', /email must look like name@domain/)
      await rejectsWith(s.ledger.getSubject('nobody'), 'SUBJECT_NOT_FOUND', /subject 'nobody' not found/)
      await rejectsWith(s.ledger.deleteSubject('nobody'), 'SUBJECT_NOT_FOUND')

      await s.ledger.deleteSubject('u-bob')
      assert.deepEqual((await s.ledger.listSubjects()).map((x) => x.id), ['u-ada'])
    })

    it('gives every subject a default project, and more on request', async () => {
      const [initial] = await s.ledger.listProjects({ subjectId: 'u-ada' })
      assert.deepEqual([initial.subjectId, initial.name, initial.isDefault], ['u-ada', 'Default', true])
      const research = await s.ledger.createProject('u-ada', ' Research ')
      assert.deepEqual([research.name, research.isDefault], ['Research', false])
      assert.match(research.createdAt, ISO)
      assert.deepEqual((await s.ledger.listProjects({ subjectId: 'u-ada' })).map((p) => p.id), [initial.id, research.id])
      assert.ok((await s.ledger.listProjects()).length >= 2)
      await rejectsWith(s.ledger.createProject('u-ada', 'Research'), 'CONFLICT', /already has a project named/)
      await rejectsWith(s.ledger.createProject('u-ada', ''), 'INVALID_INPUT', /project name must be 1-200/)
      await rejectsWith(s.ledger.createProject('nobody', 'X'), 'SUBJECT_NOT_FOUND')
      await rejectsWith(s.ledger.deleteProject(initial.id), 'INVALID_INPUT', /default project/)
      await rejectsWith(s.ledger.deleteProject(9999), 'PROJECT_NOT_FOUND', /project 9999 not found/)
      const scratch = await s.ledger.createProject('u-ada', 'Scratch')
      await s.ledger.deleteProject(scratch.id)
      assert.deepEqual((await s.ledger.listProjects({ subjectId: 'u-ada' })).map((p) => p.name), ['Default', 'Research'])
    })

    it('maps keys to subjects over time, and ends and deletes mappings', async () => {
      const planId = s.plans[0].id
      const [key, other] = (await s.ledger.planMetadata(planId)).apiKeys
      const [, research] = await s.ledger.listProjects({ subjectId: 'u-ada' })
      await s.ledger.upsertSubject({ id: 'u-cy', name: 'Cy' })

      const whole = await s.ledger.mapKey({ planId, apiKeyId: key.id, subjectId: 'u-ada', projectId: research.id })
      assert.deepEqual(
        [whole.planId, whole.apiKeyId, whole.subjectId, whole.projectId, whole.validFrom, whole.validTo],
        [planId, key.id, 'u-ada', research.id, null, null],
      )
      // The key changes hands on the 15th: Ada's mapping is closed there.
      const handed = await s.ledger.mapKey({ planId, apiKeyId: key.id, subjectId: 'u-cy', validFrom: '2026-11-15T00:00:00Z' })
      assert.deepEqual([handed.validFrom, handed.validTo, handed.projectId], ['2026-11-15T00:00:00.000Z', null, null])
      const byKey = await s.ledger.listMappings({ planId, apiKeyId: key.id })
      assert.deepEqual(
        byKey.map((m) => [m.subjectId, m.validFrom, m.validTo]),
        [
          ['u-ada', null, '2026-11-15T00:00:00.000Z'],
          ['u-cy', '2026-11-15T00:00:00.000Z', null],
        ],
      )
      assert.deepEqual((await s.ledger.listMappings({ subjectId: 'u-cy' })).map((m) => m.id), [handed.id])
      assert.equal((await s.ledger.listMappings()).length, 2)

      const ended = await s.ledger.endMapping(handed.id, '2026-11-18T12:00:00+02:00')
      assert.equal(ended.validTo, '2026-11-18T10:00:00.000Z')
      const brief = await s.ledger.mapKey({
        planId,
        apiKeyId: other.id,
        subjectId: 'u-cy',
        validFrom: '2026-11-12T00:00:00Z',
        validTo: '2026-11-13T00:00:00Z',
      })
      await rejectsWith(
        s.ledger.mapKey({ planId, apiKeyId: other.id, subjectId: 'u-ada', validTo: '2026-11-12T12:00:00Z' }),
        'CONFLICT',
        /already covered/,
      )
      await s.ledger.deleteMapping(brief.id)
      assert.deepEqual(await s.ledger.listMappings({ apiKeyId: other.id }), [])

      await rejectsWith(s.ledger.mapKey({ planId: 9999, apiKeyId: key.id, subjectId: 'u-ada' }), 'PLAN_NOT_FOUND')
      await rejectsWith(s.ledger.mapKey({ planId, apiKeyId: key.id, subjectId: 'nobody' }), 'SUBJECT_NOT_FOUND')
      await rejectsWith(s.ledger.mapKey({ planId, apiKeyId: other.id, subjectId: 'u-cy', projectId: 9999 }), 'PROJECT_NOT_FOUND')
      await rejectsWith(s.ledger.mapKey({ planId, apiKeyId: other.id, subjectId: 'u-cy', projectId: research.id }), 'INVALID_INPUT', /belongs to subject "u-ada"/)
      await rejectsWith(s.ledger.mapKey({ planId, apiKeyId: other.id, subjectId: 'u-cy', validFrom: 'yesterday' }), 'INVALID_INPUT', /validFrom must be an ISO-8601 timestamp/)
      await rejectsWith(
        s.ledger.mapKey({ planId, apiKeyId: other.id, subjectId: 'u-cy', validFrom: '2026-11-13T00:00:00Z', validTo: '2026-11-12T00:00:00Z' }),
        'INVALID_INPUT',
        /must end after it starts/,
      )
      await rejectsWith(s.ledger.endMapping(9999, '2026-11-18T00:00:00Z'), 'MAPPING_NOT_FOUND', /mapping 9999 not found/)
      await rejectsWith(s.ledger.endMapping(ended.id, 'soon'), 'INVALID_INPUT', /at must be an ISO-8601 timestamp/)
      await rejectsWith(s.ledger.deleteMapping(9999), 'MAPPING_NOT_FOUND')

      // Deleting a subject deletes its mappings.
      await s.ledger.deleteSubject('u-cy')
      assert.deepEqual((await s.ledger.listMappings({ planId })).map((m) => m.subjectId), ['u-ada'])
      assertNoKey(await s.ledger.listMappings(), s.keys)
    })
  })
}
