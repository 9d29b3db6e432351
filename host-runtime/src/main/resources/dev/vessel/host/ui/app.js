// The Vessel dashboard: polls this node's GET /v1/admin/dashboard once a second and redraws what changed.
// Everything it shows comes from that one answer; the only other requests are the rollback and promote buttons'
// POST /v1/admin/deployments/{service}, which the node accepts with the admin token only.
'use strict';

const POLL_MILLIS = 1000;
const TOKEN_KEY = 'vessel.token';
const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  role: null,
  view: null,
  drawn: {},        // section id -> the JSON it was last drawn from
  timer: null,
  renders: 0,
  firstRenderMillis: null,
  pendingAction: null,
};
// read by the browser test and the render benchmark
window.vesselDashboard = state;

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

function percent(fraction) {
  return (Math.round(fraction * 1000) / 10) + '%';
}

function bytes(n) {
  if (n < 0) return '?';
  const mib = n / (1024 * 1024);
  return mib >= 1024 ? (mib / 1024).toFixed(1) + ' GiB' : mib.toFixed(0) + ' MiB';
}

function time(millis) {
  return new Date(millis).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// --- token -------------------------------------------------------------------------------------------------

function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    // the token is not left in the address bar, the history or a bookmark
    history.replaceState(null, '', location.pathname + location.search);
  }
}

function signIn(message) {
  clearTimeout(state.timer);
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('role').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('token').focus();
}

function start(token) {
  state.token = token;
  state.drawn = {};
  $('sign-in').hidden = true;
  $('sign-out').hidden = false;
  poll();
}

// --- polling -----------------------------------------------------------------------------------------------

async function poll() {
  clearTimeout(state.timer);
  try {
    const response = await fetch('/v1/admin/dashboard', {
      headers: { Authorization: 'Bearer ' + state.token },
      cache: 'no-store',
    });
    if (response.status === 401 || response.status === 403) {
      const body = await response.json().catch(() => ({}));
      signIn(body.message || 'the node refused this token');
      return;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      problem('the node answered HTTP ' + response.status + (body.message ? ': ' + body.message : '')
        + '; trying again');
    } else {
      const answer = await response.json();
      problem(answer.registry === 'disconnected'
        ? 'This node has lost its ZooKeeper session: the page shows the cluster as of ' + time(answer.view.time)
          + ', and nothing can be changed until the session is back'
        : null);
      sessionStorage.setItem(TOKEN_KEY, state.token);
      draw(answer.role, answer.view);
    }
  } catch (e) {
    problem('cannot reach the node (' + e.message + '); trying again');
  }
  state.timer = setTimeout(poll, POLL_MILLIS);
}

function problem(text) {
  $('problem').hidden = !text;
  $('problem').textContent = text || '';
}

function notice(text, isError) {
  const el = $('notice');
  el.hidden = !text;
  el.textContent = text || '';
  el.className = isError ? 'error' : 'notice';
}

// --- drawing -----------------------------------------------------------------------------------------------

function draw(role, view) {
  state.role = role;
  state.view = view;
  $('board').hidden = false;
  $('role').hidden = false;
  $('role').textContent = role;
  $('role').className = 'badge ' + role;
  $('where').textContent = 'node ' + view.node + ' · ZooKeeper ' + view.zk;
  $('updated').textContent = 'updated ' + time(view.time);
  section('services', [role, view.services, view.nodes.map((n) => [n.id, n.containers]), view.load], () =>
    drawServices(view));
  section('rollouts', [view.services, view.nodes.map((n) => [n.id, n.fetches, n.behind]), view.rollouts],
    () => drawRuleRollouts(view) + drawRollouts(view));
  section('nodes', [view.nodes, view.load], () => drawNodes(view));
  section('quorum', [view.quorum, view.quorumError], () => drawQuorum(view));
  section('history', [role, view.services.map((s) => s.deployment)], () => drawHistory(view));
  state.renders++;
  if (state.firstRenderMillis === null) {
    state.firstRenderMillis = performance.now();
    document.body.dataset.rendered = 'true';
  }
}

