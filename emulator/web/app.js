// The Herald emulator's chat page. It talks only to the emulator's control
// API (/control/...) and to /web/files/ for pictures and downloads. All text
// from users and bots is put into the page as text nodes, never as HTML.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const STORE = 'herald-emulator-page';
  const MAX_FILE = 20 << 20; // the emulator's default upload cap

  const ui = {
    userSelect: $('user-select'), userForm: $('user-form'), userID: $('user-id'),
    userFirst: $('user-first'), userName: $('user-username'),
    botSelect: $('bot-select'), botRefresh: $('bot-refresh'), botEmpty: $('bot-empty'),
    botForm: $('bot-form'), botToken: $('bot-token'), botFirst: $('bot-first'),
    chatSelect: $('chat-select'), groupForm: $('group-form'), groupType: $('group-type'),
    groupID: $('group-id'), groupTitle: $('group-title'),
    title: $('chat-title'), sub: $('chat-sub'), conn: $('conn'), list: $('messages'), block: $('block'),
    typing: $('typing'), toast: $('toast'), error: $('error'),
    replyTo: $('reply-to'), replyToText: $('reply-to-text'), replyToCancel: $('reply-to-cancel'),
    attachment: $('attachment'), attachmentName: $('attachment-name'),
    attachmentKind: $('attachment-kind'), attachmentRemove: $('attachment-remove'),
    keyboard: $('reply-keyboard'), keyboardToggle: $('keyboard-toggle'),
    composer: $('composer'), fileInput: $('file-input'), text: $('text'), send: $('send'),
    dialog: $('alert-dialog'), dialogText: $('alert-text'),
    inlineResults: $('inline-results'),
  };

  const state = {
    users: [],        // known users (from /control/users and this page)
    user: null,       // {id, first_name, username?}
    bots: [],
    bot: null,        // {id, username, first_name, token}
    chat: null,       // {id, type, title?}
    entries: new Map(), // entryKey(entry) -> {entry, li}
    source: null,     // EventSource
    gen: 0,           // increases whenever another chat is opened
    retry: 0,         // consecutive failed connections
    retryTimer: 0,
    botPoll: 0,
    keyboardHiddenFor: 0, // message id of a one-time keyboard already used
    replyToID: 0,
    file: null,       // {file, kind}
    pending: new Map(), // callback_query_id -> button
    blocked: false,   // the user blocked the bot (private chats)
    answered: new Set(), // callback_query_ids answered before their press request returned
    typingTimer: 0,
    toastTimer: 0,
    stick: true,      // keep the list scrolled to the newest message
    inline: null,     // {id, query}: the inline query typed in the composer
    inlineTimer: 0,
    paying: new Map(), // pre_checkout_query_id -> Pay button
    paid: new Set(),  // pre_checkout_query_ids whose payment ended
  };

  // ---- small helpers ------------------------------------------------------

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else if (k in el && typeof v !== 'string') el[k] = v;
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  class APIError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    let data = null;
    try { data = await res.json(); } catch { /* not JSON */ }
    if (!res.ok) {
      const msg = (data && (data.error || data.description)) || `${res.status} ${res.statusText}`;
      throw new APIError(res.status, msg);
    }
    return data;
  }

  const q = (params) => new URLSearchParams(params).toString();

  function showError(err) {
    const msg = err instanceof Error ? err.message : String(err);
    ui.error.textContent = msg;
    ui.error.hidden = !msg;
  }

  function clearError() { showError(''); }

  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify({
        user: state.user, botID: state.bot && state.bot.id, chat: state.chat,
      }));
    } catch { /* storage may be unavailable */ }
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || '{}') || {}; } catch { return {}; }
  }

  function userLabel(u) {
    const name = [u.first_name, u.last_name].filter(Boolean).join(' ') || 'User';
    return u.username ? `${name} (@${u.username})` : name;
  }

  function formatSize(n) {
    if (!(n > 0)) return '';
    if (n < 1024) return `${n} B`;
    if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / (1 << 20)).toFixed(1)} MB`;
  }

  function formatTime(unix) {
    if (!unix) return '';
    return new Date(unix * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function fileURL(fileID) {
    return `/web/files/${encodeURIComponent(fileID)}?${q({ token: state.bot.token })}`;
  }

  function safeURL(s) {
    try {
      const u = new URL(s, location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch { return null; }
  }

  // ---- users --------------------------------------------------------------

  function renderUsers() {
    const sel = ui.userSelect;
    sel.replaceChildren();
    const seen = new Set();
    for (const u of state.users) {
      if (seen.has(u.id)) continue;
      seen.add(u.id);
      sel.append(h('option', { value: String(u.id) }, `${userLabel(u)} · ${u.id}`));
    }
    sel.append(h('option', { value: 'new' }, 'New user…'));
    if (state.user && seen.has(state.user.id)) {
      sel.value = String(state.user.id);
      ui.userForm.hidden = true;
    } else {
      sel.value = 'new';
      openUserForm();
    }
  }

  function openUserForm() {
    ui.userForm.hidden = false;
    if (!ui.userID.value) {
      const max = state.users.reduce((m, u) => Math.max(m, u.id), 1000);
      ui.userID.value = String(max + 1);
    }
  }

  async function loadUsers() {
    try {
      const list = await api('GET', '/control/users');
      const mine = state.user;
      state.users = Array.isArray(list) ? list : [];
      if (mine && !state.users.some((u) => u.id === mine.id)) state.users.push(mine);
      if (!mine && state.users.length) state.user = state.users[0];
    } catch (err) {
      showError(err);
    }
    renderUsers();
  }

  function useUser(u) {
    state.user = u;
    const i = state.users.findIndex((x) => x.id === u.id);
    if (i >= 0) state.users[i] = u; else state.users.push(u);
    renderUsers();
    save();
    renderChats();
    openChat();
  }

  ui.userSelect.addEventListener('change', () => {
    const v = ui.userSelect.value;
    if (v === 'new') { openUserForm(); ui.userID.focus(); return; }
    const u = state.users.find((x) => String(x.id) === v);
    if (u) useUser(u);
  });

  ui.userForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearError();
    const id = Number(ui.userID.value.trim());
    if (!Number.isSafeInteger(id) || id <= 0) { showError('The user id must be a positive whole number.'); return; }
    const first = ui.userFirst.value.trim();
    if (!first) { showError('A first name is needed.'); return; }
    const username = ui.userName.value.trim().replace(/^@/, '');
    if (!/^[A-Za-z0-9_]{0,32}$/.test(username)) { showError('A username has letters, digits and _ only.'); return; }
    const u = { id, is_bot: false, first_name: first };
    if (username) u.username = username;
    useUser(u);
  });

  // ---- bots ---------------------------------------------------------------

  async function loadBots() {
    clearTimeout(state.botPoll);
    try {
      const list = await api('GET', '/control/bots');
      state.bots = Array.isArray(list) ? list : [];
    } catch (err) {
      showError(err);
    }
    const sel = ui.botSelect;
    sel.replaceChildren();
    for (const b of state.bots) {
      sel.append(h('option', { value: String(b.id), title: `@${b.username} · id ${b.id}` }, `${b.first_name || 'Bot'} (@${b.username})`));
    }
    ui.botEmpty.hidden = state.bots.length > 0;
    sel.disabled = state.bots.length === 0;
    if (state.bots.length === 0) {
      sel.append(h('option', { value: '' }, 'no bots yet'));
      // A bot appears once it makes its first request: look again soon.
      state.botPoll = setTimeout(loadBots, 2000);
      return;
    }
    const want = state.bot ? state.bot.id : load().botID;
    const b = state.bots.find((x) => x.id === want) || state.bots[0];
    sel.value = String(b.id);
    if (!state.bot || state.bot.id !== b.id || state.bot.token !== b.token) selectBot(b);
    else state.bot = b;
  }

  function selectBot(b) {
    state.bot = b;
    save();
    loadChats().then(openChat);
  }

  ui.botSelect.addEventListener('change', () => {
    const b = state.bots.find((x) => String(x.id) === ui.botSelect.value);
    if (b) selectBot(b);
  });

  ui.botRefresh.addEventListener('click', () => { clearError(); loadBots(); });

  ui.botForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError();
    try {
      const body = { token: ui.botToken.value.trim() };
      const name = ui.botFirst.value.trim();
      if (name) body.first_name = name;
      const b = await api('POST', '/control/bots', body);
      ui.botToken.value = '';
      ui.botFirst.value = '';
      state.bot = b;
      save();
      await loadBots();
      loadChats().then(openChat);
    } catch (err) {
      showError(err);
    }
  });

  // ---- chats --------------------------------------------------------------

  let knownChats = [];

  async function loadChats() {
    knownChats = [];
    if (state.bot) {
      try {
        const list = await api('GET', `/control/chats?${q({ token: state.bot.token })}`);
        // Each item is a chat, flat or under "chat" (both shapes are read).
        knownChats = (Array.isArray(list) ? list : [])
          .map((c) => (c && c.chat ? c.chat : c))
          .filter((c) => c && Number.isSafeInteger(c.id) && c.type && c.type !== 'private');
      } catch (err) {
        // Only a convenience: the chat in use is listed anyway.
        console.warn('listing chats failed:', err.message);
      }
    }
    renderChats();
  }

  function renderChats() {
    const sel = ui.chatSelect;
    sel.replaceChildren();
    const who = state.user ? state.user.first_name : 'you';
    sel.append(h('option', { value: 'private' }, `Private chat (${who} and the bot)`));
    const groups = knownChats.slice();
    if (state.chat && state.chat.type !== 'private' && !groups.some((c) => c.id === state.chat.id)) {
      groups.push(state.chat);
    }
    for (const c of groups) {
      sel.append(h('option', { value: String(c.id) }, `${c.title || c.id} · ${c.type} ${c.id}`));
    }
    sel.append(h('option', { value: 'new' }, 'New group…'));
    if (!state.chat || state.chat.type === 'private') sel.value = 'private';
    else sel.value = String(state.chat.id);
    ui.groupForm.hidden = true;
  }

  ui.chatSelect.addEventListener('change', () => {
    const v = ui.chatSelect.value;
    if (v === 'new') {
      ui.groupForm.hidden = false;
      if (!ui.groupID.value) ui.groupID.value = String(-(100 + Math.floor(Math.random() * 900)));
      ui.groupTitle.focus();
      return;
    }
    ui.groupForm.hidden = true;
    if (v === 'private') state.chat = { type: 'private' };
    else {
      const c = knownChats.find((x) => String(x.id) === v) || state.chat;
      state.chat = { id: c.id, type: c.type, title: c.title };
    }
    save();
    openChat();
  });

  ui.groupForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearError();
    const id = Number(ui.groupID.value.trim());
    if (!Number.isSafeInteger(id) || id >= 0) { showError('A group id must be a negative whole number.'); return; }
    const title = ui.groupTitle.value.trim();
    if (!title) { showError('A group needs a title.'); return; }
    state.chat = { id, type: ui.groupType.value, title };
    save();
    renderChats();
    openChat();
  });

  function chatID() {
    if (!state.chat || state.chat.type === 'private') return state.user ? state.user.id : 0;
    return state.chat.id;
  }

  function isGroup() { return state.chat && state.chat.type !== 'private'; }

  // ---- the live connection ------------------------------------------------

  function setConn(s, text) {
    ui.conn.dataset.state = s;
    ui.conn.textContent = text;
  }

  function closeSource() {
    clearTimeout(state.retryTimer);
    if (state.source) { state.source.close(); state.source = null; }
  }

  function openChat() {
    closeSource();
    state.gen++;
    state.entries.clear();
    state.pending.clear();
    state.paying.clear();
    closeInline();
    state.keyboardHiddenFor = 0;
    state.stick = true;
    setReplyTo(0);
    ui.list.replaceChildren();
    renderKeyboard();
    hideTyping();
    const ready = state.user && state.bot;
    ui.text.disabled = ui.send.disabled = !ready;
    ui.block.hidden = !ready || isGroup();
    if (ready && !isGroup()) loadBlocked(state.gen);
    if (!ready) {
      ui.title.textContent = 'No chat open';
      ui.sub.textContent = state.bot ? 'Choose or create a user.' : 'Waiting for a bot…';
      setConn('off', 'offline');
      return;
    }
    const botName = `@${state.bot.username}`;
    if (isGroup()) {
      ui.title.textContent = state.chat.title || `Group ${state.chat.id}`;
      ui.sub.textContent = `${state.chat.type} ${state.chat.id} · ${botName} · you are ${userLabel(state.user)}`;
    } else {
      ui.title.textContent = state.bot.first_name || botName;
      ui.sub.textContent = `${botName} · private chat with ${userLabel(state.user)}`;
    }
    connect(state.gen);
  }

  // ---- blocking the bot ---------------------------------------------------

  function showBlocked(blocked) {
    state.blocked = blocked;
    ui.block.textContent = blocked ? 'Unblock bot' : 'Block bot';
    ui.block.setAttribute('aria-pressed', String(blocked));
  }

  async function loadBlocked(gen) {
    showBlocked(false);
    try {
      const r = await api('GET', `/control/users/${state.user.id}/blocked?${q({ token: state.bot.token })}`);
      if (gen === state.gen) showBlocked(Boolean(r && r.blocked));
    } catch {
      // a user the emulator does not know yet has blocked nobody
    }
  }

  ui.block.addEventListener('click', async () => {
    clearError();
    const blocked = !state.blocked;
    try {
      await api('POST', `/control/users/${state.user.id}/${blocked ? 'block' : 'unblock'}`, { token: state.bot.token });
      showBlocked(blocked);
    } catch (err) {
      showError(err);
    }
  });

  function connect(gen) {
    if (gen !== state.gen) return;
    setConn('connecting', state.retry ? 'reconnecting…' : 'connecting…');
    const url = `/control/events?${q({ token: state.bot.token, chat_id: String(chatID()) })}`;
    const es = new EventSource(url);
    state.source = es;
    es.onopen = () => {
      if (gen !== state.gen) return;
      state.retry = 0;
      setConn('live', 'live');
      // The subscription is in place: read the transcript so that nothing
      // sent while we were away is missing. Later events update it.
      loadTranscript(gen);
    };
    es.onmessage = (ev) => {
      if (gen !== state.gen) return;
      let data;
      try { data = JSON.parse(ev.data); } catch { return; }
      handleEvent(data);
    };
    es.onerror = () => {
      if (gen !== state.gen) return;
      if (es.readyState === EventSource.CONNECTING) {
        // The browser reconnects by itself; onopen reloads the transcript.
        setConn('connecting', 'reconnecting…');
        return;
      }
      // Closed for good (an HTTP error, such as a token the emulator no
      // longer knows after a restart): look at the bots again, and retry
      // with a capped back-off.
      es.close();
      state.source = null;
      loadBots();
      state.retry = Math.min(state.retry + 1, 6);
      const delay = Math.min(500 * 2 ** state.retry, 15000);
      setConn('off', `offline, retrying in ${Math.round(delay / 1000)} s`);
      state.retryTimer = setTimeout(() => connect(gen), delay);
    };
  }

  async function loadTranscript(gen) {
    let list = [];
    try {
      list = await api('GET', `/control/chats/${chatID()}/messages?${q({ token: state.bot.token })}`);
    } catch (err) {
      // A chat nobody wrote in yet does not exist: an empty transcript.
      if (err.status !== 400 && err.status !== 404) showError(err);
    }
    if (gen !== state.gen) return;
    const stick = state.stick || nearBottom();
    state.entries.clear();
    ui.list.replaceChildren();
    for (const e of Array.isArray(list) ? list : []) upsert(e);
    renderKeyboard();
    if (stick) scrollDown();
  }

  function handleEvent(ev) {
    switch (ev.type) {
      case 'sent':
      case 'edited':
      case 'deleted':
        if (ev.message) {
          const stick = state.stick || nearBottom() || (ev.type === 'sent' && senderKind(ev.message) === 'me');
          if (ev.message.sender === 'bot' && ev.type === 'sent') hideTyping();
          upsert(ev.message);
          renderKeyboard();
          if (stick) scrollDown();
        }
        break;
      case 'chat_action':
        showTyping(ev.action);
        break;
      case 'callback_answer':
        if (ev.callback_answer) showAnswer(ev.callback_answer);
        break;
      case 'inline_answer':
        if (ev.inline_answer) showInlineAnswer(ev.inline_answer);
        break;
      case 'payment':
        if (ev.payment) showPayment(ev.payment);
        break;
      default:
        break;
    }
  }

  // ---- messages -----------------------------------------------------------

  function nearBottom() {
    const l = ui.list;
    return l.scrollHeight - l.scrollTop - l.clientHeight < 80;
  }

  function scrollDown() {
    ui.list.scrollTop = ui.list.scrollHeight;
    state.stick = true;
  }

  // Stay at the newest message while the reader is there, also when the
  // area below the list grows or a picture finishes loading.
  ui.list.addEventListener('scroll', () => { state.stick = nearBottom(); }, { passive: true });
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => { if (state.stick) scrollDown(); }).observe(ui.list);
  }
  ui.list.addEventListener('load', () => { if (state.stick) scrollDown(); }, true);

  // entryKey tells messages apart: by message_id, or, for an ephemeral
  // message (message_id 0, shown to one user), by its ephemeral id.
  function entryKey(e) {
    return e.ephemeral_message_id ? `e${e.ephemeral_message_id}` : e.message_id;
  }

  function upsert(entry) {
    const key = entryKey(entry);
    const old = state.entries.get(key);
    const li = renderMessage(entry);
    if (old) {
      old.li.replaceWith(li);
    } else if (entry.ephemeral_message_id || !ui.list.lastElementChild || Number(ui.list.lastElementChild.dataset.id) < entry.message_id) {
      // An ephemeral message (data-id 0) goes where it arrives.
      ui.list.append(li);
    } else {
      // Keep message id order, whatever order events arrive in.
      let next = null;
      for (const v of state.entries.values()) {
        const id = v.entry.message_id;
        if (!v.entry.ephemeral_message_id && id > entry.message_id && (!next || id < Number(next.dataset.id))) next = v.li;
      }
      ui.list.insertBefore(li, next);
    }
    state.entries.set(key, { entry, li });
  }

  function senderKind(e) {
    if (e.sender === 'bot') return 'bot';
    if (e.sender === 'user' && e.from && state.user && e.from.id === state.user.id) return 'me';
    return 'other';
  }

  // serviceText describes a service message (members joining or leaving),
  // or is '' for an ordinary message.
  function serviceText(e) {
    const by = e.from ? userLabel(e.from) : 'Someone';
    if (e.new_chat_members && e.new_chat_members.length) {
      const who = e.new_chat_members.map(userLabel).join(', ');
      return e.from && e.new_chat_members.some((u) => u.id === e.from.id) ? `${who} joined the group` : `${by} added ${who}`;
    }
    if (e.left_chat_member) {
      const who = userLabel(e.left_chat_member);
      return e.from && e.from.id === e.left_chat_member.id ? `${who} left the group` : `${by} removed ${who}`;
    }
    return '';
  }

  function renderMessage(e) {
    const service = serviceText(e);
    if (service) {
      return h('li', { class: 'msg service', dataset: { id: String(e.message_id), sender: e.sender } },
        h('div', { class: 'service-text' }, service));
    }
    const kind = senderKind(e);
    const eph = Boolean(e.ephemeral_message_id);
    const forOther = eph && !(e.receiver_user && state.user && e.receiver_user.id === state.user.id);
    const li = h('li', {
      class: `msg ${kind}${e.deleted ? ' deleted' : ''}${eph ? ' ephemeral' : ''}${forOther ? ' for-other' : ''}`,
      dataset: eph ? { id: '0', ephemeral: String(e.ephemeral_message_id), sender: e.sender } : { id: String(e.message_id), sender: e.sender },
    });
    const bubble = h('div', { class: 'bubble' });
    li.append(bubble);

    if (kind === 'bot' && isGroup()) bubble.append(h('div', { class: 'sender' }, state.bot.first_name || 'Bot'));
    if (kind === 'other') bubble.append(h('div', { class: 'sender' }, e.from ? userLabel(e.from) : 'Channel'));
    if (e.forwarded) bubble.append(h('div', { class: 'note' }, 'Forwarded'));
    if (e.reply_to_message_id || e.reply_to_ephemeral_message_id) {
      const target = state.entries.get(e.reply_to_message_id || `e${e.reply_to_ephemeral_message_id}`);
      const snippet = target ? (target.entry.text || target.entry.caption || mediaName(target.entry)) : '';
      bubble.append(h('div', { class: 'quote' }, `↩ ${snippet || `message ${e.reply_to_message_id || e.reply_to_ephemeral_message_id}`}`));
    }

    if (e.via_bot) bubble.append(h('div', { class: 'note via' }, `via @${e.via_bot.username || e.via_bot.id}`));

    if (e.photo && e.photo.length) {
      const p = e.photo[e.photo.length - 1];
      const url = fileURL(p.file_id);
      const img = h('img', {
        class: 'photo', src: url, alt: e.caption ? `Photo: ${e.caption}` : 'Photo', loading: 'lazy', decoding: 'async',
      });
      if (p.width && p.height) { img.width = p.width; img.height = p.height; }
      bubble.append(h('a', { class: 'photo-link', href: url, target: '_blank', rel: 'noopener noreferrer' }, img));
    }
    if (e.document) {
      const d = e.document;
      const name = d.file_name || 'file';
      bubble.append(h('a', {
        class: 'doc', href: fileURL(d.file_id), download: name, rel: 'noopener noreferrer',
        'aria-label': `Download ${name}`,
      },
      h('span', { class: 'doc-icon', 'aria-hidden': 'true' }, docBadge(name)),
      h('span', { class: 'doc-name' }, name),
      h('span', { class: 'doc-size' }, [d.mime_type, formatSize(d.file_size)].filter(Boolean).join(' · '))));
    }

    const body = e.text || e.caption || '';
    if (body) bubble.append(h('div', { class: 'text' }, ...richText(body, e.entities || [], kind === 'bot')));
    else if (e.invoice) bubble.append(renderInvoice(e));
    else if (e.successful_payment || e.refunded_payment) bubble.append(h('div', { class: 'text service' }, paymentText(e, kind)));
    else if (!e.photo && !e.document) bubble.append(h('div', { class: 'text note' }, '(no text)'));

    const meta = h('div', { class: 'meta' });
    if (eph) {
      const who = e.receiver_user ? userLabel(e.receiver_user) : 'one user';
      meta.append(h('span', { class: 'tag ephemeral-tag', title: 'An ephemeral message: only its receiver sees it' }, `only ${forOther ? who : 'you'} can see this`));
    }
    if (e.pinned) meta.append(h('span', { class: 'tag' }, 'pinned'));
    if (e.deleted) meta.append(h('span', { class: 'tag deleted-tag' }, 'deleted'));
    if (e.edit_date) meta.append(h('span', { class: 'tag edited', title: `edited at ${formatTime(e.edit_date)}` }, 'edited'));
    meta.append(h('time', { datetime: new Date(e.date * 1000).toISOString() }, formatTime(e.date)));
    bubble.append(meta);
    if (!eph && !e.deleted) li.append(renderReactions(e));

    const kb = markupOf(e);
    if (!e.deleted && kb && Array.isArray(kb.inline_keyboard) && kb.inline_keyboard.length) li.append(renderInline(e, kb.inline_keyboard));
    else if (!e.deleted && e.invoice) li.append(renderInline(e, [[{ text: `Pay ${formatAmount(e.invoice.total_amount, e.invoice.currency)}`, pay: true }]]));
    return li;
  }

  // QUICK_REACTIONS are the emoji the page's picker offers (all are in
  // Telegram's list of reaction emoji).
  const QUICK_REACTIONS = ['👍', '❤', '🔥', '🎉', '😁', '👎'];

  // myReactions are the emoji the page's user reacted with on e.
  function myReactions(e) {
    const me = state.user ? state.user.id : 0;
    return (e.reactions || []).filter((r) => (r.users || []).includes(me)).map((r) => r.emoji);
  }

  // renderReactions shows e's reactions as chips (press one to add or take
  // back your own) and a button that offers a few more.
  function renderReactions(e) {
    const me = state.user ? state.user.id : 0;
    const box = h('div', { class: 'reactions' });
    const mine = myReactions(e);
    const toggle = (emoji) => react(e, mine.includes(emoji) ? mine.filter((x) => x !== emoji) : [...mine, emoji].slice(-3));
    for (const r of e.reactions || []) {
      const users = r.users || [];
      box.append(h('button', {
        type: 'button', class: `reaction${users.includes(me) ? ' mine' : ''}`,
        title: users.includes(me) ? 'Take back your reaction' : 'React with this',
        onclick: () => toggle(r.emoji),
      }, `${r.emoji} ${users.length}`));
    }
    const picker = h('span', { class: 'reaction-picker', hidden: true });
    for (const emoji of QUICK_REACTIONS) {
      picker.append(h('button', { type: 'button', class: 'reaction', onclick: () => toggle(emoji) }, emoji));
    }
    box.append(h('button', {
      type: 'button', class: 'reaction add', 'aria-label': 'Add a reaction', title: 'Add a reaction',
      onclick: () => { picker.hidden = !picker.hidden; },
    }, '☺+'), picker);
    return box;
  }

  async function react(e, reaction) {
    clearError();
    try {
      await api('POST', '/control/reactions', {
        token: state.bot.token, from: state.user, chat_id: chatID(), message_id: e.message_id, reaction,
      });
    } catch (err) {
      showError(err);
    }
  }

  // docBadge is the short label on a document's icon: its extension.
  function docBadge(name) {
    const m = /\.([A-Za-z0-9]{1,4})$/.exec(name);
    return m ? m[1].toUpperCase() : 'FILE';
  }

  function mediaName(e) {
    if (e.photo && e.photo.length) return 'Photo';
    if (e.document) return e.document.file_name || 'Document';
    return '';
  }

  function markupOf(e) {
    const m = e.reply_markup;
    if (!m) return null;
    if (typeof m === 'string') { try { return JSON.parse(m); } catch { return null; } }
    return typeof m === 'object' ? m : null;
  }

  // richText turns text and its entities (offsets in UTF-16 code units, as
  // JavaScript strings count) into DOM nodes: text nodes inside formatting
  // elements, never parsed HTML.
  function richText(text, entities, fromBot) {
    const ents = entities.filter((en) => en && en.length > 0 && en.offset >= 0 && en.offset < text.length);
    if (!ents.length) return [text];
    const cuts = new Set([0, text.length]);
    for (const en of ents) { cuts.add(en.offset); cuts.add(Math.min(en.offset + en.length, text.length)); }
    const points = [...cuts].sort((a, b) => a - b);
    const out = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const seg = text.slice(a, b);
      let node = document.createTextNode(seg);
      const active = ents.filter((en) => en.offset <= a && en.offset + en.length >= b);
      for (let j = active.length - 1; j >= 0; j--) node = wrapEntity(active[j], node, text, fromBot);
      out.push(node);
    }
    return out;
  }

  function wrapEntity(en, child, text, fromBot) {
    const whole = text.slice(en.offset, en.offset + en.length);
    switch (en.type) {
      case 'bold': return h('strong', null, child);
      case 'italic': return h('em', null, child);
      case 'underline': return h('u', null, child);
      case 'strikethrough': return h('s', null, child);
      case 'code': return h('code', null, child);
      case 'pre': return h('code', { class: 'pre' }, child);
      case 'blockquote':
      case 'expandable_blockquote': return h('span', { class: 'blockquote' }, child);
      case 'spoiler': {
        const s = h('span', { class: 'spoiler', tabindex: '0', role: 'button', 'aria-label': 'Spoiler, press to reveal' }, child);
        const reveal = () => { s.classList.add('revealed'); s.removeAttribute('role'); s.removeAttribute('aria-label'); };
        s.addEventListener('click', reveal);
        s.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') reveal(); });
        return s;
      }
      case 'text_link':
      case 'url': {
        const href = safeURL(en.type === 'url' ? (/^[a-z]+:\/\//i.test(whole) ? whole : `https://${whole}`) : en.url);
        return href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, child) : h('span', null, child);
      }
      case 'bot_command':
        if (fromBot) {
          return h('a', {
            href: '#', class: 'command', title: `Send ${whole}`,
            onclick: (ev) => { ev.preventDefault(); sendText(whole); },
          }, child);
        }
        return h('span', { class: 'command' }, child);
      case 'mention':
      case 'text_mention':
      case 'hashtag':
      case 'cashtag':
        return h('span', { class: 'mention' }, child);
      default:
        return h('span', null, child);
    }
  }

  function renderInline(e, rows) {
    const box = h('div', { class: 'inline-kb', role: 'group', 'aria-label': 'Message buttons' });
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const r = h('div', { class: 'kb-row' });
      for (const btn of row) {
        if (!btn || typeof btn.text !== 'string') continue;
        if (btn.url) {
          const href = safeURL(btn.url);
          r.append(href
            ? h('a', { class: 'inline-btn link', href, target: '_blank', rel: 'noopener noreferrer' }, btn.text, h('span', { 'aria-hidden': 'true' }, ' ↗'))
            : h('button', { class: 'inline-btn', type: 'button', disabled: true, title: 'This link cannot be opened here' }, btn.text));
        } else if (typeof btn.callback_data === 'string' && e.ephemeral_message_id) {
          r.append(h('button', { class: 'inline-btn', type: 'button', disabled: true, title: 'Buttons of ephemeral messages are not emulated on this page' }, btn.text));
        } else if (typeof btn.callback_data === 'string') {
          const b = h('button', { class: 'inline-btn', type: 'button', dataset: { data: btn.callback_data } }, btn.text);
          b.addEventListener('click', () => press(e, btn.callback_data, b));
          r.append(b);
        } else if (typeof btn.switch_inline_query_current_chat === 'string' && state.bot) {
          const b = h('button', { class: 'inline-btn', type: 'button', title: 'Type an inline query to the bot here' }, btn.text);
          b.addEventListener('click', () => startInline(btn.switch_inline_query_current_chat));
          r.append(b);
        } else if (btn.pay === true && e.invoice) {
          const b = h('button', { class: 'inline-btn pay', type: 'button' }, btn.text);
          b.addEventListener('click', () => payInvoice(e, b));
          r.append(b);
        } else if (btn.copy_text && typeof btn.copy_text.text === 'string') {
          const b = h('button', { class: 'inline-btn', type: 'button', title: 'Copy to the clipboard' }, btn.text);
          b.addEventListener('click', async () => {
            try { await navigator.clipboard.writeText(btn.copy_text.text); toast('Copied to the clipboard.'); } catch { toast(btn.copy_text.text); }
          });
          r.append(b);
        } else {
          r.append(h('button', { class: 'inline-btn', type: 'button', disabled: true, title: 'This kind of button is not emulated on this page' }, btn.text));
        }
      }
      box.append(r);
    }
    return box;
  }

  async function press(e, data, btn) {
    clearError();
    btn.classList.add('pending');
    btn.setAttribute('aria-busy', 'true');
    try {
      const res = await api('POST', '/control/callbacks', {
        token: state.bot.token, from: state.user, chat_id: chatID(), message_id: e.message_id, data,
      });
      const id = res && res.callback_query_id;
      if (id && state.answered.delete(id)) {
        unpend(btn); // the answer came over the event stream first
      } else if (id && btn.isConnected && btn.classList.contains('pending')) {
        state.pending.set(id, btn);
        // Telegram stops the spinner after a while even without an answer.
        setTimeout(() => { unpend(btn); state.pending.delete(id); }, 15000);
      } else {
        unpend(btn);
      }
    } catch (err) {
      unpend(btn);
      showError(err);
    }
  }

  function unpend(btn) {
    btn.classList.remove('pending');
    btn.removeAttribute('aria-busy');
  }

  function showAnswer(a) {
    const btn = state.pending.get(a.callback_query_id);
    if (btn) {
      unpend(btn);
      state.pending.delete(a.callback_query_id);
    } else if (a.callback_query_id) {
      // The answer may overtake the press request's own response: press()
      // stops the spinner when that response names an answered query.
      state.answered.add(a.callback_query_id);
      if (state.answered.size > 100) state.answered.delete(state.answered.values().next().value);
    }
    if (a.show_alert && a.text) {
      ui.dialogText.textContent = a.text;
      if (ui.dialog.open) ui.dialog.close();
      ui.dialog.showModal();
    } else if (a.text) {
      toast(a.text);
    } else if (a.url) {
      toast(`The bot answered with a URL: ${a.url}`);
    }
  }

  function toast(text) {
    clearTimeout(state.toastTimer);
    ui.toast.textContent = text;
    ui.toast.hidden = false;
    state.toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 4000);
  }

  const ACTIONS = {
    typing: 'is typing…', upload_photo: 'is sending a photo…', upload_document: 'is sending a file…',
    record_video: 'is recording a video…', upload_video: 'is sending a video…', record_voice: 'is recording a voice message…',
    upload_voice: 'is sending a voice message…', choose_sticker: 'is choosing a sticker…', find_location: 'is finding a location…',
    record_video_note: 'is recording a video message…', upload_video_note: 'is sending a video message…',
  };

  function showTyping(action) {
    clearTimeout(state.typingTimer);
    ui.typing.textContent = `${state.bot.first_name || 'The bot'} ${ACTIONS[action] || 'is busy…'}`;
    ui.typing.hidden = false;
    state.typingTimer = setTimeout(hideTyping, 5000); // as long as Telegram shows it
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    ui.typing.hidden = true;
  }

  // ---- payments in Telegram Stars -------------------------------------------

  function formatAmount(n, currency) {
    return currency === 'XTR' ? `⭐ ${n}` : `${n} ${currency}`;
  }

  function renderInvoice(e) {
    const inv = e.invoice;
    return h('div', { class: 'invoice' },
      h('div', { class: 'invoice-title' }, inv.title),
      h('div', { class: 'invoice-desc' }, inv.description),
      h('div', { class: 'invoice-amount' }, formatAmount(inv.total_amount, inv.currency)));
  }

  function paymentText(e, kind) {
    const p = e.successful_payment || e.refunded_payment;
    const amount = formatAmount(p.total_amount, p.currency);
    if (e.refunded_payment) return `${amount} refunded`;
    const who = kind === 'me' ? 'You' : (e.from ? userLabel(e.from) : 'Someone');
    return `${who} paid ${amount}`;
  }

  // payInvoice pays the invoice of message e: the bot gets a pre-checkout
  // query, and the button spins until a payment event says how it ended.
  async function payInvoice(e, btn) {
    clearError();
    btn.classList.add('pending');
    btn.setAttribute('aria-busy', 'true');
    try {
      const res = await api('POST', '/control/payments', {
        token: state.bot.token, from: state.user, chat_id: chatID(), message_id: e.message_id,
      });
      // The bot may have answered before this request returned.
      if (state.paid.has(res.pre_checkout_query_id)) unpend(btn);
      else if (btn.isConnected) state.paying.set(res.pre_checkout_query_id, btn);
    } catch (err) {
      unpend(btn);
      showError(err);
    }
  }

  function showPayment(p) {
    if (p.status === 'pending' || !state.user || p.user_id !== state.user.id) return;
    state.paid.add(p.pre_checkout_query_id);
    const btn = state.paying.get(p.pre_checkout_query_id);
    if (btn) { unpend(btn); state.paying.delete(p.pre_checkout_query_id); }
    switch (p.status) {
      case 'paid': toast(`Paid ${formatAmount(p.total_amount, p.currency)}.`); break;
      case 'declined':
        ui.dialogText.textContent = `The bot declined the payment: ${p.error_message}`;
        if (ui.dialog.open) ui.dialog.close();
        ui.dialog.showModal();
        break;
      case 'expired': showError('The bot did not confirm the payment within 10 seconds; nothing was paid.'); break;
      case 'refunded': toast(`${formatAmount(p.total_amount, p.currency)} refunded.`); break;
      default: break;
    }
  }

  // ---- inline mode -------------------------------------------------------------

  // inlineQuery returns the query of composer text "@botusername query",
  // or null when the text does not address the bot.
  function inlineQuery(text) {
    if (!state.bot || !state.bot.username) return null;
    const m = /^@(\S+)(?:\s([\s\S]*))?$/.exec(text);
    if (!m || m[1].toLowerCase() !== state.bot.username.toLowerCase()) return null;
    return m[2] === undefined ? null : m[2];
  }

  function closeInline() {
    clearTimeout(state.inlineTimer);
    state.inline = null;
    ui.inlineResults.hidden = true;
    ui.inlineResults.replaceChildren();
  }

  // scheduleInline sends the composer's inline query once typing pauses.
  function scheduleInline() {
    clearTimeout(state.inlineTimer);
    const query = inlineQuery(ui.text.value);
    if (query === null || !state.user) { closeInline(); return; }
    if (state.inline && state.inline.query === query) return;
    state.inlineTimer = setTimeout(() => sendInlineQuery(query), 300);
  }

  async function sendInlineQuery(query) {
    clearError();
    try {
      const res = await api('POST', '/control/inline', { token: state.bot.token, from: state.user, query, chat: chatParam() });
      state.inline = { id: res.inline_query_id, query };
      ui.inlineResults.replaceChildren(h('p', { class: 'note' }, `Asking @${state.bot.username}…`));
      ui.inlineResults.hidden = false;
      // A late answer is shown when it comes; one that never comes leaves the hint.
      const ans = await api('GET', `/control/inline/${encodeURIComponent(res.inline_query_id)}?${q({ token: state.bot.token })}`).catch(() => null);
      if (ans) showInlineAnswer(ans);
    } catch (err) {
      showError(err);
    }
  }

  function resultSummary(r) {
    const c = r.input_message_content || {};
    if (typeof c.message_text === 'string') return c.message_text;
    if (c.currency) return `${c.title || 'Invoice'} · ${formatAmount((c.prices || []).reduce((n, p) => n + (p.amount || 0), 0), c.currency)}`;
    return r.description || r.caption || r.type;
  }

  function showInlineAnswer(a) {
    if (!state.inline || a.inline_query_id !== state.inline.id) return;
    const items = (a.results || []).map((r) => {
      const b = h('button', { class: 'inline-result', type: 'button', role: 'listitem', dataset: { id: r.id } },
        h('span', { class: 'inline-result-title' }, r.title || r.id),
        h('span', { class: 'inline-result-text' }, resultSummary(r)));
      b.addEventListener('click', () => chooseResult(a.inline_query_id, r.id));
      return b;
    });
    if (!items.length) items.push(h('p', { class: 'note' }, 'No results.'));
    if (a.button && typeof a.button.text === 'string') items.unshift(resultsButton(a.button));
    ui.inlineResults.replaceChildren(...items);
    ui.inlineResults.hidden = false;
  }

  async function chooseResult(queryID, resultID) {
    clearError();
    try {
      await api('POST', '/control/inline/choose', { token: state.bot.token, from: state.user, inline_query_id: queryID, result_id: resultID });
      ui.text.value = '';
      autosize();
      closeInline();
      if (!state.source || state.source.readyState !== EventSource.OPEN) loadTranscript(state.gen);
    } catch (err) {
      showError(err);
    }
  }

  // startInline puts "@botusername query" into the composer, as a
  // switch_inline_query_current_chat button does.
  function startInline(query) {
    ui.text.value = `@${state.bot.username} ${query}`;
    autosize();
    ui.text.focus();
    scheduleInline();
  }

  // resultsButton is the button an answer may show above its results: a
  // start parameter sends "/start <parameter>" in the private chat.
  function resultsButton(btn) {
    if (typeof btn.start_parameter === 'string' && !isGroup()) {
      const b = h('button', { class: 'inline-btn', type: 'button' }, btn.text);
      b.addEventListener('click', () => { ui.text.value = ''; autosize(); closeInline(); sendText(`/start ${btn.start_parameter}`); });
      return b;
    }
    return h('button', { class: 'inline-btn', type: 'button', disabled: true, title: 'Web apps, and start parameters from a group, are not emulated on this page' }, btn.text);
  }

  ui.text.addEventListener('input', scheduleInline);

  // ---- reply keyboards ------------------------------------------------------

  // currentKeyboard is the newest reply keyboard instruction of the bot in
  // this chat: a keyboard, its removal, or a force reply.
  function currentKeyboard() {
    let best = null;
    for (const { entry } of state.entries.values()) {
      if (entry.sender !== 'bot' || entry.deleted || entry.ephemeral_message_id) continue;
      const m = markupOf(entry);
      if (!m || !(m.keyboard || m.remove_keyboard || m.force_reply)) continue;
      if (!best || entry.message_id > best.id) best = { id: entry.message_id, markup: m };
    }
    return best;
  }

  function renderKeyboard() {
    const kb = ui.keyboard;
    kb.replaceChildren();
    const cur = state.entries.size ? currentKeyboard() : null;
    const m = cur && cur.markup;
    ui.text.placeholder = (m && m.input_field_placeholder) || 'Write a message…';
    if (!m || !Array.isArray(m.keyboard)) {
      kb.hidden = true;
      ui.keyboardToggle.hidden = true;
      return;
    }
    for (const row of m.keyboard) {
      if (!Array.isArray(row)) continue;
      const r = h('div', { class: 'kb-row' });
      for (const btn of row) {
        const label = typeof btn === 'string' ? btn : btn && btn.text;
        if (typeof label !== 'string') continue;
        const special = btn && typeof btn === 'object' && (btn.request_contact || btn.request_location || btn.request_poll || btn.request_users || btn.request_chat || btn.web_app);
        const b = h('button', {
          class: 'reply-btn', type: 'button', disabled: Boolean(special),
          title: special ? 'This kind of button is not emulated on this page' : `Send “${label}”`,
        }, label);
        b.addEventListener('click', () => {
          if (m.one_time_keyboard) { state.keyboardHiddenFor = cur.id; renderKeyboard(); }
          sendText(label);
        });
        r.append(b);
      }
      kb.append(r);
    }
    const hidden = state.keyboardHiddenFor === cur.id;
    kb.hidden = hidden;
    ui.keyboardToggle.hidden = false;
    ui.keyboardToggle.setAttribute('aria-expanded', String(!hidden));
    ui.keyboardToggle.setAttribute('aria-label', hidden ? 'Show the reply keyboard' : 'Hide the reply keyboard');
    ui.keyboardToggle.title = ui.keyboardToggle.getAttribute('aria-label');
    ui.keyboardToggle.dataset.id = String(cur.id);
  }

  ui.keyboardToggle.addEventListener('click', () => {
    const id = Number(ui.keyboardToggle.dataset.id);
    state.keyboardHiddenFor = state.keyboardHiddenFor === id ? 0 : id;
    renderKeyboard();
  });

  // ---- writing --------------------------------------------------------------

  function setReplyTo(id) {
    state.replyToID = id;
    ui.replyTo.hidden = !id;
    if (id) {
      const t = state.entries.get(id);
      ui.replyToText.textContent = `Replying to: ${t ? (t.entry.text || t.entry.caption || mediaName(t.entry) || id) : id}`;
    }
  }

  ui.replyToCancel.addEventListener('click', () => setReplyTo(0));

  // Double-clicking a message replies to it.
  ui.list.addEventListener('dblclick', (ev) => {
    const li = ev.target instanceof Element ? ev.target.closest('li.msg') : null;
    if (li && !li.classList.contains('deleted') && !li.dataset.ephemeral) { setReplyTo(Number(li.dataset.id)); ui.text.focus(); }
  });

  function chatParam() {
    if (!isGroup()) return undefined; // the private chat with the user
    return { id: state.chat.id, type: state.chat.type, title: state.chat.title };
  }

  async function post(body) {
    const cur = currentKeyboard();
    if (!state.replyToID && cur && cur.markup.force_reply) body.reply_to_message_id = cur.id;
    else if (state.replyToID) body.reply_to_message_id = state.replyToID;
    const res = await api('POST', '/control/messages', body);
    setReplyTo(0);
    if (!state.source || state.source.readyState !== EventSource.OPEN) loadTranscript(state.gen);
    if (isGroup() && !knownChats.some((c) => c.id === state.chat.id)) loadChats();
    if (!state.users.some((u) => u.id === state.user.id)) loadUsers();
    return res;
  }

  async function sendText(text) {
    if (!state.user || !state.bot) return;
    clearError();
    try {
      await post({ token: state.bot.token, from: state.user, chat: chatParam(), text });
    } catch (err) {
      showError(err);
    }
  }

  function readBase64(file) {
    return new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => {
        const s = String(r.result);
        resolve(s.slice(s.indexOf(',') + 1));
      };
      r.onerror = () => reject(r.error || new Error('reading the file failed'));
      r.readAsDataURL(file);
    });
  }

  ui.composer.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!state.user || !state.bot) return;
    clearError();
    const text = ui.text.value;
    const body = { token: state.bot.token, from: state.user, chat: chatParam() };
    if (state.file) {
      const { file, kind } = state.file;
      try {
        body[kind] = { file_name: file.name, mime_type: file.type || undefined, data: await readBase64(file) };
      } catch (err) { showError(err); return; }
      if (text.trim()) body.caption = text;
    } else {
      if (!text.trim()) { ui.text.focus(); return; }
      body.text = text;
    }
    ui.send.disabled = true;
    try {
      await post(body);
      ui.text.value = '';
      autosize();
      clearFile();
      closeInline();
    } catch (err) {
      showError(err);
    } finally {
      ui.send.disabled = false;
      ui.text.focus();
    }
  });

  ui.text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      ui.composer.requestSubmit();
    }
  });

  function autosize() {
    ui.text.style.height = 'auto';
    ui.text.style.height = `${Math.min(ui.text.scrollHeight, 160)}px`;
  }
  ui.text.addEventListener('input', autosize);

  function clearFile() {
    state.file = null;
    ui.fileInput.value = '';
    ui.attachment.hidden = true;
  }

  ui.fileInput.addEventListener('change', () => {
    clearError();
    const file = ui.fileInput.files && ui.fileInput.files[0];
    if (!file) { clearFile(); return; }
    if (file.size > MAX_FILE) { clearFile(); showError('The file is larger than 20 MB.'); return; }
    if (file.size === 0) { clearFile(); showError('The file is empty.'); return; }
    const isImage = /^image\/(jpeg|png|gif)$/.test(file.type);
    state.file = { file, kind: isImage ? 'photo' : 'document' };
    ui.attachmentKind.value = state.file.kind;
    ui.attachmentKind.querySelector('option[value="photo"]').disabled = !isImage;
    ui.attachmentName.textContent = `${file.name} (${formatSize(file.size)})`;
    ui.attachment.hidden = false;
    ui.text.focus();
  });

  ui.attachmentKind.addEventListener('change', () => { if (state.file) state.file.kind = ui.attachmentKind.value; });
  ui.attachmentRemove.addEventListener('click', clearFile);

  // ---- start ------------------------------------------------------------------

  async function start() {
    const saved = load();
    if (saved.user && Number.isSafeInteger(saved.user.id)) state.user = saved.user;
    if (saved.chat && (saved.chat.type === 'private' || Number.isSafeInteger(saved.chat.id))) state.chat = saved.chat;
    await loadUsers();
    renderChats();
    await loadBots();
    if (!state.bot) openChat();
  }

  start();
})();
