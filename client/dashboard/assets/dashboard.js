// tbps dashboard, the one script: live updates over server-sent events (a tick a second with the page topic's
// version; when it moves, the page's content is fetched again and swapped in, no reload), the "data as of" stamp
// (red after 5 s without a tick), the site filter, and operator actions (pause/resume switch, accept/reject/retry).
(() => {
  'use strict';
  const STALE_MS = 5000;
  const body = document.body;
  const topic = body.dataset.live;
  const content = document.getElementById('content');
  const stamp = document.getElementById('as-of');
  const banner = document.getElementById('banner');
  const toast = document.getElementById('toast');

  let version = body.dataset.version;
  let wanted = null; // the newest version announced by the stream, while it differs from ours
  let inFlight = false;
  let notBefore = 0; // earliest time of the next fetch (slow pages are fetched less often)
  let lastTick = Date.now();
  let liveProblem = '';

  const hms = (iso) => new Date(iso).toISOString().slice(11, 19);

  function setStamp(iso) {
    if (!stamp || !iso) return;
    stamp.dataset.at = iso;
    stamp.querySelector('time').textContent = hms(iso);
  }

  function setBanner(text) {
    if (!banner) return;
    banner.textContent = '';
    if (!text) return;
    const div = document.createElement('div');
    div.className = 'notice notice-warn';
    div.textContent = text;
    banner.appendChild(div);
  }

  function say(text, bad) {
    if (!toast) return;
    const div = document.createElement('div');
    div.className = `toast-msg${bad ? ' bad' : ''}`;
    div.textContent = text;
    toast.appendChild(div);
    setTimeout(() => div.remove(), bad ? 8000 : 4000);
  }

  /** Is the operator typing in a form of the content? Then wait; the update would take the input away. */
  function busyEditing() {
    const a = document.activeElement;
    return !!a && content.contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName);
  }

  async function refresh() {
    if (inFlight || wanted === null) return;
    const wait = notBefore - Date.now();
    if (wait > 0 || busyEditing()) {
      setTimeout(refresh, Math.max(wait, 500));
      return;
    }
    inFlight = true;
    const target = wanted;
    const started = performance.now();
    try {
      const res = await fetch(location.pathname + location.search, { headers: { 'X-Fragment': '1' }, credentials: 'same-origin', cache: 'no-store' });
      const text = await res.text();
      if (!res.ok) {
        setBanner(`Update failed (${res.status}): ${text}`);
        wanted = null;
        return;
      }
      const open = new Set([...content.querySelectorAll('details[open][id]')].map((d) => d.id));
      const closed = new Set([...content.querySelectorAll('details[id]:not([open])')].map((d) => d.id));
      content.innerHTML = text;
      for (const d of content.querySelectorAll('details[id]')) {
        if (open.has(d.id)) d.open = true;
        else if (closed.has(d.id)) d.open = false;
      }
      version = res.headers.get('X-Data-Version') || target;
      setStamp(res.headers.get('X-Data-At'));
      if (wanted === target || wanted === version) wanted = null;
      if (!liveProblem) setBanner('');
      document.dispatchEvent(new CustomEvent('tbps:updated'));
    } catch (err) {
      setBanner(`Update failed: ${err.message}`);
    } finally {
      inFlight = false;
      // A page that takes long to build is fetched at most every 2x its build time (at most every 10 s).
      notBefore = Date.now() + Math.min(10_000, 2 * (performance.now() - started));
      if (wanted !== null && wanted !== version) setTimeout(refresh, 0);
    }
  }

  function forceRefresh() {
    wanted = `forced-${Date.now()}`;
    notBefore = 0;
    refresh();
  }

  if (topic && window.EventSource) {
    const es = new EventSource(`/events?topic=${encodeURIComponent(topic)}`);
    es.addEventListener('tick', (ev) => {
      const d = JSON.parse(ev.data);
      lastTick = Date.now();
      if (liveProblem) {
        liveProblem = '';
        setBanner('');
      }
      if (d.v !== version) {
        wanted = d.v;
        refresh();
      } else if (!inFlight) setStamp(d.at);
    });
    es.addEventListener('problem', (ev) => {
      liveProblem = JSON.parse(ev.data).message;
      setBanner(`Live data unavailable: ${liveProblem}`);
    });
  }
  if (stamp) {
    let stalled = false;
    const check = () => {
      const now = !topic || Date.now() - lastTick > STALE_MS;
      stamp.classList.toggle('stale', now);
      if (topic && now !== stalled) {
        stalled = now;
        if (now) setBanner(liveProblem ? `Live data unavailable: ${liveProblem}` : `Live updates stalled: no word from the dashboard since ${hms(new Date(lastTick).toISOString())} UTC; this page may be out of date.`);
        else if (!liveProblem) setBanner('');
      }
    };
    if (topic) setInterval(check, 500);
    else stamp.classList.add('stale');
  }

  // The site filter applies as soon as it changes.
  for (const el of document.querySelectorAll('[data-autosubmit]')) el.addEventListener('change', () => el.form.submit());

  // Operator actions.
  document.addEventListener('click', async (e) => {
    const b = e.target.closest('button[data-action]');
    if (!b || b.disabled) return;
    const verb = b.dataset.action;
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    const payload = verb === 'pause' ? { reason: 'paused from the dashboard' } : verb === 'resume' ? {} : { step: b.dataset.step, groups: b.dataset.group ? [b.dataset.group] : undefined };
    b.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch(`/api/campaigns/${encodeURIComponent(b.dataset.campaign)}/${verb}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(payload),
      });
      const out = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
      if (res.ok) say(`${b.dataset.campaign}: ${verb} done`);
      else say(`${verb} refused (${res.status}): ${out.error}`, true);
    } catch (err) {
      say(`${verb} failed: ${err.message}`, true);
    } finally {
      b.removeAttribute('aria-busy');
      forceRefresh();
    }
  });
})();
