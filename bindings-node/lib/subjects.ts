// Subjects (the host's users), their projects, and which API keys are theirs when. The
// methods are the native ones (see index.d.ts for their docs), their values decoded by the
// generated functions.

import { decodeKeyMapping, decodeProject, decodeSubject } from './generated'
import { decoding, listOf, type NativeLedger } from './native'

export type { ListMappingsOptions, ListProjectsOptions, NewKeyMapping, NewSubject } from '../index.js'
export type { KeyMapping, Project, Subject } from './generated'

export const SUBJECT_METHODS = ['deleteSubject', 'deleteProject', 'deleteMapping'] as const

/** The methods that return subjects, projects and mappings. */
export const subjectMethods = decoding({
  upsertSubject: decodeSubject,
  getSubject: decodeSubject,
  listSubjects: listOf(decodeSubject),
  createProject: decodeProject,
  listProjects: listOf(decodeProject),
  mapKey: decodeKeyMapping,
  listMappings: listOf(decodeKeyMapping),
  endMapping: decodeKeyMapping,
})

/** The subject, project and key-mapping methods of `Ledger`. */
export type SubjectMethods = Pick<NativeLedger, (typeof SUBJECT_METHODS)[number]> & typeof subjectMethods
