// costledger's error codes as messages for people. Every `CostLedgerError` has a stable
// `code`; its `message` says exactly what was wrong (and never holds a key, only its hint),
// so a page shows a headline chosen by code with the library's message under it.

import 'server-only'

import { CostLedgerError } from 'costledger'

/** An error as a page or a form shows it: plain data, so a server action can return it. */
export interface Explained {
  code: string
  title: string
  hint: string
  detail: string
}

const MESSAGES: Record<string, [title: string, hint: string]> = {
  INVALID_INPUT: ['Please check what you entered', 'One of the values is not valid:'],
  PLAN_NOT_FOUND: ['This plan does not exist', 'It may have been removed. Pick another plan.'],
  SUBJECT_NOT_FOUND: ['No such user', 'Users are added by your application (upsertSubject).'],
  PROJECT_NOT_FOUND: ['No such project', 'It may have been deleted.'],
  MAPPING_NOT_FOUND: ['No such key mapping', 'It may have been deleted.'],
  BUDGET_NOT_FOUND: ['No such budget', 'It may have been deleted.'],
  CONFLICT: [
    'Already connected',
    'Another plan already uses this label or this organisation (adding it twice would count its cost twice).',
  ],
  CREDENTIAL_REJECTED: [
    'Anthropic refused this admin key',
    'Check that it is an Admin API key (sk-ant-admin…) of your organisation and that it was not revoked.',
  ],
  ORG_MISMATCH: ['This key belongs to another organisation', 'Use an admin key of the plan’s own organisation.'],
  RATE_LIMITED: ['Anthropic is rate limiting this key', 'Try again in a minute.'],
  UPSTREAM: ['Anthropic’s API did not answer properly', 'Try again in a few minutes.'],
  CRYPTO: [
    'The stored admin key cannot be opened',
    'Was the server’s COSTLEDGER_MASTER_KEY changed? Restore it, or rotate the plan’s key.',
  ],
  STORAGE: ['The cost database cannot be reached', 'Check COSTLEDGER_DATABASE_URL and that the database is up.'],
  CLOSED: ['The ledger was closed', 'Restart the server.'],
  INTERNAL: ['costledger failed unexpectedly', 'This is a bug: please report it with the details below.'],
  LOG_LINES_SKIPPED: ['Some Claude Code log lines were skipped', 'They were malformed or too long.'],
  // This app's, from the OAuth callback: the provider's own refusal.
  OAUTH_DENIED: ['Anthropic did not grant access', 'The sign-in was cancelled or refused. Try Connect with OAuth again.'],
}

// Where an OAuth sign-in failed, some codes mean something else than for an admin key.
const OAUTH_MESSAGES: Record<string, [title: string, hint: string]> = {
  INVALID_INPUT: ['The sign-in could not be completed', 'Start Connect with OAuth again from this page.'],
  CREDENTIAL_REJECTED: [
    'Anthropic refused the sign-in',
    'The authorization was already used, expired or revoked. Start Connect with OAuth again.',
  ],
  ORG_MISMATCH: ['You signed in to another organisation', 'Sign in to the plan’s own organisation to reconnect it.'],
}

/** The message for a code that an OAuth sign-in (the callback route) ended with. */
export function explainOAuthCode(code: string, detail: string): Explained {
  const known = OAUTH_MESSAGES[code]
  return known ? { code, title: known[0], hint: known[1], detail } : explainCode(code, detail)
}

/** The message for a code (one of costledger's, or a sync report's). */
export function explainCode(code: string, detail: string): Explained {
  const [title, hint] = MESSAGES[code] ?? ['Something went wrong', 'Try again.']
  return { code, title, hint, detail }
}

/** The message for a `CostLedgerError`; anything else is a bug of this app, rethrown for error.tsx. */
export function explain(error: unknown): Explained {
  if (error instanceof CostLedgerError) return explainCode(error.code, error.message)
  throw error
}
