// The page shell every HTML page shares: the top bar (brand, navigation, compute-site filter, read-only/operator
// mode, the "data as of" stamp of the live stream), breadcrumbs, the content that live updates replace, and the one
// served script. A page is a PageView; the layout wraps it.
import { html, raw, type Html } from './html.js';
import { clock } from './format.js';

export interface Crumb {
  label: string;
  href?: string;
}

export interface PageView {
  title: string;
  crumbs: Crumb[];
  body: Html;
}

export interface ShellInfo {
  /** What the live stream watches for this page (see live.ts). */
  topic: string;
  /** The topic's version the content was rendered at. */
  version: string;
  renderedAt: Date;
  site?: string;
  sites: string[];
  /** Query parameters kept when the site changes (the page's own filters). */
  keep: Record<string, string>;
  canAct: boolean;
  tokenConfigured: boolean;
  path: string;
}

const LOGO = raw(
  '<svg class="logo" viewBox="0 0 32 32" width="22" height="22" aria-hidden="true"><circle cx="16" cy="16" r="14" fill="none" stroke="currentColor" stroke-width="2.5"/><path d="M7 20 L13 13 L18 17 L25 9" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/><circle cx="25" cy="9" r="2.6" fill="currentColor"/></svg>',
);

const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%230f172a'/%3E%3Cpath d='M7 20 L13 13 L18 17 L25 9' fill='none' stroke='%2338bdf8' stroke-width='3' stroke-linecap='round'/%3E%3C/svg%3E";

function siteFilter(s: ShellInfo): Html {
  const keep = Object.entries(s.keep).filter(([k]) => k !== 'site' && k !== 'page');
  return html`<form class="site-filter" method="get" action="${s.path}">
${keep.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<label for="site-select">Site</label>
<select id="site-select" name="site" data-autosubmit>
<option value=""${s.site ? '' : html` selected`}>all sites</option>
${s.sites.map((x) => html`<option value="${x}"${x === s.site ? html` selected` : ''}>${x}</option>`)}
</select><noscript><button class="btn small">Apply</button></noscript></form>`;
}

function modeBadge(s: ShellInfo): Html {
  if (s.canAct) return html`<span class="mode mode-operator" title="actions allowed (token accepted)">operator</span>`;
  const why = s.tokenConfigured ? 'open the dashboard with ?token=… to act' : 'started without --token: actions are off';
  return html`<span class="mode mode-readonly" title="${why}">read-only</span>`;
}

export function renderShell(view: PageView, s: ShellInfo): Html {
  const siteQ = s.site ? `?site=${encodeURIComponent(s.site)}` : '';
  const crumbs = view.crumbs.map((c, i) =>
    i === view.crumbs.length - 1 || !c.href ? html`<span aria-current="${i === view.crumbs.length - 1 ? 'page' : 'false'}">${c.label}</span>` : html`<a href="${c.href}">${c.label}</a>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view.title} · tbps</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body data-live="${s.topic}" data-version="${s.version}">
<header class="topbar">
<a class="brand" href="/${siteQ}">${LOGO}<span class="brand-name">tbps</span><span class="brand-sub">Batch Production</span></a>
<nav class="mainnav"><a href="/${siteQ}"${s.path === '/' ? html` aria-current="page"` : ''}>Campaigns</a><a href="/runs${siteQ}"${s.path.startsWith('/runs') ? html` aria-current="page"` : ''}>Runs</a></nav>
<div class="topbar-right">
${siteFilter(s)}
${modeBadge(s)}
${s.topic ? html`<span id="as-of" class="as-of" data-at="${s.renderedAt.toISOString()}" title="time of the last update from the live stream; red when it stalls"><i class="live-dot"></i>data as of <time>${clock(s.renderedAt)}</time> UTC</span>` : ''}
</div>
</header>
<div class="page">
<nav class="crumbs" aria-label="breadcrumbs">${crumbs}</nav>
<div id="banner"></div>
<main id="content">${view.body}</main>
</div>
<div id="toast" role="status" aria-live="polite"></div>
<script src="/assets/dashboard.js" defer></script>
</body>
</html>
`;
}
