// The web page of `permitted serve`. It only renders: the server judges, lays out the marks
// (permitted.views.highlights), lints, runs examples and diffs. Nothing is stored on the server:
// the share link carries the whole state in the URL fragment, which browsers never send.
"use strict";

const $ = (id) => document.getElementById(id);
const WAIT_MS = 150;            // at most one check per this many milliseconds while typing
const TOKEN_KEY = "permitted-token";

// ---- talking to the service ------------------------------------------------------------------

class Problem extends Error {
  constructor(body, status) {
    super(body.detail || `HTTP ${status}`);
    this.body = body;
    this.status = status;
  }
}

async function call(path, { method = "POST", body, type = "application/json", signal } = {}) {
  const headers = { "Accept": "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = type;
  const response = await fetch(path, { method, headers, body, signal });
  $("token-box").classList.toggle("needed", response.status === 401);
  const kind = response.headers.get("content-type") || "";
  const data = kind.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Problem(typeof data === "object" ? data : { detail: data }, response.status);
  return { data, headers: response.headers };
}

// Each kind of request keeps its own controller: a newer request cancels the older one, so an
// older answer never overwrites a newer one.
const pending = {};
function fresh(kind) {
  if (pending[kind]) pending[kind].abort();
  pending[kind] = new AbortController();
  return pending[kind].signal;
}

function problemText(error) {
  if (!(error instanceof Problem)) return String(error);
  const errors = error.body.errors || [];
  if (!errors.length) return error.message;
  return errors.map((d) => `${d.code} ${d.message}${d.help ? "\n  help: " + d.help : ""}`).join("\n");
}

// ---- small DOM helpers -----------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "href" || key === "dir") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function emptyNote(list, text) {
  list.replaceChildren(el("li", { class: "empty-note", text }));
}

// ---- the envelope and the message --------------------------------------------------------------

const FIELDS = {           // control id -> query parameter of POST /v1/check
  "channel": "channel", "direction": "direction", "reason": "reason", "subject": "subject",
  "order-status": "order_status", "purchased-at": "purchased_at", "completed-at": "completed_at",
  "delivered-at": "delivered_at", "sent-at": "sent_at", "buyer-language": "buyer_language",
  "review-requests": "review_requests_sent", "buyer-first": "buyer_contacted_first",
};
const TYPES = { text: "text/plain", html: "text/html", eml: "message/rfc822", json: "application/json" };

function query() {
  const q = new URLSearchParams();
  q.set("marketplace", $("marketplace").value);
  if ($("version").value) q.set("policy", $("version").value);
  else if ($("as-of").value) q.set("as_of", $("as-of").value);
  for (const [id, name] of Object.entries(FIELDS)) {
    const value = $(id).value.trim();
    if (value !== "") q.set(name, value);
  }
  return q;
}

// The message as an envelope object, for the routes that take JSON (a draft check).
function envelope() {
  const q = query();
  const out = { marketplace: q.get("marketplace") };
  const order = {}, history = {};
  const put = { order_status: [order, "status"], purchased_at: [order, "purchased_at"],
                completed_at: [order, "completed_at"], delivered_at: [order, "delivered_at"],
                buyer_language: [order, "buyer_language"], review_requests_sent: [history, "review_requests_sent"],
                buyer_contacted_first: [history, "buyer_contacted_first"] };
  for (const [name, value] of q) {
    if (name === "policy" || name === "as_of" || name === "marketplace") continue;
    if (put[name]) {
      const [group, key] = put[name];
      group[key] = name === "review_requests_sent" ? Number(value) : name === "buyer_contacted_first" ? value === "true" : value;
    } else out[name] = value;
  }
  if (Object.keys(order).length) out.order = order;
  if (Object.keys(history).length) out.history = history;
  const format = $("format").value, text = $("message").value;
  if (format === "json") return { ...out, ...JSON.parse(text) };
  if (format === "html") out.html = text; else out.body = text;
  return out;
}

// ---- rendering a report ----------------------------------------------------------------------

function renderLayout(nodes, byNumber, idPrefix) {
  const out = document.createDocumentFragment();
  for (const node of nodes) {
    if (typeof node === "string") { out.append(node); continue; }
    const h = byNumber.get(node.mark);
    const mark = el("mark", { class: `hit ${h.severity}${h.what ? " empty" : ""}`, "data-rule": h.rules.join(" "),
                              "data-n": String(h.number), title: h.rules.join(", ") });
    if (node.first) {
      mark.id = `${idPrefix}${h.number}`;
      mark.tabIndex = -1;
      mark.append(el("span", { class: "n", text: `[${h.number}]` }));
    }
    if (h.what) mark.append(`\u2039${h.what}\u203a`);
    mark.append(renderLayout(node.children, byNumber, idPrefix));
    out.append(mark);
  }
  return out;
}

