// Subjects (the host's users), their projects, and which API keys are theirs when. The
// methods are the native ones (see index.d.ts for their docs).

import { type NativeLedger } from './native'

export type {
  KeyMapping,
  ListMappingsOptions,
  ListProjectsOptions,
  NewKeyMapping,
  NewSubject,
  Project,
  Subject,
} from '../index.js'

export const SUBJECT_METHODS = [
  'upsertSubject',
  'getSubject',
  'listSubjects',
  'deleteSubject',
  'createProject',
  'listProjects',
  'deleteProject',
  'mapKey',
  'listMappings',
  'endMapping',
  'deleteMapping',
] as const

/** The subject, project and key-mapping methods of `Ledger`. */
export type SubjectMethods = Pick<NativeLedger, (typeof SUBJECT_METHODS)[number]>