/** Redraws a section only when what it shows changed, so a steady page costs next to nothing per poll. */
function section(id, inputs, render) {
  const key = JSON.stringify(inputs);
  if (state.drawn[id] === key) return;
  state.drawn[id] = key;
  $(id).innerHTML = render();
}

function adminButton(label, attributes) {
  const allowed = state.role === 'admin';
  return '<button type="button" ' + attributes + (allowed ? '' : ' disabled title="needs the admin token"')
    + '>' + esc(label) + '</button>';
}

function drawServices(view) {
  if (view.services.length === 0) return '<p class="small">No service is deployed.</p>';
  const containers = {};  // service -> version -> node -> container
  for (const node of view.nodes) {
    for (const c of node.containers) {
      ((containers[c.service] ??= {})[c.version] ??= {})[node.id] = c;
    }
  }
  const rates = {};  // node -> "service version" -> calls/s
  const cpu = {};  // node -> "service version" -> CPU seconds and limit, as the node measured them just now
  for (const [node, reading] of Object.entries(view.load)) {
    for (const c of reading.load?.containers ?? []) {
      (rates[node] ??= {})[c.service + ' ' + c.version] = c.callRate;
      (cpu[node] ??= {})[c.service + ' ' + c.version] = c;
    }
  }
  let html = '';
  for (const s of view.services) {
    const revision = s.deployment ? 'revision ' + s.deployment.revision : 'no desired state';
    const progress = s.deployment === null ? ''
      : s.settled ? '<span class="settled">settled</span>'
        : '<span class="rolling">rolling out: ' + s.pending.length + ' pending</span>';
    html += '<div class="service" data-service="' + esc(s.service) + '"><h3>' + esc(s.service) + ' <span class="small">'
      + esc(revision) + '</span> ' + progress + '</h3><div class="scroll"><table class="matrix"><thead><tr>'
      + '<th>version</th><th>weight</th><th>traffic</th><th>errors</th><th>p99</th>';
    for (const node of view.nodes) html += '<th>' + esc(node.id) + '</th>';
    html += '<th></th></tr></thead><tbody>';
    for (const v of s.versions) {
      html += '<tr data-version="' + esc(v.version) + '"><td>' + esc(v.version)
        + (v.signer ? ' <span class="small signer">signed by ' + esc(v.signer) + '</span>' : '') + '</td><td>'
        + (v.weight ? v.weight + '%' + (v.nodes && v.nodes !== '*' ? ' <span class="small">on ' + esc(v.nodes)
          + '</span>' : '') : '<span class="small">not desired</span>') + '</td><td class="traffic">'
        + (v.share === null ? '<span class="small">no calls</span>'
          : '<meter min="0" max="1" value="' + v.share + '"></meter> ' + percent(v.share)
            + ' <span class="small">' + v.callRate + '/s</span>') + '</td>'
        + '<td class="errors">' + (v.errorRate === null ? '<span class="small">-</span>'
          : '<span class="' + (v.errorRate > 0 ? 'error' : '') + '">' + percent(v.errorRate) + '</span>') + '</td>'
        + '<td class="p99">' + (v.p99Ms === null ? '<span class="small">-</span>' : millis(v.p99Ms)) + '</td>';
      for (const node of view.nodes) {
        const c = containers[s.service]?.[v.version]?.[node.id];
        if (!c) {
          html += '<td class="state none">·</td>';
          continue;
        }
        const rate = rates[node.id]?.[s.service + ' ' + v.version];
        const used = cpu[node.id]?.[s.service + ' ' + v.version];
        html += '<td class="state ' + esc(c.state) + '" title="' + esc(c.error || '') + '">' + esc(c.state)
          + (c.registered ? '' : ' <span class="small">unregistered</span>')
          + (rate ? ' <span class="small">' + rate + '/s</span>' : '')
          + (used && used.cpuLimit > 0 ? ' <span class="small cpu" title="CPU seconds used, the cores it may use,'
            + ' heap allocated">' + used.cpuSeconds.toFixed(1) + ' cpu-s ≤ ' + used.cpuLimit + ', '
            + bytes(used.allocatedBytes) + ' alloc</span>' : '') + '</td>';
      }
      html += '<td>' + (v.weight > 0 && v.weight < 100
        ? adminButton('Promote', 'class="promote" data-service="' + esc(s.service) + '" data-version="'
          + esc(v.version) + '"') : '') + '</td></tr>';
    }
    html += '</tbody></table></div></div>';
  }
  return html;
}

