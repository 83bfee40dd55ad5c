/*
 * app.js - the ferry console: a page over the REST API (docs/console.md). No framework and
 * nothing fetched from elsewhere; every change carries the CSRF token of GET /ui/api/session;
 * the views poll every 2 s and redraw in place.
 */
'use strict';

const POLL_MS = 2000;
const HISTORY_POINTS = 150; /* 5 minutes of 2 s samples */

const state = {
  session: null,
  connectors: {},   /* GET /connectors?expand=status&expand=info */
  rates: {},        /* connector -> {in, out, lag} from /metrics deltas */
  history: {},      /* connector -> [{t, in, out}] */
  totals: { in: 0, out: 0, lag: 0 },
  lastCounters: null,
  lastCountersAt: 0,
  sort: { key: 'name', up: true },
  filter: '',
  timer: null,
  drawing: false,
};

/* ---- small helpers ---------------------------------------------------------------------- */

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  return node;
}

function stateBadge(value) {
  return el('span', { class: 'state state-' + (value || 'UNKNOWN') }, value || 'UNKNOWN');
}

function isAdmin() {
  return state.session && state.session.role === 'admin';
}

function rate(value) {
  if (value === undefined || value === null) return '–';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function showNotice(text, info) {
  const box = document.getElementById('notice');
  box.textContent = text;
  box.className = info ? 'notice info' : 'notice';
  box.hidden = !text;
}

/* ---- the API ---------------------------------------------------------------------------- */

class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD' && state.session)
    headers[state.session.csrf_header] = state.session.csrf_token;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch (e) { parsed = text; }
  }
  if (!response.ok) {
    const message = parsed && parsed.message ? parsed.message : response.status + ' ' + response.statusText;
    throw new ApiError(response.status, message, parsed);
  }
  return parsed;
}

const enc = encodeURIComponent;

/* ---- metrics: records/s and lag from /metrics ------------------------------------------ */

const IN_METRICS = ['ferry_source_task_records_polled_total', 'ferry_sink_task_records_read_total'];
const OUT_METRICS = ['ferry_source_task_records_written_total', 'ferry_sink_task_records_put_total'];

function parseMetrics(text) {
  const counters = {}; /* connector -> {in, out, lag} */
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const match = /^([a-z_]+)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labels, value] = match;
    const connector = /connector="((?:[^"\\]|\\.)*)"/.exec(labels);
    if (!connector) continue;
    const key = connector[1].replace(/\\(.)/g, (m, c) => (c === 'n' ? '\n' : c));
    const entry = counters[key] || (counters[key] = { in: 0, out: 0, lag: 0 });
    const number = Number(value);
    if (!Number.isFinite(number)) continue;
    if (IN_METRICS.includes(name)) entry.in += number;
    else if (OUT_METRICS.includes(name)) entry.out += number;
    else if (name === 'ferry_sink_task_partition_lag') entry.lag += number;
  }
  return counters;
}

