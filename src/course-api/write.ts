// Submit and amend one course (REST and the reference API): each call is one write session, and a
// unique violation that slipped past its checks is a 409.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ConflictError } from '../domain/errors.ts';
import type { Actor } from '../domain/permissions.ts';
import type { Clock } from './api-course.ts';
import type { CourseAmend, CourseSubmit } from './rules.ts';
import { WriteSession, type WriteOptions, type WriteResult } from './write-session.ts';

/** Turns a unique violation that slipped past the checks into a 409 instead of a 500. */
function uniqueToConflict(error: unknown): never {
  if (error && typeof error === 'object' && (error as { code?: string }).code === '23505')
    throw new ConflictError('Another course with this code was written at the same time; read it and try again.', {
      errors: [{ field: 'courseCode', message: 'Already used by another course' }],
    });
  throw error;
}

export async function submitCourse(db: Kysely<DB>, actor: Actor, clock: Clock, input: CourseSubmit, options: WriteOptions = { via: 'rest' }): Promise<WriteResult> {
  return db
    .transaction()
    .execute(async (trx) => {
      const session = await WriteSession.open(trx, actor, clock, options);
      await session.load([input.courseCode], [input.courseName]);
      return session.submit(input);
    })
    .catch(uniqueToConflict);
}

export async function amendCourse(db: Kysely<DB>, actor: Actor, clock: Clock, code: string, amend: CourseAmend, options: WriteOptions = { via: 'rest' }): Promise<WriteResult> {
  return db
    .transaction()
    .execute(async (trx) => {
      const session = await WriteSession.open(trx, actor, clock, options);
      await session.load([code, ...(amend.newCourseCode ? [amend.newCourseCode] : [])], amend.courseName ? [amend.courseName] : []);
      return session.amend(code, amend);
    })
    .catch(uniqueToConflict);
}