function drawRollouts(view) {
  let html = '';
  for (const s of view.services) {
    if (s.deployment === null || s.settled) continue;
    html += '<div class="rollout" data-service="' + esc(s.service) + '"><h3>' + esc(s.service) + ' → revision '
      + s.deployment.revision + ' <span class="small">' + esc(lastChange(s.deployment)) + '</span></h3><ul>';
    for (const p of s.pending) html += '<li>' + esc(p) + '</li>';
    for (const f of s.failures) html += '<li class="error">' + esc(f) + '</li>';
    for (const u of s.unwanted) html += '<li>' + esc(u) + ' is still registered</li>';
    html += '</ul></div>';
  }
  for (const node of view.nodes) {
    for (const f of node.fetches) {
      html += '<p>' + esc(node.id) + ' fetching ' + esc(f.sha256.slice(0, 12)) + ' <progress max="' + f.chunks
        + '" value="' + f.have + '"></progress> ' + f.have + '/' + f.chunks + ' chunks</p>';
    }
    for (const b of node.behind) {
      html += '<p class="error">' + esc(node.id) + ' is behind on ' + esc(b.service) + ' (revision ' + b.revision
        + ', ' + b.attempts + ' failed attempts): ' + esc(b.lastError) + '</p>';
    }
  }
  return html || '<p class="settled">Every service runs as its desired state asks.</p>';
}

function millis(ms) {
  return ms >= 100 ? ms.toFixed(0) + ' ms' : ms >= 10 ? ms.toFixed(1) + ' ms' : ms.toFixed(2) + ' ms';
}

// --- rollouts under a rule: the rule, the step, every evaluation, and two charts ---------------------------

function drawRuleRollouts(view) {
  let html = '';
  // the one running first, then each service's last one
  const rollouts = [...(view.rollouts ?? [])].sort((a, b) => (isEnded(a) - isEnded(b)) || (b.startedAt - a.startedAt));
  for (const r of rollouts) {
    const phase = r.phase + (isEnded(r) ? '' : ' at step ' + (r.step + 1));
    html += '<div class="rule-rollout" data-service="' + esc(r.service) + '" data-phase="' + esc(r.phase) + '">'
      + '<h3>' + esc(r.service) + ' ' + esc(r.version) + ' <span class="small">against ' + esc(r.baseline)
      + ' under ' + esc(r.ruleSource) + '</span> <span class="phase ' + esc(r.phase) + '">' + esc(phase)
      + '</span></h3>';
    if (r.outcome) html += '<p class="outcome">' + esc(r.outcome) + '</p>';
    const gates = gateLines(r);
    html += '<div class="charts">'
      + chart('error rate', r, (e) => e.canaryErrorRate, (e) => e.baselineErrorRate, gates.errorRate, percent)
      + chart('p99', r, (e) => e.canaryP99Ms, (e) => e.baselineP99Ms, gates.p99, millis)
      + '</div>';
    html += evaluationTable(r);
    html += '<details><summary>rule</summary><pre>' + esc(r.rule) + '</pre></details></div>';
  }
  return html;
}

function isEnded(r) {
  return r.phase === 'PROMOTED' || r.phase === 'ROLLED_BACK' || r.phase === 'ABORTED' ? 1 : 0;
}

/** The thresholds each chart marks: absolute bounds as lines, bounds relative to the baseline as a series. */
function gateLines(r) {
  const lines = { errorRate: [], p99: [] };
  const last = r.evaluations[r.evaluations.length - 1];
  for (const g of last?.gates ?? []) {
    if (g.metric === 'error-rate') lines.errorRate.push(g);
    if (g.metric === 'latency-p99') lines.p99.push(g);
  }
  return lines;
}

const W = 460;
const H = 150;
const PAD = { left: 56, right: 10, top: 10, bottom: 22 };

