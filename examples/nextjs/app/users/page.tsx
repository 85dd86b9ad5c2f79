// Your app's users (costledger's subjects), each linked to their monthly costs.

import type { Subject } from 'costledger'
import Link from 'next/link'

import { ErrorPanel } from '@/components/error-panel'
import { explain } from '@/lib/errors'
import { getLedger, thisMonth } from '@/lib/ledger'

export const metadata = { title: 'Users · costledger' }

export default async function UsersPage() {
  let subjects: Subject[]
  try {
    subjects = await (await getLedger()).listSubjects()
  } catch (error) {
    return <ErrorPanel error={explain(error)} />
  }
  const month = thisMonth()
  return (
    <>
      <h1>Users</h1>
      <section className="card">
        {subjects.length === 0 ? (
          <p className="empty" data-empty="users">
            No users yet. Your application adds them with <code>ledger.upsertSubject()</code>; an API key is theirs when
            they created it (matched by email) or through <code>ledger.mapKey()</code>.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>User</th>
                <th>Email</th>
                <th>Id</th>
              </tr>
            </thead>
            <tbody>
              {subjects.map((s) => (
                <tr key={s.id} data-subject={s.id}>
                  <td>
                    <Link href={`/users/${encodeURIComponent(s.id)}?period=${month}`}>{s.name ?? s.id}</Link>
                  </td>
                  <td>{s.email}</td>
                  <td>
                    <code>{s.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  )
}
