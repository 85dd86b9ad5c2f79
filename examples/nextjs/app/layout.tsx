import Link from 'next/link'
import type { ReactNode } from 'react'

import { Hydrated } from '@/components/hydrated'
import './globals.css'

export const metadata = { title: 'AI costs · costledger' }

// costledger is a native addon: every page, action and route runs on the Node.js runtime.
export const runtime = 'nodejs'
// Costs change with every sync: render every page per request, never at build time.
export const dynamic = 'force-dynamic'

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/" className="brand">
            costledger
          </Link>
          <nav>
            <Link href="/">Dashboard</Link>
            <Link href="/plans">Plans</Link>
            <Link href="/users">Users</Link>
          </nav>
        </header>
        <main>{children}</main>
        <Hydrated />
      </body>
    </html>
  )
}
