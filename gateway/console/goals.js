// The goals DAG as the gateway draws it (GET /v1/goals/graph?format=svg, Graphviz), and a goal's
// prerequisites and impact on click.
import { el, byId, replaceChildren } from './dom.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

// Parses the server's SVG as XML (never as HTML) and keeps only drawing: no scripts, no foreign
// content, no event-handler attributes, no links — defence in depth behind the server's escaping.
function sanitizedSvg(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.namespaceURI !== SVG_NS || root.localName !== 'svg') throw new Error('the graph is not SVG');
  root.querySelectorAll('script, foreignObject, a, use, image, style').forEach((node) => node.remove());
  for (const node of [root, ...root.querySelectorAll('*')]) {
    for (const attribute of [...node.attributes]) {
      if (/^on/i.test(attribute.name) || /href$/i.test(attribute.name)) node.removeAttribute(attribute.name);
    }
  }
  return document.importNode(root, true);
}

export class GoalsView {
  constructor(api, onError) {
    this.api = api;
    this.onError = onError;
    this.titles = new Map();
    byId('goal-graph').addEventListener('click', (event) => {
      const node = event.target.closest('g.node');
      if (node) this.showGoal(node.id.replace(/^goal-/, '')).catch(onError);
    });
    byId('goal-graph').addEventListener('keydown', (event) => {
      const node = event.target.closest('g.node');
      if (node && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        this.showGoal(node.id.replace(/^goal-/, '')).catch(onError);
      }
    });
  }

  async show() {
    const [svg, goals] = await Promise.all([
      this.api.get('/v1/goals/graph?format=svg', { accept: 'image/svg+xml' }),
      this.api.get('/v1/goals?limit=200'),
    ]);
    this.titles = new Map(goals.items.map((g) => [g.id, g.title]));
    const graph = byId('goal-graph');
    if (goals.items.length === 0) {
      replaceChildren(graph, el('p', {}, 'No goals yet. Tell Aimi about one in the chat.'));
      return;
    }
    const picture = sanitizedSvg(svg);
    picture.setAttribute('role', 'img');
    picture.setAttribute('aria-label', `Goals graph with ${goals.items.length} goals`);
    // Goals are keyboard-reachable: Tab to one, Enter shows it.
    picture.querySelectorAll('g.node').forEach((node) => {
      node.setAttribute('tabindex', '0');
      node.setAttribute('role', 'button');
      node.setAttribute('aria-label', this.titles.get(node.id.replace(/^goal-/, '')) || 'goal');
    });
    replaceChildren(graph, picture);
  }

  titleOf(id) {
    return this.titles.get(id) || id;
  }

  async showGoal(id) {
    const goal = await this.api.get(`/v1/goals/${encodeURIComponent(id)}`);
    const list = (items, empty) => (items.length === 0 ? el('p', {}, empty)
      : el('ul', {}, items.map((g) => el('li', {},
        `${this.titleOf(g.goal_id)} — ${g.status}${g.blocked ? ', blocked' : ''}${g.depth > 1 ? ` (${g.depth} steps away)` : ''}`))));
    replaceChildren(byId('goal-details'),
      el('h3', {}, goal.title),
      el('p', {}, `Status: ${goal.status}${goal.blocked ? ' (blocked)' : ''}`),
      el('h4', {}, `Prerequisites (${goal.prerequisites_total})`),
      list(goal.prerequisites, 'None: nothing has to happen first.'),
      el('h4', {}, `Impact: what it unblocks (${goal.dependents_total})`),
      list(goal.dependents, 'Nothing depends on it.'));
  }
}