function renderReport(report, targets) {
  const { verdict, marked, violations, undetermined, notChecked, prefix } = targets;
  verdict.textContent = report.verdict;
  verdict.className = `verdict ${report.verdict}`;
  const display = report.display;
  const byNumber = new Map(display.highlights.map((h) => [h.number, h]));
  marked.replaceChildren(renderLayout(display.layout, byNumber, prefix));
  violations.replaceChildren();
  report.violations.forEach((v, i) => {
    const where = display.violations[i];
    const links = where.marks.map((n) => el("a", { href: `#${prefix}${n}`, text: `[${n}]`,
                                                   "aria-label": `mark ${n} in the message` }));
    violations.append(el("li", { "data-rule": v.rule },
      el("span", { class: "rule", text: v.rule }), el("span", { class: `sev ${v.severity}`, text: v.severity }),
      el("div", { class: "title", text: v.title }),
      el("div", { class: "clause", text: v.clause }),
      v.hint ? el("div", { class: "hint", text: v.hint }) : null,
      links.length ? el("div", { class: "where" }, "Where: ", ...links) : null,
      where.values.length ? el("div", { class: "values", dir: "auto", text: where.values.join("; ") }) : null));
  });
  if (!report.violations.length) emptyNote(violations, "none");
  if (undetermined) {
    undetermined.replaceChildren(...report.undetermined.map((u) =>
      el("li", {}, el("span", { class: "rule", text: u.rule }), ` needs ${u.needs.join(", ")}`)));
    if (!report.undetermined.length) emptyNote(undetermined, "none: every rule could be judged");
  }
  if (notChecked) {
    // Absent from a report when empty: most messages have nothing to say here.
    const notes = report.not_checked || [];
    notChecked.replaceChildren(...notes.map((n) =>
      el("li", { "data-rule": n.rule }, el("span", { class: "rule", text: n.rule }), ` ${n.says}`)));
    notChecked.parentElement.hidden = !notes.length;
  }
}

// A link to a mark moves the focus to it, so keyboard users land there too.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#m-'], a[href^='#d-']");
  if (!link) return;
  event.preventDefault();
  const mark = document.getElementById(link.getAttribute("href").slice(1));
  if (!mark) return;
  document.querySelectorAll("mark.current").forEach((m) => m.classList.remove("current"));
  mark.classList.add("current");
  mark.scrollIntoView({ block: "center" });
  mark.focus();
});

// ---- checking as the user types ----------------------------------------------------------------

let typedAt = 0;       // performance.now() of the last edit: the marks record how long they took
let lastSent = -Infinity;
let timer = null;
let sequence = 0;

function schedule() {
  typedAt = performance.now();
  clearTimeout(timer);
  // Leading edge: a keystroke after a pause is checked at once; while typing, at most one
  // check per WAIT_MS, the last edit always included.
  const wait = Math.max(0, lastSent + WAIT_MS - typedAt);
  timer = setTimeout(check, wait);
}

async function check() {
  lastSent = performance.now();
  const started = typedAt;
  const seq = ++sequence;
  const signal = fresh("check");
  const text = $("message").value;
  const marked = $("marked");
  if (!text.trim()) {
    $("verdict").textContent = "—";
    $("verdict").className = "verdict none";
    $("policy-line").textContent = "";
    marked.replaceChildren();
    $("violations").replaceChildren();
    $("undetermined").replaceChildren();
    $("not-checked").replaceChildren();
    $("not-checked-box").hidden = true;
    $("problem").hidden = true;
    marked.dataset.updated = String(seq);
    return;
  }
  try {
    const q = query();
    q.set("display", "true");
    const { data } = await call("/v1/check?" + q, { body: text, type: TYPES[$("format").value], signal });
    $("problem").hidden = true;
    renderReport(data, { verdict: $("verdict"), marked, violations: $("violations"),
                         undetermined: $("undetermined"), notChecked: $("not-checked"), prefix: "m-" });
    $("policy-line").textContent = `${data.policy.id} · ${data.policy.file}`;
    marked.dataset.updated = String(seq);
    marked.dataset.latencyMs = (performance.now() - started).toFixed(1);
  } catch (error) {
    if (error.name === "AbortError") return;
    $("problem").textContent = problemText(error);
    $("problem").hidden = false;
    $("verdict").textContent = "error";
    $("verdict").className = "verdict error";
    marked.dataset.updated = String(seq);
  }
  if ($("facts-panel").open) loadFacts();
}

