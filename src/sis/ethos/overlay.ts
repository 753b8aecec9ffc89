/**
 * A write's body: for a PUT, the representation as the SIS returned it with the hub's owned fields
 * laid over it; for a POST (`current` null), those fields alone. An Ethos PUT replaces the whole
 * resource, so whatever the hub does not own (a scheduler's approvals on a meeting, an
 * instructor's workload, a crosslist's waitlist) goes back exactly as read, or the SIS loses it.
 * An owned field given as `undefined` is one the hub holds none of: it is left out.
 */
export function overlay<T extends object>(current: T | null | undefined, owned: { [K in keyof T]?: T[K] | undefined }): T {
  const body: Record<string, unknown> = { ...current, ...owned };
  for (const [field, value] of Object.entries(owned)) if (value === undefined) delete body[field];
  return body as T;
}