/**
 * One metric of the canary and the baseline over the rollout's evaluations, as an SVG the page draws itself:
 * the gate's threshold (a line for max, the baseline times the ratio for maxVsBaseline) and each step marked.
 */
function chart(title, r, canaryOf, baselineOf, gates, format) {
  const points = r.evaluations;
  const t0 = r.startedAt;
  const t1 = Math.max(r.endedAt || 0, points.length ? points[points.length - 1].at : t0, t0 + 1000);
  const values = [];
  for (const e of points) {
    for (const v of [canaryOf(e), baselineOf(e)]) if (v !== null && v !== undefined) values.push(v);
  }
  for (const g of gates) {
    if (g.bound === 'max') values.push(g.threshold);
  }
  const top = Math.max(...values, 0) * 1.15 || 1;
  const x = (t) => PAD.left + (t - t0) / (t1 - t0) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - v / top * (H - PAD.top - PAD.bottom);
  const series = (of, css) => {
    const xy = points.filter((e) => of(e) !== null && of(e) !== undefined)
      .map((e) => x(e.at).toFixed(1) + ',' + y(of(e)).toFixed(1));
    return xy.length ? '<polyline class="' + css + '" points="' + xy.join(' ') + '" data-points="' + xy.length
      + '"></polyline>' : '';
  };
  let svg = '<svg class="chart" data-chart="' + esc(title) + '" viewBox="0 0 ' + W + ' ' + H + '" width="' + W
    + '" height="' + H + '" role="img" aria-label="' + esc(title + ' of ' + r.service + ' ' + r.version) + '">';
  svg += '<line class="axis" x1="' + PAD.left + '" y1="' + (H - PAD.bottom) + '" x2="' + (W - PAD.right) + '" y2="'
    + (H - PAD.bottom) + '"></line>';
  svg += '<text class="tick" x="' + (PAD.left - 4) + '" y="' + (PAD.top + 8) + '" text-anchor="end">'
    + esc(format(top)) + '</text><text class="tick" x="' + (PAD.left - 4) + '" y="' + (H - PAD.bottom)
    + '" text-anchor="end">0</text>';
  for (const ev of r.events) {
    if (!/^step |^promoted|^rolled back|^aborted/.test(ev.what)) continue;
    const at = x(Math.min(Math.max(ev.at, t0), t1)).toFixed(1);
    svg += '<line class="step" x1="' + at + '" y1="' + PAD.top + '" x2="' + at + '" y2="' + (H - PAD.bottom)
      + '"><title>' + esc(ev.what) + '</title></line>';
  }
  for (const g of gates) {
    if (g.bound === 'max') {
      const at = y(g.threshold).toFixed(1);
      svg += '<line class="threshold" x1="' + PAD.left + '" y1="' + at + '" x2="' + (W - PAD.right) + '" y2="' + at
        + '"><title>gate: at most ' + esc(format(g.threshold)) + '</title></line>';
    } else {
      svg += series((e) => baselineOf(e) === null || baselineOf(e) === undefined ? null
        : Math.min(top, Math.max(baselineOf(e) * g.threshold, baselineOf(e) + (g.slack || 0))), 'threshold');
    }
  }
  svg += series(baselineOf, 'baseline') + series(canaryOf, 'canary') + '</svg>';
  return '<figure><figcaption>' + esc(title) + ' <span class="legend canary">canary ' + esc(r.version)
    + '</span> <span class="legend baseline">baseline ' + esc(r.baseline) + '</span> <span class="legend threshold">'
    + 'gate</span></figcaption>' + svg + '</figure>';
}

function evaluationTable(r) {
  if (r.evaluations.length === 0) return '<p class="small">No evaluation yet.</p>';
  let html = '<div class="scroll"><table class="evaluations"><thead><tr><th>time</th><th>step</th><th>verdict</th>'
    + '<th>canary calls</th><th>baseline calls</th><th>gates</th></tr></thead><tbody>';
  // the latest first, and a page's worth
  for (const e of r.evaluations.slice(-12).reverse()) {
    html += '<tr class="' + esc(e.verdict) + '"><td>' + esc(time(e.at)) + '</td><td>' + (e.step + 1) + '</td><td>'
      + esc(e.verdict) + '</td><td>' + e.canaryCalls + '</td><td>' + e.baselineCalls + '</td><td>'
      + e.gates.map((g) => esc(gateText(g))).join('<br>') + (e.note ? '<br><span class="small">' + esc(e.note)
        + '</span>' : '') + '</td></tr>';
  }
  return html + '</tbody></table></div>';
}