async function loadFacts() {
  const text = $("message").value;
  if (!text.trim()) { $("facts").textContent = ""; return; }
  try {
    const { data } = await call("/v1/facts?" + query(), { body: text, type: TYPES[$("format").value], signal: fresh("facts") });
    $("facts").textContent = JSON.stringify(data, null, 2);
  } catch (error) {
    if (error.name !== "AbortError") $("facts").textContent = problemText(error);
  }
}

// ---- files -------------------------------------------------------------------------------------

const BY_SUFFIX = { eml: "eml", txt: "text", html: "html", htm: "html", json: "json" };

async function openFile(file) {
  const suffix = file.name.split(".").pop().toLowerCase();
  $("format").value = BY_SUFFIX[suffix] || "text";
  $("message").value = await file.text();
  schedule();
}

function wireDrop(area) {
  area.addEventListener("dragover", (event) => { event.preventDefault(); area.classList.add("dragging"); });
  area.addEventListener("dragleave", () => area.classList.remove("dragging"));
  area.addEventListener("drop", (event) => {
    event.preventDefault();
    area.classList.remove("dragging");
    const file = event.dataTransfer.files[0];
    if (file) openFile(file);
  });
}

// ---- policies: the choices and the editor ------------------------------------------------------

let policies = [];

async function loadPolicies() {
  const { data } = await call("/v1/policies", { method: "GET" });
  policies = data.policies;
  const markets = [...new Set(policies.map((p) => p.marketplace))];
  const chosen = $("marketplace").value || "UK";
  $("marketplace").replaceChildren(...markets.map((m) => el("option", { value: m, text: m })));
  $("marketplace").value = markets.includes(chosen) ? chosen : markets[0];
  $("policy-pick").replaceChildren(...policies.map((p) => el("option", { value: p.id, text: `${p.id}${p.in_force ? " (in force)" : ""}` })));
  fillVersions();
}

function fillVersions(keep) {
  const market = $("marketplace").value;
  const options = policies.filter((p) => p.marketplace === market)
    .map((p) => el("option", { value: p.id, text: `${p.effective}${p.in_force ? " (in force today)" : ""}` }));
  $("version").replaceChildren(el("option", { value: "", text: "in force on the date →" }), ...options);
  $("version").value = keep && policies.some((p) => p.id === keep && p.marketplace === market) ? keep : "";
}

function syncGutter(bad = new Set()) {
  const lines = $("policy-text").value.split("\n").length;
  const gutter = $("gutter");
  const out = document.createDocumentFragment();
  for (let n = 1; n <= lines; n++) {
    out.append(bad.has(n) ? el("span", { class: "bad", "data-line": String(n), text: String(n) }) : String(n), "\n");
  }
  gutter.replaceChildren(out);
  gutter.scrollTop = $("policy-text").scrollTop;
}

async function openPolicy() {
  const id = $("policy-pick").value;
  const { data, headers } = await call(`/v1/policies/${encodeURIComponent(id)}/text`, { method: "GET" });
  $("policy-text").value = data;
  $("policy-file").value = headers.get("x-policy-file") || "draft.yaml";
  syncGutter();
  lint();
}

function draft() {
  return { policy: $("policy-text").value, file: $("policy-file").value || "draft.yaml" };
}

let lintTimer = null;
async function lint() {
  const text = $("policy-text").value;
  const status = $("lint-status");
  if (!text.trim()) { $("diagnostics").replaceChildren(); status.textContent = ""; syncGutter(); return; }
  try {
    const file = encodeURIComponent($("policy-file").value || "draft.yaml");
    const { data } = await call(`/v1/lint?file=${file}`, { body: text, type: "application/yaml", signal: fresh("lint") });
    showDiagnostics(data.diagnostics, text);
    status.textContent = data.ok ? `compiles: ${data.policy}, ${data.rules} rules` : `${data.diagnostics.length} error(s)`;
    status.className = `lint-status ${data.ok ? "ok" : "bad"}`;
  } catch (error) {
    if (error.name === "AbortError") return;
    status.textContent = problemText(error);
    status.className = "lint-status bad";
  }
}

