// Chats and a live conversation: GET /v1/live pushes new messages; after every (re)connect the
// view also asks for what it missed by seq, so a reconnect leaves no gap and shows nothing twice.
import { el, byId, replaceChildren, formatInstant } from './dom.js';

const MAX_BACKOFF_MS = 8000;

function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChatView {
  constructor(api, session, onError) {
    this.api = api;
    this.session = session;
    this.onError = onError;
    this.chatId = null;
    this.messages = new Map(); // seq -> <li>
    this.position = null; // the last live frame's position: ?resume= on reconnect
    this.socket = null;
    this.backoff = 500;
    this.refusals = 0; // handshakes refused in a row
    this.stopped = false;
    this.catchingUp = null;
    byId('send-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    byId('message-input').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    byId('new-chat').addEventListener('click', () => this.createChat().catch(onError));
  }

  async start() {
    await this.loadChats();
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close(1000, 'signed out');
  }

  async loadChats() {
    const { items } = await this.api.get('/v1/chats?limit=50');
    if (items.length === 0) return this.createChat();
    this.renderChats(items);
    if (!this.chatId || !items.some((c) => c.id === this.chatId)) await this.select(items[0].id);
  }

  renderChats(chats) {
    replaceChildren(byId('chat-list'), chats.map((chat) => {
      const button = el('button', { type: 'button', 'aria-current': chat.id === this.chatId ? 'true' : null },
        chat.title || 'Untitled chat');
      button.addEventListener('click', () => this.select(chat.id).then(() => this.loadChats()).catch(this.onError));
      return el('li', {}, button);
    }));
  }

  async createChat() {
    const chat = await this.api.post('/v1/chats', { title: `Chat of ${new Date().toLocaleDateString('en-GB')}` });
    this.chatId = chat.id;
    this.messages.clear();
    replaceChildren(byId('messages'));
    await this.loadChats();
  }

  async select(chatId) {
    if (chatId === this.chatId && this.messages.size > 0) return;
    this.chatId = chatId;
    this.messages.clear();
    replaceChildren(byId('messages'));
    await this.catchUp();
  }

  lastSeq() {
    let last = 0;
    for (const seq of this.messages.keys()) last = Math.max(last, seq);
    return last;
  }

  // Reads every message after the last one shown, page by page; concurrent calls share one run.
  catchUp() {
    if (!this.catchingUp) {
      this.catchingUp = (async () => {
        const chatId = this.chatId;
        for (;;) {
          const page = await this.api.get(`/v1/chats/${chatId}/messages?after_seq=${this.lastSeq()}&limit=500`);
          if (chatId !== this.chatId) return;
          page.items.forEach((m) => this.add(m));
          if (!page.next_cursor || page.items.length === 0) return;
        }
      })().finally(() => { this.catchingUp = null; });
    }
    return this.catchingUp;
  }

  add(message) {
    if (message.chat_id !== this.chatId || this.messages.has(message.seq)) return;
    const item = el('li', { class: `message ${message.role}`, dataset: { seq: message.seq } },
      el('span', { class: 'role' }, message.role === 'user' ? 'You' : message.role === 'assistant' ? 'Aimi' : message.role),
      el('time', { datetime: message.created_at }, formatInstant(message.created_at, this.session.timeZone)),
      el('p', { class: 'content' }, message.content));
    const later = [...this.messages.entries()].filter(([seq]) => seq > message.seq).sort((a, b) => a[0] - b[0]);
    byId('messages').insertBefore(item, later.length ? later[0][1] : null);
    this.messages.set(message.seq, item);
    item.scrollIntoView({ block: 'nearest' });
    // A live frame past a gap: fetch what lies between.
    if (message.seq > 1 && !this.messages.has(message.seq - 1)) this.catchUp().catch(this.onError);
  }

  async send() {
    const input = byId('message-input');
    const content = input.value.trim();
    if (!content || !this.chatId) return;
    input.value = '';
    try {
      const message = await this.api.post(`/v1/chats/${this.chatId}/messages`,
        { content, client_msg_id: newClientId(), source: 'console' });
      this.add(message);
    } catch (error) {
      input.value = content;
      this.onError(error);
    }
  }

  setStatus(text) {
    byId('live-status').textContent = text;
  }

  connect() {
    if (this.stopped) return;
    const url = new URL('/v1/live', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('access_token', this.api.token);
    if (this.position) url.searchParams.set('resume', this.position);
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.addEventListener('open', () => { opened = true; });
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === 'ready') {
        this.backoff = 500;
        this.setStatus('connected');
        // Whatever was posted while disconnected (or before a first connection) comes by seq.
        if (this.chatId) this.catchUp().catch(this.onError);
      } else if (frame.type === 'fact' && frame.resource && frame.resource.type === 'message') {
        this.add(frame.resource.state);
      }
      if (frame.position) this.position = frame.position;
    });
    socket.addEventListener('close', () => {
      if (this.stopped) return;
      if (!opened) {
        // A refused resume (expired position): start afresh; the seq catch-up fills the gap.
        this.position = null;
        // A handshake shows no status to scripts: after a few refusals, ask the API why (an
        // expired token answers 401, which signs out).
        if (++this.refusals % 3 === 0) this.api.get('/v1/chats?limit=1').catch(this.onError);
      } else {
        this.refusals = 0;
      }
      this.setStatus('reconnecting');
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    });
  }
}

