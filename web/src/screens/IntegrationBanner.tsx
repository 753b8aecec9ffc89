// The integration status at the top of the section editor, kept fresh while a post is pending.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../api.ts';
import { IntegrationStatusButton } from '../integration.tsx';
import type { IntegrationStatusView, Section } from '../types.ts';
import { LABELS } from './section-draft.ts';

/**
 * The section's integration status (Section not synced / Pending / Synced successfully / Synced
 * with errors), shown only when the API reports one. While pending it polls
 * /sections/{id}/integration-status until the post settles; a click opens the details.
 */
export function IntegrationBanner({ section }: { section: Section }) {
  const [open, setOpen] = useState(false);
  const status = useQuery({
    queryKey: ['integration-status', section.id, section.version],
    // What the save answered is fresh: show it (Pending, say) and poll from there.
    initialData: section.integrationStatus,
    initialDataUpdatedAt: () => Date.now(),
    staleTime: 500,
    queryFn: () => get<IntegrationStatusView>(`/api/v1/sections/${section.id}/integration-status`),
    refetchInterval: (q) => (q.state.data?.status === 'pending' ? 1000 : open ? 10_000 : false),
  });
  const view = status.data;
  if (!view) return null;
  return <IntegrationStatusButton view={view} subject="section" fieldLabels={LABELS} onOpenChange={setOpen} />;
}