function showDiagnostics(diagnostics, text) {
  const lines = text.split("\n");
  const list = $("diagnostics");
  list.replaceChildren();
  const bad = new Set();
  for (const d of diagnostics) {
    const at = d.line ? `line ${d.line}${d.column ? ", column " + d.column : ""}` : "";
    let excerpt = null;
    if (d.line && lines[d.line - 1] !== undefined) {
      bad.add(d.line);
      const width = d.end_line === d.line && d.end_column ? Math.max(1, d.end_column - d.column) : 1;
      const caret = " ".repeat(Math.max(0, (d.column || 1) - 1)) + "^".repeat(width);
      excerpt = el("pre", { text: `${String(d.line).padStart(4)} | ${lines[d.line - 1]}\n     | ${caret}` });
    }
    const go = d.line ? el("button", { type: "button", class: "goto", text: "go to line",
                                        onclick: () => goToLine(d.line, d.column) }) : null;
    list.append(el("li", { class: d.severity, "data-line": d.line ? String(d.line) : "" },
      el("strong", { text: `${d.severity}[${d.code}]` }), ` ${at}: ${d.message} `, go, excerpt,
      d.help ? el("div", { class: "help", text: "help: " + d.help }) : null));
  }
  if (!diagnostics.length) emptyNote(list, "none");
  syncGutter(bad);
}

function goToLine(line, column = 1) {
  const area = $("policy-text");
  const lines = area.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
  area.focus();
  area.setSelectionRange(offset + column - 1, offset + column - 1);
}

async function runExamples() {
  const body = $("examples").tBodies[0];
  try {
    const { data } = await call("/v1/policy/test", { body: JSON.stringify(draft()), signal: fresh("examples") });
    $("examples-summary").textContent = `${data.passed} passed, ${data.failed} failed`;
    body.replaceChildren(...data.examples.map((r) => el("tr", { "data-example": r.name },
      el("td", {}, el("span", { class: "rule", text: r.name }),
         ...r.problems.map((p) => el("div", { class: "values", text: p }))),
      el("td", { class: r.passed ? "pass" : "fail", text: r.passed ? "pass" : "FAIL" }))));
  } catch (error) {
    if (error.name === "AbortError") return;
    $("examples-summary").textContent = problemText(error);
    body.replaceChildren();
  }
}

async function checkDraft() {
  try {
    const body = JSON.stringify({ ...draft(), message: envelope() });
    const { data } = await call("/v1/policy/check", { body, signal: fresh("draft-check") });
    renderReport(data, { verdict: $("draft-verdict"), marked: $("draft-marked"), violations: $("draft-violations"),
                         prefix: "d-" });
  } catch (error) {
    if (error.name === "AbortError") return;
    $("draft-verdict").textContent = "error";
    $("draft-verdict").className = "verdict error";
    $("draft-marked").textContent = problemText(error);
    $("draft-violations").replaceChildren();
  }
}

async function diffDraft() {
  const out = $("diff");
  out.textContent = "comparing…";
  try {
    const picked = $("policy-pick").value;
    const { data } = await call("/v1/policy/diff", { body: JSON.stringify({ ...draft(), against: picked || null }),
                                                     signal: fresh("diff") });
    out.replaceChildren(el("p", { text: `${data.old.id} → ${data.new.id}: ${data.equivalent ? "no verdict can differ" : "verdicts can differ"}` }));
    const items = [];
    for (const v of data.vocab || []) items.push(el("li", { text: `vocab ${v.name}: ${v.status}` }));
    for (const r of data.rules) {
      const li = el("li", { "data-rule": r.id }, el("span", { class: "rule", text: r.id }), ` ${r.status}`,
        r.fields.length ? ` (${r.fields.join(", ")})` : "");
      for (const w of (r.meaning && r.meaning.witnesses) || []) {
        li.append(el("div", { class: "witness", text: `${w.kind}: old ${w.old_verdict}, new ${w.new_verdict}\n${JSON.stringify(w.facts, null, 1)}` }));
      }
      items.push(li);
    }
    out.append(items.length ? el("ul", {}, ...items) : el("p", { text: "no changes" }),
               el("details", {}, el("summary", { text: "As `permitted diff` prints it" }),
                  el("pre", { class: "diff-text", dir: "ltr", text: data.text })));
  } catch (error) {
    if (error.name !== "AbortError") out.textContent = problemText(error);
  }
}

// ---- tabs --------------------------------------------------------------------------------------