function gateText(g) {
  const latency = g.metric.startsWith('latency');
  const f = (v) => v === null || v === undefined ? '-' : latency ? millis(v) : v.toFixed(3);
  return g.metric + ' ' + f(g.canary) + (g.bound === 'max' ? ' ≤ ' + f(g.threshold)
    : ' vs ' + f(g.baseline) + (g.value === null ? '' : ' = ' + g.value.toFixed(2) + 'x') + ' ≤ ' + g.threshold + 'x'
      + (g.slack ? ' or +' + f(g.slack) : ''))
    + (g.passed ? ' ✓' : ' ✗');
}

function lastChange(deployment) {
  const last = deployment.history[deployment.history.length - 1];
  return last ? last.action + ' by ' + last.by : '';
}

function drawNodes(view) {
  let html = '<div class="scroll"><table id="node-table"><thead><tr><th>node</th><th>zone</th><th>address</th>'
    + '<th>containers</th><th>in flight</th><th>calls/s</th><th>CPU</th><th>load avg</th><th>heap</th>'
    + '<th>fetching</th></tr></thead><tbody>';
  for (const node of view.nodes) {
    const reading = view.load[node.id] ?? { error: 'not asked' };
    const load = reading.load;
    const states = {};
    for (const c of node.containers) states[c.state] = (states[c.state] ?? 0) + 1;
    const fetching = node.fetches.map((f) => '<progress max="' + f.chunks + '" value="' + f.have + '"></progress>')
      .join(' ');
    html += '<tr data-node="' + esc(node.id) + '"><td>' + esc(node.id) + '</td><td>' + esc(node.zone) + '</td><td>'
      + esc(node.url) + '</td><td>' + Object.entries(states).map(([k, n]) => n + ' <span class="state ' + esc(k)
        + '">' + esc(k) + '</span>').join(', ') + '</td>';
    if (load) {
      html += '<td>' + load.inFlight + '</td><td>' + load.callRate + '</td><td>'
        + (load.processCpu < 0 ? '?' : percent(load.processCpu))
        + (node.cpu ? ' <span class="small" title="' + esc(node.cpu.reason) + '">' + esc(node.cpu.mechanism)
          + '</span>' : '') + '</td><td>'
        + (load.systemLoad < 0 ? '?' : load.systemLoad) + '</td><td>' + bytes(load.heapUsed) + ' of '
        + bytes(load.heapMax) + '</td>';
    } else {
      html += '<td colspan="5" class="error">' + esc(reading.error) + '</td>';
    }
    html += '<td>' + (fetching || '<span class="small">none</span>') + '</td></tr>';
  }
  return html + '</tbody></table></div>';
}

function drawQuorum(view) {
  const q = view.quorum;
  if (!q) return '<p class="error">' + esc(view.quorumError || 'not read yet') + '</p>';
  const run = q.members.some((m) => m.node);
  let html = '<p>configuration version ' + esc(q.configVersion)
    + (run ? '' : ' · <span class="small">no member is registered by a Vessel node: the nodes do not run this'
      + ' ZooKeeper</span>') + '</p>';
  if (q.members.length) {
    html += '<table id="quorum-table"><thead><tr><th>id</th><th>address</th><th>role</th><th>mode</th><th>zxid</th>'
      + '<th>lag</th><th>latency</th><th>node</th><th>zone</th></tr></thead><tbody>';
    for (const m of q.members) {
      html += '<tr><td>' + m.id + '</td><td>' + esc(m.address) + '</td><td>' + esc(m.role) + '</td><td class="state '
        + (m.mode === 'leader' || m.mode === 'follower' || m.mode === 'observer' ? 'ACTIVE' : 'FAILED') + '">'
        + esc(m.mode) + '</td><td>' + esc(m.zxid) + '</td><td>' + esc(m.lag) + '</td><td>' + esc(m.latency)
        + '</td><td>' + esc(m.node) + '</td><td>' + esc(m.zone) + '</td></tr>';
    }
    html += '</tbody></table>';
  }
  if (q.manager) {
    html += '<p class="small">quorum manager ' + esc(q.manager.manager) + ': ' + esc(q.manager.state) + '</p>';
  }
  return html;
}

