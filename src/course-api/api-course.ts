// A Course API course as clients see it, mapped from its row; the clock and audit entity type
// every part of the Course API shares.
import type { Selectable } from 'kysely';
import type { CourseApiCoursesTable } from '../db/schema.ts';
import type { CourseStatus } from './rules.ts';

export type Clock = () => Date;
export type CourseRow = Selectable<CourseApiCoursesTable>;
/** The audit log's entity type of a course: writes record it, reads find who touched a course by it. */
export const COURSE_ENTITY = 'course_api_course';

export interface ApiCourse {
  id: string;
  courseCode: string;
  courseName: string;
  numberOfWeeks: number;
  numberOfStudents: number;
  studentNumbersSource: 'client' | 'schedule';
  department: string | null;
  subject: string | null;
  leadLecturer: string | null;
  leadLecturerEmail: string | null;
  status: CourseStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const toApiCourse = (r: CourseRow): ApiCourse => ({
  id: r.id,
  courseCode: r.code,
  courseName: r.name,
  numberOfWeeks: r.number_of_weeks,
  numberOfStudents: r.number_of_students,
  studentNumbersSource: r.students_source,
  department: r.department,
  subject: r.subject,
  leadLecturer: r.lead_lecturer,
  leadLecturerEmail: r.lead_lecturer_email,
  status: r.status,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});
