// costledger is a native addon: Next.js must load it with Node's require at run time, never
// bundle it (https://nextjs.org/docs/app/api-reference/config/next-config-js/serverExternalPackages).

/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ['costledger'],
}

export default nextConfig
