import type { Explained } from '@/lib/errors'

/** A costledger error as a page shows it: the headline for its code, then the library's words. */
export function ErrorPanel({ error }: { error: Explained }) {
  return (
    <section className="card error-panel" role="alert" data-error-code={error.code}>
      <h2>{error.title}</h2>
      <p>{error.hint}</p>
      <p className="detail">
        <code>{error.code}</code> {error.detail}
      </p>
    </section>
  )
}

/** The same, small, under a form. */
export function ErrorNote({ error }: { error: Explained }) {
  return (
    <p className="error-note" role="alert" data-error-code={error.code}>
      <strong>{error.title}.</strong> {error.hint} <span className="detail">{error.detail}</span>
    </p>
  )
}
