// Hybrid recall (GET /v1/memory/search): kind, time, scores and snippet of each hit.
import { el, byId, replaceChildren, formatInstant } from './dom.js';

// ts_headline marks matches between « and »: shown as <mark>, built as nodes, never parsed.
function highlighted(snippet) {
  return snippet.split(/(«[^»]*»)/).filter(Boolean)
    .map((part) => (part.startsWith('«') && part.endsWith('»') ? el('mark', {}, part.slice(1, -1)) : part));
}

const score = (value) => (value === null || value === undefined ? '—' : Number(value).toFixed(3));

export class MemoryView {
  constructor(api, session, onError) {
    this.api = api;
    this.session = session;
    byId('memory-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.search(byId('memory-query').value.trim()).catch(onError);
    });
  }

  show() {
    byId('memory-query').focus();
  }

  async search(query) {
    if (!query) return;
    const result = await this.api.get(`/v1/memory/search?q=${encodeURIComponent(query)}&limit=20`);
    byId('memory-caption').textContent =
      `${result.items.length} result${result.items.length === 1 ? '' : 's'} for “${query}”`;
    replaceChildren(byId('memory-results').tBodies[0], result.items.map((hit) => el('tr', { class: 'hit' },
      el('td', {}, hit.kind),
      el('td', {}, el('time', { datetime: hit.occurred_at }, formatInstant(hit.occurred_at, this.session.timeZone))),
      el('td', {}, score(hit.scores.fused)),
      el('td', {}, score(hit.scores.vector)),
      el('td', {}, score(hit.scores.text)),
      el('td', { class: 'snippet' }, highlighted(hit.snippet)))));
  }
}
