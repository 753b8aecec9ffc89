// Zod building blocks whose messages a person can read beside the field they name. zod's own
// ("Too small: expected number to be >=0", "Invalid input: expected string, received undefined")
// reach users as they are: the API's problem+json `errors[].message` is the issue's message, and
// the web app shows it next to the field. Each block takes the field's label as people know it.
import { z } from 'zod';

/** "Capacity is required" when the value is missing, otherwise `wrong` (a value of another type). */
export const typeError = (label: string, wrong: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `${label} is required` : wrong);

const count = (n: number) => n.toLocaleString('en-US');

/** Text of at most `max` characters, trimmed unless `trim` is false (a description keeps its spacing). */
export function text(label: string, max: number, { trim = true } = {}) {
  const s = z.string({ error: typeError(label, `${label} must be text`) });
  return (trim ? s.trim() : s).max(max, `${label} is at most ${count(max)} characters`);
}

/** Text that must not be blank, trimmed. */
export const requiredText = (label: string, max: number) => text(label, max).min(1, `${label} is required`);

/** A whole number from 0, up to `max` when given. */
export function wholeNumber(label: string, max?: number) {
  const n = z.int({ error: typeError(label, `${label} must be a whole number`) }).min(0, `${label} cannot be negative`);
  return max === undefined ? n : n.max(max, `${label} cannot be more than ${count(max)}`);
}

/** A number from `min` to `max`, fractions allowed (credits: 3.5). */
export const numberBetween = (label: string, min: number, max: number) => {
  const range = `${label} must be between ${count(min)} and ${count(max)}`;
  return z.number({ error: typeError(label, `${label} must be a number`) }).min(min, range).max(max, range);
};

/** One of `values`, which the message lists. */
export const oneOf = <const T extends readonly [string, ...string[]]>(label: string, values: T) =>
  z.enum(values, { error: typeError(label, `${label} must be ${values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : values[0]}`) });

export const yesNo = (label: string) => z.boolean({ error: typeError(label, `${label} must be true or false`) });

/** A record's id, as the API answers it. */
export const ref = (label: string) => z.uuid({ error: typeError(label, `${label} must be an id (a UUID)`) });

export const isoDate = (label: string) => z.iso.date({ error: typeError(label, 'Use a date YYYY-MM-DD') }).describe('Calendar date, YYYY-MM-DD');

export const email = (label: string) => z.email({ error: typeError(label, `${label} must be an email address, e.g. ada@example.edu`) });

/** A list of at most `max` items: "A section has at most 20 meetings". */
export const listOf = <T extends z.ZodType>(item: T, what: string, max: number, owner: string) =>
  z.array(item, { error: typeError(what, `${what} must be a list`) }).max(max, `${owner} has at most ${count(max)} ${what.toLowerCase()}`);

/** The version a client read and sends back with its write; a stale one gets 409. */
export const version = z
  .int({ error: (issue) => (issue.input === undefined ? 'Send the version you read' : 'The version is the whole number you read') })
  .positive('The version is the whole number you read, 1 or more')
  .describe('The version you read; a stale one gets 409');
