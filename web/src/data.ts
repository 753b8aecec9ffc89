// Shared queries: reference data, terms, the API's capabilities (read from /api/openapi.json so
// screens for endpoints that a later release adds appear once the hub has them).
import { useQuery } from '@tanstack/react-query';
import { ApiError, get } from './api.ts';
import type { Department, EditRules, Instructor, Role, Room, Term } from './types.ts';

const items = <T>(path: string) => async () => (await get<{ items: T[] }>(path)).items;

export const useTerms = () => useQuery({ queryKey: ['terms'], queryFn: items<Term>('/api/v1/terms'), staleTime: 30_000 });
export const useDepartments = () => useQuery({ queryKey: ['departments'], queryFn: items<Department>('/api/v1/departments'), staleTime: 300_000 });
export const useRooms = () => useQuery({ queryKey: ['rooms'], queryFn: items<Room>('/api/v1/rooms'), staleTime: 300_000 });
export const useInstructors = () => useQuery({ queryKey: ['instructors'], queryFn: items<Instructor>('/api/v1/instructors'), staleTime: 300_000 });
export const useRoles = () => useQuery({ queryKey: ['roles'], queryFn: items<Role>('/api/v1/admin/roles'), staleTime: 60_000 });

/** What the caller may change in a term now; null when the hub has no edit-rules endpoint. */
export function useEditRules(termId: string | undefined) {
  return useQuery({
    queryKey: ['editRules', termId],
    enabled: !!termId,
    queryFn: async () => {
      try {
        return await get<EditRules>(`/api/v1/terms/${termId}/edit-rules`);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
        throw error;
      }
    },
    staleTime: 30_000,
  });
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: { enum?: string[] } }[] }>>;
}
export interface Capabilities {
  has(method: string, path: string): boolean;
  queryParam(path: string, name: string): { enum?: string[] } | undefined;
}
export function useCapabilities() {
  return useQuery({
    queryKey: ['openapi'],
    staleTime: 300_000,
    queryFn: async (): Promise<Capabilities> => {
      const doc = await get<OpenApi>('/api/openapi.json');
      return {
        has: (method, path) => !!doc.paths[path]?.[method.toLowerCase()],
        queryParam: (path, name) => {
          const p = doc.paths[path]?.get?.parameters?.find((x) => x.in === 'query' && x.name === name);
          return p ? (p.schema ?? {}) : undefined;
        },
      };
    },
  });
}

export function roomLabel(room: Room | undefined): string {
  return room ? `${room.buildingCode} ${room.number}` : '';
}

/** A course's credits as the catalog prints them: "3", or "1–5" for a variable-credit course. */
export function creditsLabel(c: { credits: number; creditsMax?: number | null }): string {
  return c.creditsMax == null ? String(c.credits) : `${c.credits}–${c.creditsMax}`;
}

export function sectionCode(s: { subject: string; courseNumber: string; sectionNumber: string }): string {
  return `${s.subject} ${s.courseNumber}-${s.sectionNumber}`;
}

/** "Every 2 weeks"; weekly is the usual case and goes unsaid in summaries. */
export const weekIntervalLabel = (n: number) => (n === 1 ? 'Weekly' : `Every ${n} weeks`);

export function meetingSummary(
  m: { days: string; startTime: string | null; endTime: string | null; roomId: string | null; weekInterval: number },
  rooms: Map<string, Room>,
): string {
  const time = m.startTime && m.endTime ? `${m.startTime}–${m.endTime}` : 'arranged';
  const room = m.roomId ? roomLabel(rooms.get(m.roomId)) : '';
  const every = m.weekInterval === 1 ? '' : weekIntervalLabel(m.weekInterval).toLowerCase();
  return [m.days || '—', time, every, room].filter(Boolean).join(' ');
}

export const INTEGRATION_LABELS: Record<string, string> = {
  not_synced: 'Not synced',
  pending: 'Pending',
  synced: 'Synced',
  error: 'Synced with errors',
};

/** The section editor's banner, in the words schedulers know from their integration. */
export const INTEGRATION_BANNER_LABELS: Record<string, string> = {
  not_synced: 'Section not synced',
  pending: 'Pending',
  synced: 'Synced successfully',
  error: 'Synced with errors',
};
