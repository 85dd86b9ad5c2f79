'use client'

// Errors no page expected. costledger's own errors are explained by the page that called it
// (lib/errors.ts); what arrives here is anything else, and in production its message is
// withheld from the browser: the digest matches the server's log line.

import { useEffect } from 'react'

export default function Error({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => console.error(error), [error])
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined
  return (
    <section className="card error-panel" role="alert" data-error-boundary>
      <h2>Something went wrong</h2>
      <p>The page could not be shown. The server’s log has the details{digest ? ` (digest ${digest})` : ''}.</p>
      <button type="button" onClick={() => retry()}>
        Try again
      </button>
    </section>
  )
}