async function pollMetrics() {
  let text;
  try {
    const response = await fetch('/metrics', { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) return;
    text = await response.text();
  } catch (e) {
    return;
  }
  const now = Date.now();
  const counters = parseMetrics(text);
  const previous = state.lastCounters;
  const seconds = (now - state.lastCountersAt) / 1000;
  const totals = { in: 0, out: 0, lag: 0 };
  for (const [name, entry] of Object.entries(counters)) {
    const before = previous && previous[name];
    const rates = { in: null, out: null, lag: entry.lag };
    if (before && seconds > 0) {
      rates.in = Math.max(0, entry.in - before.in) / seconds;
      rates.out = Math.max(0, entry.out - before.out) / seconds;
      const points = state.history[name] || (state.history[name] = []);
      points.push({ t: now, in: rates.in, out: rates.out });
      if (points.length > HISTORY_POINTS) points.shift();
      totals.in += rates.in;
      totals.out += rates.out;
    }
    totals.lag += entry.lag;
    state.rates[name] = rates;
  }
  state.totals = totals;
  state.lastCounters = counters;
  state.lastCountersAt = now;
}

function sparkline(points, key, width, height) {
  const box = svg('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}` });
  if (!points || points.length < 2) return box;
  const values = points.map((p) => p[key]);
  const top = Math.max(1, ...values);
  const step = width / (HISTORY_POINTS - 1);
  const start = width - step * (values.length - 1);
  const coordinates = values.map((v, i) =>
    `${(start + i * step).toFixed(1)},${(height - 1 - (v / top) * (height - 2)).toFixed(1)}`);
  box.append(svg('polyline', { points: coordinates.join(' ') }));
  return box;
}

function chart(points) {
  const width = 600, height = 140;
  const box = svg('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}` });
  if (!points || points.length < 2) return box;
  const top = Math.max(1, ...points.map((p) => Math.max(p.in, p.out)));
  const step = width / (HISTORY_POINTS - 1);
  const start = width - step * (points.length - 1);
  for (const key of ['in', 'out']) {
    const coordinates = points.map((p, i) =>
      `${(start + i * step).toFixed(1)},${(height - 4 - (p[key] / top) * (height - 8)).toFixed(1)}`);
    box.append(svg('polyline', { class: key, points: coordinates.join(' ') }));
  }
  return box;
}

/* ---- data ------------------------------------------------------------------------------- */

async function pollConnectors() {
  state.connectors = (await api('GET', '/connectors?expand=status&expand=info')) || {};
}

function taskCounts(status) {
  const counts = { RUNNING: 0, FAILED: 0, PAUSED: 0, other: 0 };
  for (const task of (status && status.tasks) || []) {
    if (task.state in counts) counts[task.state]++;
    else counts.other++;
  }
  return counts;
}

function connectorRows() {
  return Object.entries(state.connectors).map(([name, entry]) => {
    const status = entry.status || {};
    const info = entry.info || {};
    const config = info.config || {};
    const rates = state.rates[name] || {};
    return {
      name,
      type: status.type || info.type || '',
      klass: config['connector.class'] || '',
      state: (status.connector && status.connector.state) || 'UNKNOWN',
      counts: taskCounts(status),
      rateIn: rates.in,
      lag: (status.type || info.type) === 'sink' ? rates.lag : null,
    };
  });
}

/* ---- confirmation ----------------------------------------------------------------------- */

function confirmAction(text) {
  const modal = document.getElementById('modal');
  document.getElementById('modal-text').textContent = text;
  modal.hidden = false;
  return new Promise((resolve) => {
    const ok = document.getElementById('modal-ok');
    const cancel = document.getElementById('modal-cancel');
    const done = (answer) => {
      modal.hidden = true;
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      resolve(answer);
    };
    const yes = () => done(true);
    const no = () => done(false);
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
  });
}

async function act(label, method, path, body, confirmText) {
  if (confirmText && !(await confirmAction(confirmText))) return false;
  try {
    await api(method, path, body);
    showNotice(label + ': done', true);
    await refresh();
    return true;
  } catch (e) {
    showNotice(label + ' failed: ' + e.message);
    return false;
  }
}

/* ---- views ------------------------------------------------------------------------------ */

function workerIds() {
  const ids = new Set();
  for (const entry of Object.values(state.connectors)) {
    const status = entry.status || {};
    if (status.connector && status.connector.worker_id) ids.add(status.connector.worker_id);
    for (const task of status.tasks || []) if (task.worker_id) ids.add(task.worker_id);
  }
  if (ids.size === 0) ids.add(location.host);
  return [...ids].sort();
}

function viewOverview(root) {
  const byState = {};
  for (const row of connectorRows()) byState[row.state] = (byState[row.state] || 0) + 1;
  const workers = workerIds();
  root.append(
    el('h1', null, 'Overview'),
    el('div', { class: 'cards', id: 'overview-cards' },
      el('div', { class: 'card', id: 'card-workers' },
        el('div', { class: 'label' }, 'Workers'), el('div', { class: 'value' }, workers.length),
        el('ul', null, workers.map((w) => el('li', null, w)))),
      el('div', { class: 'card', id: 'card-connectors' },
        el('div', { class: 'label' }, 'Connectors'),
        el('div', { class: 'value' }, Object.keys(state.connectors).length),
        el('div', null, Object.entries(byState).sort().map(([s, n]) =>
          el('span', { class: 'kv' }, stateBadge(s), ' ', n, '  ')))),
      el('div', { class: 'card', id: 'card-in' }, el('div', { class: 'label' }, 'Records/s in'),
        el('div', { class: 'value' }, rate(state.totals.in))),
      el('div', { class: 'card', id: 'card-out' }, el('div', { class: 'label' }, 'Records/s out'),
        el('div', { class: 'value' }, rate(state.totals.out))),
      el('div', { class: 'card', id: 'card-lag' }, el('div', { class: 'label' }, 'Sink lag (records)'),
        el('div', { class: 'value' }, state.totals.lag))));
  const failed = connectorRows().filter((r) => r.state === 'FAILED' || r.counts.FAILED > 0);
  if (failed.length)
    root.append(el('h2', null, 'Needs attention'),
      el('ul', null, failed.map((r) => el('li', null,
        el('a', { href: '#/connector/' + enc(r.name) }, r.name), ' ', stateBadge(r.state),
        r.counts.FAILED ? ` ${r.counts.FAILED} failed task(s)` : ''))));
}

const COLUMNS = [
  ['name', 'Name'], ['type', 'Type'], ['klass', 'Class'], ['state', 'State'],
  ['tasks', 'Tasks (running / failed / paused)'], ['rateIn', 'Records/s'], ['lag', 'Lag'],
];

function sortValue(row, key) {
  if (key === 'tasks') return row.counts.FAILED * 1e6 + row.counts.RUNNING;
  const value = row[key];
  return value === null || value === undefined ? -1 : value;
}

function viewConnectors(root) {
  const filter = el('input', {
    type: 'text', id: 'filter', placeholder: 'filter by name, class or state', value: state.filter,
    oninput: (event) => { state.filter = event.target.value; drawTable(); },
  });
  const tableBox = el('div', { id: 'table-box' });
  root.append(el('h1', null, 'Connectors'), el('div', { class: 'toolbar' }, filter,
    isAdmin() ? el('a', { href: '#/new', class: 'admin-only' }, el('button', { class: 'primary', type: 'button' }, 'New connector')) : null),
  tableBox);
  drawTable(tableBox);
}

function drawTable(into) {
  const box = into || document.getElementById('table-box');
  if (!box) return;
  const needle = state.filter.toLowerCase();
  const rows = connectorRows().filter((r) => !needle ||
    [r.name, r.klass, r.state, r.type].some((v) => v.toLowerCase().includes(needle)));
  const { key, up } = state.sort;
  rows.sort((a, b) => {
    const x = sortValue(a, key), y = sortValue(b, key);
    const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return up ? order : -order;
  });
  const head = el('tr', null, COLUMNS.map(([k, label]) => el('th', {
    class: 'sortable', 'data-sort': k,
    onclick: () => { state.sort = { key: k, up: state.sort.key === k ? !state.sort.up : true }; drawTable(); },
  }, label, state.sort.key === k ? (state.sort.up ? ' ▲' : ' ▼') : '')));
  const body = rows.map((r) => el('tr', { 'data-connector': r.name },
    el('td', null, el('a', { href: '#/connector/' + enc(r.name) }, r.name)),
    el('td', null, r.type), el('td', { class: 'muted' }, r.klass),
    el('td', null, stateBadge(r.state)),
    el('td', null, `${r.counts.RUNNING} / ${r.counts.FAILED} / ${r.counts.PAUSED}`),
    el('td', null, sparkline(state.history[r.name], 'in', 120, 24), ' ', rate(r.rateIn)),
    el('td', { class: 'num' }, r.lag === null || r.lag === undefined ? '' : r.lag)));
  box.replaceChildren(rows.length || !Object.keys(state.connectors).length
    ? el('table', { id: 'connectors-table' }, el('thead', null, head), el('tbody', null, body))
    : el('p', { class: 'muted' }, 'No connector matches.'));
  if (!Object.keys(state.connectors).length)
    box.append(el('p', { class: 'muted' }, 'No connectors yet.'));
}

function keyValues(object) {
  return el('div', { class: 'kv progress' }, Object.entries(object).map(([k, v]) =>
    el('div', null, `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)));
}

/* Long work a task reports (progress.work: a snapshot's tables, a backfill's files) as bars
 * with percentage, rate and ETA; a sink's lag per partition with its trend (progress.lag); the
 * plugin's other gauges as key/values. <progress> elements: no inline style (CSP). */
function number(value, unit) {
  if (unit === 'bytes') return (value / 1e6).toFixed(1) + ' MB';
  return Math.round(value).toLocaleString('en-US') + (unit ? ' ' + unit : '');
}

function duration(seconds) {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor(seconds % 3600 / 60)).padStart(2, '0')}m`;
}

function progressFacts(entry) {
  const facts = [number(entry.done, entry.unit) + (entry.total !== undefined ? ' of ' + number(entry.total, entry.unit) : '')];
  if (entry.percent !== undefined) facts.push(`${entry.percent.toFixed(1)}%`);
  if (entry.rate !== undefined) facts.push(number(entry.rate, entry.unit) + '/s');
  if (entry.records_per_second !== undefined && entry.unit === 'bytes')
    facts.push(number(entry.records_per_second, 'lines') + '/s');
  if (entry.eta_seconds !== undefined) facts.push('ETA ' + duration(entry.eta_seconds));
  return facts.join(' · ');
}

function progressBar(entry, attrs) {
  return el('progress', Object.assign({ max: 100, value: entry.percent !== undefined ? entry.percent : null,
    title: entry.percent !== undefined ? `${entry.percent.toFixed(1)}%` : 'total unknown' }, attrs));
}

function workView(work) {
  const items = (work.items || []).map((item) => el('div', { class: 'work-item', 'data-item': item.name },
    el('span', { class: 'work-name' }, item.name, ' ', el('span', { class: 'muted' }, item.state)), ' ',
    progressBar(item, { class: 'work-bar' }), ' ', el('span', { class: 'kv' }, progressFacts(item))));
  return el('div', { class: 'work', 'data-phase': work.phase, 'data-state': work.state },
    el('div', null, el('strong', null, work.phase), ' ', el('span', { class: 'work-state' }, work.state),
      work.items_total > 1 ? el('span', { class: 'muted' }, ` · ${work.items_done} of ${work.items_total} done`) : null),
    el('div', null, progressBar(work, { class: 'work-bar work-total' }), ' ', el('span', { class: 'kv work-facts' }, progressFacts(work))),
    items.length > 1 || work.phase !== 'snapshot' ? items : null);
}

function lagView(lag) {
  const arrow = { falling: '↓', rising: '↑', flat: '→' };
  return el('table', { class: 'lag' }, el('thead', null, el('tr', null,
    el('th', null, 'Partition'), el('th', null, 'Lag'), el('th', null, 'Trend (last minute)'))),
  el('tbody', null, (lag.partitions || []).map((p) => el('tr', { 'data-partition': `${p.topic}-${p.partition}` },
    el('td', null, `${p.topic}-${p.partition}`), el('td', { class: 'num' }, number(p.lag)),
    el('td', { class: 'lag-trend' }, p.trend ? `${arrow[p.trend]} ${p.trend} (${p.change_per_second > 0 ? '+' : ''}${number(p.change_per_second)}/s)` : '…')))));
}

function progressView(progress) {
  const rest = Object.fromEntries(Object.entries(progress).filter(([k]) => k !== 'work' && k !== 'lag'));
  return el('div', null,
    progress.work ? workView(progress.work) : null,
    progress.lag ? lagView(progress.lag) : null,
    Object.keys(rest).length ? keyValues(rest) : null);
}

function connectorActions(name, connectorState) {
  if (!isAdmin()) return null;
  const path = '/connectors/' + enc(name);
  const button = (action, label, handler, danger) =>
    el('button', { type: 'button', 'data-action': action, class: danger ? 'danger' : null, onclick: handler }, label);
  return el('div', { class: 'toolbar admin-only', id: 'actions' },
    connectorState === 'PAUSED' || connectorState === 'STOPPED'
      ? button('resume', 'Resume', () => act('Resume', 'PUT', path + '/resume'))
      : button('pause', 'Pause', () => act('Pause', 'PUT', path + '/pause')),
    button('stop', 'Stop', () => act('Stop', 'PUT', path + '/stop', undefined,
      `Stop ${name}? Its tasks are shut down until it is resumed.`)),
    button('restart', 'Restart', () => act('Restart', 'POST', path + '/restart?includeTasks=true')),
    button('restart-failed', 'Restart failed tasks',
      () => act('Restart failed tasks', 'POST', path + '/restart?includeTasks=true&onlyFailed=true')),
    el('a', { href: '#/edit/' + enc(name) }, button('edit', 'Edit config', () => {})),
    button('delete', 'Delete', async () => {
      if (await act('Delete', 'DELETE', path, undefined,
        `Delete ${name}? Its config is removed; its committed offsets stay.`))
        location.hash = '#/connectors';
    }, true));
}

function viewConnector(root, name) {
  const entry = state.connectors[name];
  if (!entry) {
    root.append(el('h1', null, name), el('p', { class: 'muted', id: 'missing' }, 'No such connector (any more).'));
    return;
  }
  const status = entry.status || {};
  const info = entry.info || {};
  const connectorState = (status.connector && status.connector.state) || 'UNKNOWN';
  root.append(el('h1', null, name, ' ', el('span', { id: 'connector-state' }, stateBadge(connectorState))),
    el('div', { class: 'muted' }, `${status.type || info.type || ''} · ${(info.config || {})['connector.class'] || ''} · worker ${(status.connector && status.connector.worker_id) || '–'}`),
    connectorActions(name, connectorState) || '');
  if (status.connector && status.connector.trace)
    root.append(el('pre', { class: 'trace', id: 'connector-trace' }, status.connector.trace));

  root.append(el('h2', null, 'Tasks'), el('table', { id: 'tasks-table' },
    el('thead', null, el('tr', null, el('th', null, 'Task'), el('th', null, 'State'), el('th', null, 'Worker'),
      el('th', null, 'Details'), isAdmin() ? el('th', { class: 'admin-only' }, '') : null)),
    el('tbody', null, (status.tasks || []).map((task) => el('tr', { 'data-task': task.id },
      el('td', null, task.id), el('td', null, stateBadge(task.state)), el('td', null, task.worker_id || ''),
      el('td', null,
        /* Long work (snapshots, backfills) and sink lag, and the plugin's gauges. */
        task.progress && typeof task.progress === 'object' ? progressView(task.progress) : null,
        task.trace ? el('pre', { class: 'trace task-trace' }, task.trace) : null),
      isAdmin() ? el('td', { class: 'admin-only' }, el('button', {
        type: 'button', 'data-action': 'restart-task',
        onclick: () => act(`Restart task ${task.id}`, 'POST', `/connectors/${enc(name)}/tasks/${task.id}/restart`),
      }, 'Restart task')) : null)))));

  const points = state.history[name];
  const rates = state.rates[name] || {};
  root.append(el('h2', null, 'Metrics (last minutes)'),
    el('div', { class: 'kv' }, el('span', { class: 'legend-in' }, `■ in ${rate(rates.in)}/s`), '  ',
      el('span', { class: 'legend-out' }, `■ out ${rate(rates.out)}/s`),
      (status.type || info.type) === 'sink' ? `  · lag ${rates.lag || 0}` : ''),
    chart(points));

  const config = info.config || {};
  root.append(el('div', { class: 'grid2' },
    el('div', null, el('h2', null, 'Config'), el('table', { id: 'config-table' }, el('tbody', null,
      Object.keys(config).sort().map((k) => el('tr', null, el('td', null, k), el('td', null, config[k])))))),
    el('div', null,
      el('h2', null, 'Topics'), el('div', { id: 'topics' }, detailCache.topics || '…'),
      el('h2', null, 'Offsets'), el('div', { id: 'offsets' }, offsetsView(name, connectorState)))));
}

/* The parts of a connector's page fetched apart from the poll (offsets, topics), kept here so
 * that a redraw does not lose an open editor. */
const detailCache = { name: null, offsets: null, topics: null, editing: false, draft: '' };

async function loadDetailExtras(name) {
  if (detailCache.name !== name) Object.assign(detailCache, { name, offsets: null, topics: null, editing: false });
  try {
    const topics = await api('GET', `/connectors/${enc(name)}/topics`);
    const list = (topics && topics[name] && topics[name].topics) || [];
    detailCache.topics = list.length ? list.join(', ') : 'none yet';
  } catch (e) {
    detailCache.topics = e.message;
  }
  try {
    detailCache.offsets = await api('GET', `/connectors/${enc(name)}/offsets`);
  } catch (e) {
    detailCache.offsets = { error: e.message };
  }
}

function offsetsView(name, connectorState) {
  const offsets = detailCache.offsets;
  if (!offsets) return el('p', { class: 'muted' }, '…');
  if (offsets.error) return el('p', { class: 'error-text' }, offsets.error);
  const list = offsets.offsets || [];
  const box = el('div', null, el('table', { id: 'offsets-table' },
    el('thead', null, el('tr', null, el('th', null, 'Partition'), el('th', null, 'Offset'))),
    el('tbody', null, list.map((o) => el('tr', null, el('td', null, JSON.stringify(o.partition)),
      el('td', null, JSON.stringify(o.offset)))))));
  if (!isAdmin()) return box;
  const path = `/connectors/${enc(name)}/offsets`;
  const stopped = connectorState === 'STOPPED';
  if (!stopped) {
    box.append(el('p', { class: 'muted admin-only' }, 'Stop the connector to alter or reset its offsets.'));
    return box;
  }
  if (!detailCache.editing) detailCache.draft = JSON.stringify({ offsets: list }, null, 2);
  const editor = el('textarea', { id: 'offsets-editor', rows: 8,
    oninput: (event) => { detailCache.editing = true; detailCache.draft = event.target.value; } });
  editor.value = detailCache.draft;
  box.append(el('div', { class: 'admin-only' }, editor, el('div', { class: 'toolbar' },
    el('button', { type: 'button', 'data-action': 'alter-offsets', onclick: async () => {
      let body;
      try { body = JSON.parse(detailCache.draft); } catch (e) { showNotice('Offsets: ' + e.message); return; }
      if (await act('Alter offsets', 'PATCH', path, body,
        `Alter the offsets of ${name}? It resumes from the new positions.`)) {
        detailCache.editing = false;
        await loadDetailExtras(name);
        draw();
      }
    } }, 'Alter offsets'),
    el('button', { type: 'button', class: 'danger', 'data-action': 'reset-offsets', onclick: async () => {
      if (await act('Reset offsets', 'DELETE', path, undefined,
        `Reset the offsets of ${name}? It starts again from the beginning.`)) {
        detailCache.editing = false;
        await loadDetailExtras(name);
        draw();
      }
    } }, 'Reset offsets'))));
  return box;
}

/* ---- create and edit -------------------------------------------------------------------- */

/* A pasted config: JSON ({"name", "config"} or a flat map) or .properties. */
function parseConfig(text) {
  const trimmed = text.trim();
  if (!trimmed) return { config: {} };
  if (trimmed[0] === '{') {
    const parsed = JSON.parse(trimmed);
    if (parsed.config && typeof parsed.config === 'object') return { name: parsed.name, config: parsed.config };
    return { name: parsed.name, config: parsed };
  }
  const config = {};
  const lines = trimmed.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].trim();
    if (!line || line[0] === '#' || line[0] === '!') continue;
    const match = /^((?:[^=:\s\\]|\\.)+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) config[match[1]] = match[2];
    else config[line] = '';
  }
  return { name: config.name, config };
}

function stringValues(config) {
  const out = {};
  for (const [k, v] of Object.entries(config)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

const form = { text: '', name: '', result: null, timer: null, sequence: 0 };

async function validateForm() {
  const sequence = ++form.sequence;
  let parsed;
  try {
    parsed = parseConfig(form.text);
  } catch (e) {
    form.result = { parseError: e.message };
    drawValidation();
    return;
  }
  const config = stringValues(parsed.config);
  if (form.name) config.name = form.name;
  else if (parsed.name) config.name = parsed.name;
  const klass = config['connector.class'];
  if (!klass) {
    form.result = { parseError: 'connector.class is missing' };
    drawValidation();
    return;
  }
  try {
    const answer = await api('PUT', `/connector-plugins/${enc(klass)}/config/validate`, config);
    if (sequence !== form.sequence) return;
    form.result = { answer, config };
  } catch (e) {
    if (sequence !== form.sequence) return;
    form.result = { parseError: e.message };
  }
  drawValidation();
}

function drawValidation(into) {
  const box = into || document.getElementById('validation');
  if (!box) return;
  const result = form.result;
  if (!result) { box.replaceChildren(); return; }
  if (result.parseError) {
    box.replaceChildren(el('p', { class: 'error-text', id: 'validation-error' }, result.parseError));
    return;
  }
  const values = {};
  for (const item of result.answer.configs || []) if (item.value) values[item.value.name] = item.value;
  const keys = new Set(Object.keys(result.config));
  for (const [k, v] of Object.entries(values)) if (v.errors && v.errors.length) keys.add(k);
  const count = result.answer.error_count || 0;
  box.replaceChildren(
    el('p', { id: 'validation-summary', class: count ? 'error-text' : 'muted' },
      count ? `${count} error(s)` : 'Valid'),
    el('table', { id: 'validation-table' }, el('tbody', null, [...keys].sort().map((k) => {
      const errors = (values[k] && values[k].errors) || [];
      return el('tr', { 'data-key': k, class: errors.length ? 'invalid' : null },
        el('td', null, k), el('td', null, result.config[k] === undefined ? '' : result.config[k]),
        el('td', { class: 'error-text key-error' }, errors.join('; ')));
    }))));
}

function viewEditor(root, name) {
  const editing = name !== undefined;
  if (!isAdmin()) {
    root.append(el('p', { class: 'muted' }, 'Your role may only read.'));
    return;
  }
  if (form.for !== (name || '')) {
    form.for = name || '';
    form.result = null;
    form.name = name || '';
    form.text = '';
    if (editing && state.connectors[name]) {
      const config = Object.assign({}, (state.connectors[name].info || {}).config || {});
      delete config.name;
      form.text = JSON.stringify(config, null, 2);
    }
  }
  const nameInput = el('input', { type: 'text', id: 'connector-name', placeholder: 'name', value: form.name,
    disabled: editing, oninput: (event) => { form.name = event.target.value; scheduleValidation(); } });
  const text = el('textarea', { id: 'connector-config', rows: 16,
    placeholder: 'Paste JSON ({"name": ..., "config": {...}} or a flat map) or .properties',
    oninput: (event) => { form.text = event.target.value; scheduleValidation(); } });
  text.value = form.text;
  const validation = el('div', { id: 'validation' });
  root.append(el('h1', null, editing ? `Edit ${name}` : 'New connector'),
    el('div', { class: 'toolbar' }, el('label', null, 'Name ', nameInput)), text,
    el('div', { class: 'toolbar' }, el('button', { type: 'button', class: 'primary', id: 'submit-connector',
      onclick: () => submitForm(editing ? name : undefined) }, editing ? 'Save config' : 'Create')),
    validation);
  drawValidation(validation);
}

function scheduleValidation() {
  clearTimeout(form.timer);
  form.timer = setTimeout(validateForm, 300);
}

async function submitForm(existing) {
  let parsed;
  try { parsed = parseConfig(form.text); } catch (e) { showNotice('Config: ' + e.message); return; }
  const config = stringValues(parsed.config);
  const name = existing || form.name || parsed.name;
  if (!name) { showNotice('The connector needs a name'); return; }
  config.name = name;
  const ok = existing
    ? await act('Save config', 'PUT', `/connectors/${enc(name)}/config`, config,
      `Replace the config of ${name}? Its tasks restart with the new one.`)
    : await act('Create', 'POST', '/connectors', { name, config });
  if (ok) {
    form.for = null;
    location.hash = '#/connector/' + enc(name);
  }
}

/* ---- the page --------------------------------------------------------------------------- */

function route() {
  const hash = location.hash || '#/overview';
  const [, view, arg] = /^#\/([^/]*)\/?(.*)$/.exec(hash) || [null, 'overview', ''];
  return { view: view || 'overview', arg: arg ? decodeURIComponent(arg) : undefined };
}

function draw() {
  const { view, arg } = route();
  /* A view with a form is drawn once per visit: a redraw would lose the caret. */
  if ((view === 'new' || view === 'edit') && state.drawnFor === location.hash) return;
  state.drawnFor = location.hash;
  for (const link of document.querySelectorAll('header nav a'))
    link.classList.toggle('active', link.id === 'nav-' + (view === 'connector' ? 'connectors' : view));
  const root = el('div', { id: 'view-' + view });
  if (view === 'connectors') viewConnectors(root);
  else if (view === 'connector') viewConnector(root, arg);
  else if (view === 'new') viewEditor(root);
  else if (view === 'edit') viewEditor(root, arg);
  else viewOverview(root);
  /* Keep the filter's focus and caret across redraws of the list. */
  const focused = document.activeElement && document.activeElement.id;
  const caret = focused === 'filter' ? document.activeElement.selectionStart : null;
  document.getElementById('view').replaceChildren(root);
  if (focused === 'filter') {
    const input = document.getElementById('filter');
    input.focus();
    input.setSelectionRange(caret, caret);
  }
}

async function refresh() {
  try {
    await Promise.all([pollConnectors(), pollMetrics()]);
    const { view, arg } = route();
    if (view === 'connector' && arg) await loadDetailExtras(arg);
    document.body.dataset.updated = String(Date.now());
  } catch (e) {
    showNotice('Cannot reach the worker: ' + e.message);
  }
  draw();
}

async function start() {
  try {
    state.session = await api('GET', '/ui/api/session');
  } catch (e) {
    showNotice('Cannot open a session: ' + e.message);
    return;
  }
  document.body.classList.toggle('read-only', !isAdmin());
  document.body.dataset.role = state.session.role;
  document.getElementById('who').textContent = `role: ${state.session.role}`;
  if (state.session.embedded_kafka) {
    const banner = document.getElementById('banner');
    banner.textContent = 'This worker runs on the embedded in-memory Kafka: nothing it writes survives a restart.';
    banner.hidden = false;
  }
  window.addEventListener('hashchange', () => { showNotice(''); state.drawnFor = null; refresh(); });
  await refresh();
  state.timer = setInterval(refresh, POLL_MS);
}

document.addEventListener('DOMContentLoaded', start);
