// The page shown for a refused or failed page request: the status and the reason (escaped), with a way back.
import { html } from '../html.js';
import { renderShell, type PageView } from '../layout.js';

const TITLES: Record<number, string> = { 400: 'Bad request', 401: 'Token needed', 403: 'Not allowed', 404: 'Not found', 503: 'Unavailable' };

export function errorPage(status: number, message: string, o: { canAct: boolean; tokenConfigured: boolean; path: string }): string {
  const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Request refused');
  const view: PageView = {
    title,
    crumbs: [{ label: 'Campaigns', href: '/' }, { label: title }],
    body: html`<section class="card error-card"><div class="card-body"><div class="error-status">${status}</div><h1>${title}</h1><p class="error-message">${message}</p><p><a class="btn" href="/">← Campaigns</a> <a class="btn" href="/runs">Runs</a></p></div></section>`,
  };
  return renderShell(view, { topic: '', version: '', renderedAt: new Date(), sites: [], keep: {}, canAct: o.canAct, tokenConfigured: o.tokenConfigured, path: o.path }).text;
}