function drawHistory(view) {
  let html = '';
  for (const s of view.services) {
    if (!s.deployment) continue;
    const d = s.deployment;
    html += '<details class="history" data-service="' + esc(s.service) + '"' + (view.services.length <= 5 ? ' open' : '')
      + '><summary>' + esc(s.service) + ' <span class="small">' + d.history.length + ' revisions</span></summary>'
      + '<table><thead><tr><th>revision</th><th>when</th><th>by</th><th>change</th><th>versions</th><th></th></tr>'
      + '</thead><tbody>';
    for (const r of [...d.history].reverse()) {
      const versions = r.versions.map((v) => v.version + ' ' + v.weight + '%' + (v.nodes !== '*' ? ' on ' + v.nodes : ''))
        .join(', ') || 'none';
      html += '<tr data-revision="' + r.revision + '"><td>' + r.revision + (r.revision === d.revision ? ' (current)' : '')
        + '</td><td>' + esc(time(r.at)) + '</td><td>' + esc(r.by) + '</td><td>' + esc(r.action) + '</td><td>'
        + esc(versions) + '</td><td>' + (r.revision === d.revision ? ''
          : adminButton('Roll back to ' + r.revision, 'class="rollback" data-service="' + esc(s.service)
            + '" data-revision="' + r.revision + '"')) + '</td></tr>';
    }
    html += '</tbody></table></details>';
  }
  return html || '<p class="small">No deployment yet.</p>';
}

// --- actions -----------------------------------------------------------------------------------------------

function service(name) {
  return state.view.services.find((s) => s.service === name);
}

function ask(text, action) {
  state.pendingAction = action;
  $('confirm-text').textContent = text;
  $('confirm').showModal();
}

async function change(serviceName, body) {
  const current = service(serviceName)?.deployment;
  body.by = 'dashboard';
  if (current) body.expectedRevision = current.revision;
  try {
    const response = await fetch('/v1/admin/deployments/' + encodeURIComponent(serviceName), {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + state.token, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      notice(serviceName + ': revision ' + answer.deployment.revision + ' written (' + body.action + ')', false);
    } else {
      notice(serviceName + ': ' + (answer.message || 'HTTP ' + response.status), true);
    }
  } catch (e) {
    notice(serviceName + ': ' + e.message, true);
  }
  poll();
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (!button || button.disabled) return;
  if (button.classList.contains('rollback')) {
    const s = button.dataset.service;
    const revision = Number(button.dataset.revision);
    const r = service(s)?.deployment?.history.find((h) => h.revision === revision);
    const versions = r ? r.versions.map((v) => v.version + ' ' + v.weight + '%').join(', ') : '?';
    ask('Roll ' + s + ' back to revision ' + revision + ' (' + versions + ')?',
      () => change(s, { action: 'rollback', toRevision: revision }));
  } else if (button.classList.contains('promote')) {
    const s = button.dataset.service;
    const v = button.dataset.version;
    ask('Promote ' + s + ' ' + v + ' to 100% of its callers?', () => change(s, { action: 'promote', version: v }));
  }
});

document.addEventListener('DOMContentLoaded', () => {
  $('confirm-ok').addEventListener('click', () => {
    const action = state.pendingAction;
    state.pendingAction = null;
    $('confirm').close();
    if (action) action();
  });
  $('confirm-cancel').addEventListener('click', () => {
    state.pendingAction = null;
    $('confirm').close();
  });
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (token) start(token);
  });
  $('sign-out').addEventListener('click', () => signIn(''));
  takeTokenFromAddress();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) start(token); else signIn('');
});
