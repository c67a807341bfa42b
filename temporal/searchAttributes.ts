// The custom search attributes tbps sets on its workflows (Keyword: fits the dev server's SQLite limits).
export const SEARCH_ATTRIBUTES = {
  BpsCampaign: 'Keyword',
  BpsStep: 'Keyword',
  BpsOperator: 'Keyword',
  BpsPayload: 'Keyword',
  BpsSite: 'Keyword',
  BpsRunState: 'Keyword',
  BpsRun: 'Keyword',
  BpsWmsWaiting: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

export function searchAttributeFlags(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]);
}
