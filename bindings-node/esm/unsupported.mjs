// What a bundler gets for the Edge runtime (`edge-light`), web workers and browsers: the
// addon runs in Node.js only, so importing costledger there fails with what to do instead
// of napi's missing-binding message.
throw new Error(
  'costledger needs the Node.js runtime; add it to serverExternalPackages. It was imported ' +
    'for the Edge runtime, a worker or a browser, which cannot load native addons: use it from ' +
    "route handlers, server actions and server components on the Node.js runtime (export const " +
    "runtime = 'nodejs'), never from middleware or client components.",
)