function showView(name) {
  for (const [tab, view] of [["tab-check", "view-check"], ["tab-policy", "view-policy"]]) {
    const on = view === `view-${name}`;
    $(tab).setAttribute("aria-selected", String(on));
    $(tab).tabIndex = on ? 0 : -1;
    $(view).hidden = !on;
  }
}

// ---- the share link: the state in the fragment, never on the server ------------------------------

const CONTROLS = ["format", "message", "marketplace", "version", "as-of", ...Object.keys(FIELDS), "policy-text", "policy-file"];

function state() {
  const out = { v: 1, view: $("view-policy").hidden ? "check" : "policy" };
  for (const id of CONTROLS) out[id] = $(id).value;
  return out;
}

const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function through(stream, bytes) {
  const piped = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

async function encodeState(value) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  if (typeof CompressionStream === "function") return "z" + chunked(await through(new CompressionStream("deflate-raw"), bytes));
  return "u" + chunked(bytes);
}

function chunked(bytes) {    // btoa over a spread of a large array would overflow the call stack
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function decodeState(text) {
  const bytes = unb64url(text.slice(1));
  const raw = text[0] === "z" ? await through(new DecompressionStream("deflate-raw"), bytes) : bytes;
  return JSON.parse(new TextDecoder().decode(raw));
}

async function share() {
  const url = new URL(location.href);
  url.hash = "s=" + await encodeState(state());
  const box = $("share-url");
  box.value = url.href;
  box.hidden = false;
  box.focus();
  box.select();
  try { await navigator.clipboard.writeText(url.href); } catch { /* the link is selected for copying by hand */ }
}

async function restore() {
  const match = /^#s=([zu][A-Za-z0-9_-]*)$/.exec(location.hash);
  if (!match) return false;
  const saved = await decodeState(match[1]);
  $("marketplace").value = saved.marketplace;
  fillVersions(saved.version);
  for (const id of CONTROLS) if (id !== "marketplace" && saved[id] !== undefined) $(id).value = saved[id];
  showView(saved.view || "check");
  syncGutter();
  if (saved["policy-text"]) lint();
  return true;
}

// ---- start -------------------------------------------------------------------------------------

async function start() {
  const token = $("token");
  token.value = sessionStorage.getItem(TOKEN_KEY) || "";
  token.addEventListener("change", () => {
    sessionStorage.setItem(TOKEN_KEY, token.value.trim());
    loadPolicies().then(schedule, showStartProblem);
  });
  $("message").addEventListener("input", schedule);
  $("format").addEventListener("change", schedule);
  $("marketplace").addEventListener("change", () => { fillVersions(); schedule(); });
  for (const id of ["version", "as-of", ...Object.keys(FIELDS)]) $(id).addEventListener("input", schedule);
  $("file").addEventListener("change", (event) => { if (event.target.files[0]) openFile(event.target.files[0]); });
  wireDrop($("message"));
  $("facts-panel").addEventListener("toggle", () => { if ($("facts-panel").open) loadFacts(); });
  $("share").addEventListener("click", share);
  $("tab-check").addEventListener("click", () => showView("check"));
  $("tab-policy").addEventListener("click", () => showView("policy"));
  document.querySelector(".tabs").addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      const next = $("tab-check").getAttribute("aria-selected") === "true" ? "policy" : "check";
      showView(next);
      $(`tab-${next}`).focus();
    }
  });
  const editor = $("policy-text");
  editor.addEventListener("input", () => { syncGutter(); clearTimeout(lintTimer); lintTimer = setTimeout(lint, WAIT_MS); });
  editor.addEventListener("scroll", () => { $("gutter").scrollTop = editor.scrollTop; });
  $("policy-open").addEventListener("click", () => openPolicy().catch((e) => { $("lint-status").textContent = problemText(e); }));
  $("run-examples").addEventListener("click", runExamples);
  $("draft-check").addEventListener("click", checkDraft);
  $("draft-diff").addEventListener("click", diffDraft);
  window.addEventListener("hashchange", () => restore().then((done) => done && schedule()));
  try {
    await loadPolicies();
  } catch (error) {
    showStartProblem(error);
    return;
  }
  try {
    await restore();
  } catch (error) {        // a link cut short or edited by hand: say so, and start empty
    showStartProblem(`this share link cannot be read (${error.message || error}); the page starts empty`);
    return;
  }
  syncGutter();
  document.body.dataset.ready = "true";
  if ($("message").value.trim()) schedule();
}

function showStartProblem(error) {
  $("problem").textContent = problemText(error);
  $("problem").hidden = false;
  document.body.dataset.ready = "true";
}

start();
