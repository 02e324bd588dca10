// Builds DOM nodes. Every string becomes a text node: nothing user-provided is ever parsed as HTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

export const byId = (id) => document.getElementById(id);

// Formats an instant in a time zone: "Mon 7 Dec, 09:30".
export function formatInstant(iso, timeZone) {
  if (!iso) return '';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}

// Shows an API failure where the user looks: "400 invalid_query (q): message".
export function describeError(error) {
  if (error && error.code) {
    return `${error.status} ${error.code}${error.field ? ` (${error.field})` : ''}: ${error.message}`;
  }
  return String(error && error.message ? error.message : error);
}
