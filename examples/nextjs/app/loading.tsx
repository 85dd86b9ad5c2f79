// Shown while a page's data loads (Next.js wraps each page in a Suspense boundary with this).
export default function Loading() {
  return (
    <div aria-busy="true" data-loading>
      <div className="skeleton title-skeleton" />
      <div className="stats">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="stat skeleton" />
        ))}
      </div>
      <div className="skeleton chart-skeleton" />
    </div>
  )
}
