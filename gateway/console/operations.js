// For operators (role admin): projection lag and throughput from the gateway's /metrics (the
// same exposition Prometheus scrapes), dead letters and recent prompt runs from the admin API.
import { el, byId, replaceChildren, formatInstant } from './dom.js';

const REFRESH_MS = 2000;

// Prometheus text format 0.0.4: [{name, labels, value}] (comments and blank lines skipped).
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, key, value] of (match[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function sumBy(samples, name, label) {
  const sums = new Map();
  for (const s of samples) {
    if (s.name !== name) continue;
    sums.set(s.labels[label], (sums.get(s.labels[label]) || 0) + s.value);
  }
  return sums;
}

export class OperationsView {
  constructor(api, session, onError) {
    this.api = api;
    this.session = session;
    this.onError = onError;
    this.previous = null; // {at, applied: Map projection -> records applied}
    this.timer = null;
  }

  async show() {
    await this.refresh();
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (byId('view-operations').hidden) clearInterval(this.timer);
      else this.refresh().catch(this.onError);
    }, REFRESH_MS);
  }

  hide() {
    clearInterval(this.timer);
  }

  async refresh() {
    const [metrics, workers, deadLetters, promptRuns] = await Promise.all([
      this.api.get('/metrics', { accept: 'text/plain' }),
      this.api.get('/v1/admin/workers'),
      this.api.get('/v1/admin/dead-letters?limit=20'),
      this.api.get('/v1/admin/prompt-runs?limit=20'),
    ]);
    byId('operations-error').textContent = '';
    this.renderProjections(parseMetrics(metrics));
    this.renderWorkers(workers.items);
    this.renderDeadLetters(deadLetters.items);
    this.renderPromptRuns(promptRuns.items);
  }

  renderProjections(samples) {
    const lag = sumBy(samples, 'aimi_projection_lag_records', 'projection');
    const applied = sumBy(samples, 'aimi_projection_applied_offset', 'projection');
    const now = performance.now();
    const rate = (name) => {
      if (!this.previous || !this.previous.applied.has(name)) return '—';
      const seconds = (now - this.previous.at) / 1000;
      return ((applied.get(name) - this.previous.applied.get(name)) / seconds).toFixed(1);
    };
    replaceChildren(byId('projections').tBodies[0], [...lag.keys()].sort().map((name) => {
      const behind = lag.get(name);
      return el('tr', { class: behind > 0 ? 'lagging' : 'current', dataset: { projection: name } },
        el('th', { scope: 'row' }, name), el('td', {}, String(behind)), el('td', {}, rate(name)));
    }));
    this.previous = { at: now, applied };

    const total = (name) => samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
    const stats = [
      ['HTTP requests answered', total('aimi_http_requests_total')],
      ['Live connections', total('aimi_live_connections')],
      ['Requests waiting for a projection', total('aimi_parked_waits')],
      ['Database connections in use', samples.filter((s) => s.name === 'aimi_db_pool_connections' && s.labels.state === 'in_use')
        .reduce((sum, s) => sum + s.value, 0)],
    ];
    replaceChildren(byId('gateway-stats').tBodies[0],
      stats.map(([label, value]) => el('tr', {}, el('th', { scope: 'row' }, label), el('td', {}, String(value)))));
  }

  renderWorkers(groups) {
    replaceChildren(byId('workers').tBodies[0], groups.map((group) => {
      const owned = group.instances.map((i) => i.partitions.map((p) => p.partition).sort((a, b) => a - b).join(', ') || 'none');
      return el('tr', { class: group.instances.length === 0 ? 'lagging' : '', dataset: { group: group.group_id } },
        el('th', { scope: 'row' }, `${group.kind} ${group.name}`),
        el('td', {}, group.error ? `${group.state}: ${group.error}` : group.state),
        el('td', {}, String(group.instances.length)),
        el('td', {}, owned.map((o, n) => `#${n + 1}: ${o}`).join('; ') || '—'));
    }));
  }

  renderDeadLetters(items) {
    const body = byId('dead-letters').tBodies[0];
    if (items.length === 0) {
      replaceChildren(body, el('tr', {}, el('td', { colspan: 4 }, 'None: every record decoded.')));
      return;
    }
    replaceChildren(body, items.map((d) => el('tr', {},
      el('td', {}, formatInstant(d.recorded_at, this.session.timeZone)),
      el('td', {}, d.projection),
      el('td', {}, `${d.topic} ${d.partition}:${d.offset}`),
      el('td', {}, d.error))));
  }

  renderPromptRuns(items) {
    replaceChildren(byId('prompt-runs').tBodies[0], items.map((run) => el('tr', { class: run.status },
      el('td', {}, formatInstant(run.created_at, this.session.timeZone)),
      el('td', {}, run.purpose),
      el('td', {}, run.status),
      el('td', {}, `${run.provider} ${run.model}`),
      el('td', {}, `${run.latency_ms} ms`))));
  }
}
