export default function Home() {
  return (
    <main>
      <h1>costledger example</h1>
      <p>
        A user&apos;s monthly AI costs as JSON: <a href="/api/costs?user=u-ada&amp;period=2026-11">/api/costs?user=u-ada&amp;period=2026-11</a>
      </p>
    </main>
  )
}
