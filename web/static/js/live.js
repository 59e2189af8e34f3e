// Live room pages: one WebSocket per page, commands sent over it, regions refreshed in place.
//
// The server renders every page whole (one renderer, translated there). After each event
// this script fetches the same page again and swaps the regions ([data-region]) whose HTML
// changed, keeping focus and anything typed but not yet sent. Forms with data-command
// are sent as socket commands while the socket is up, and posted as plain forms otherwise,
// so everything also works without JavaScript. See docs/web.md.

const main = document.querySelector("main[data-live]");
if (main) start(main);

function start(main) {
  const roomId = main.dataset.room;
  // --- meetings (issue 11): a meeting page (data-meeting) listens to the meeting's socket,
  // which speaks the rooms' protocol; everything else here is the same. ---
  const socketPath = main.dataset.meeting ? `meetings/${main.dataset.meeting}` : `rooms/${roomId}`;
  const text = JSON.parse(document.getElementById("live-text").textContent);
  const status = document.getElementById("connection");
  const announcer = document.getElementById("announcer");
  const urgent = document.getElementById("urgent");
  const refusal = document.getElementById("refusal");

  let lastSeq = Number(main.dataset.seq) || 0;
  let socket = null;
  let welcomed = false;
  let attempt = 0;
  let retryTimer = null;
  let refreshing = false;
  let dirty = false;
  let offset = serverOffset(main.dataset.now);
  const pending = new Map();
  const spoken = new Set();
  const served = new Map(); // region -> the HTML the server last sent for it

  for (const region of document.querySelectorAll("[data-region]")) {
    served.set(region.dataset.region, region.outerHTML);
  }

  function serverOffset(iso) {
    const at = parseMoment(iso);
    return Number.isNaN(at) ? 0 : at - Date.now();
  }

  function setStatus(key) {
    status.dataset.state = key;
    status.textContent = text[key] || key;
  }

  function say(message, loud = false) {
    const target = loud ? urgent : announcer;
    target.textContent = "";
    window.setTimeout(() => { target.textContent = message; }, 50);
  }

  // --- the socket -----------------------------------------------------------------------

  function connect() {
    window.clearTimeout(retryTimer);
    setStatus(attempt === 0 ? "connecting" : "reconnecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/${socketPath}`);
    socket = ws;
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "hello", last_seq: lastSeq }));
    });
    ws.addEventListener("message", (message) => {
      if (ws === socket) onFrame(JSON.parse(message.data));
    });
    ws.addEventListener("close", (event) => {
      if (ws !== socket) return;
      welcomed = false;
      socket = null;
      if (event.code === 4401 || event.code === 4404) {
        setStatus("offline");
        return;
      }
      retry();
    });
  }

  function retry() {
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s … up to 8 s, each between half and all of it.
    const ceiling = Math.min(8000, 500 * 2 ** attempt);
    attempt += 1;
    setStatus(navigator.onLine === false ? "offline" : "reconnecting");
    retryTimer = window.setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  // A socket can die without a close event (a laptop lid, a proxy): ping every 25 s and
  // reconnect when nothing at all came back within 10 s.
  let heard = Date.now();
  window.setInterval(() => {
    if (!socket || !welcomed || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - heard > 35000) { socket.close(); return; }
    socket.send(JSON.stringify({ type: "ping" }));
  }, 25000);

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (socket && welcomed) refresh();
    else if (!socket) { attempt = Math.max(attempt, 1); connect(); }
  });

  function onFrame(frame) {
    heard = Date.now();
    switch (frame.type) {
      case "welcome":
        welcomed = true;
        setStatus(attempt > 0 ? "caught_up" : "live");
        attempt = 0;
        for (const { message } of pending.values()) socket.send(JSON.stringify(message));
        refresh();
        break;
      case "event":
        if (frame.seq <= lastSeq) return;
        lastSeq = frame.seq;
        if (frame.at) offset = serverOffset(frame.at);
        soon();
        break;
      case "ack":
        settle(frame.id, null);
        break;
      case "error":
        settle(frame.id, frame);
        break;
      default:
        break;
    }
  }

  window.addEventListener("online", () => {
    if (!socket) { attempt = Math.max(attempt, 1); connect(); }
  });
  window.addEventListener("offline", () => setStatus("offline"));

  // --- commands -------------------------------------------------------------------------

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-command]");
    if (!form || !socket || !welcomed || socket.readyState !== WebSocket.OPEN) return;
    event.preventDefault();
    const { args, actingFor } = formArgs(form);
    const message = {
      type: "command",
      id: newId(),
      name: form.dataset.command,
      args,
      acting_for: actingFor,
    };
    pending.set(message.id, { message, form });
    form.setAttribute("aria-busy", "true");
    socket.send(JSON.stringify(message));
  });

  function settle(id, error) {
    const entry = id ? pending.get(id) : null;
    if (entry) {
      pending.delete(id);
      entry.form.removeAttribute("aria-busy");
      if (!error) entry.form.reset();
    }
    if (error) {
      showRefusal(error.code, error.message);
    } else {
      refusal.replaceChildren();
    }
  }

  function showRefusal(code, message) {
    const p = document.createElement("p");
    p.className = "refusal";
    const strong = document.createElement("strong");
    strong.textContent = `${text.refusals[code] || text.refused}.`;
    p.append(strong, ` ${message || ""}`);
    refusal.replaceChildren(p);
  }

  // --- refreshing regions ---------------------------------------------------------------

  // One command often makes two or three events back to back: fetch once for all of them.
  let soonTimer = null;
  function soon() {
    if (soonTimer !== null) return;
    soonTimer = window.setTimeout(() => { soonTimer = null; refresh(); }, 15);
  }

  async function refresh() {
    if (refreshing) { dirty = true; return; }
    refreshing = true;
    try {
      do {
        dirty = false;
        const response = await fetch(location.pathname, {
          headers: { Accept: "text/html", "X-Evenfloor-Live": "1" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (!response.ok) break;
        const doc = new DOMParser().parseFromString(await response.text(), "text/html");
        apply(doc);
      } while (dirty);
    } catch (error) {
      dirty = false;
    } finally {
      refreshing = false;
    }
  }

  function apply(doc) {
    const fresh = doc.querySelector("main[data-live]");
    if (fresh && fresh.dataset.now) offset = Math.max(offset, serverOffset(fresh.dataset.now));
    const said = [];
    for (const next of doc.querySelectorAll("[data-region]")) {
      const name = next.dataset.region;
      const html = next.outerHTML;
      if (served.get(name) === html) continue;
      const current = document.querySelector(`[data-region="${name}"]`);
      if (!current) continue;
      served.set(name, html);
      const before = current.dataset.announce || "";
      swap(current, document.importNode(next, true));
      const after = next.dataset.announce || "";
      if (after && after !== before) said.push(after);
    }
    if (said.length) say(said.join(" "));
    tick();
  }

  function isDirty(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return Array.from(el.options).some((o) => o.selected !== o.defaultSelected);
    return el.value !== el.defaultValue;
  }

  function swap(current, next) {
    const active = document.activeElement;
    const hadFocus = active && current.contains(active) ? active : null;
    const kept = [];
    for (const el of current.querySelectorAll("input[id], textarea[id], select[id]")) {
      if (el.type !== "hidden" && isDirty(el)) kept.push([el.id, el.type, el.checked, el.value]);
    }
    current.replaceWith(next);
    for (const [id, type, checked, value] of kept) {
      const el = document.getElementById(id);
      if (!el) continue;
      if (type === "checkbox" || type === "radio") el.checked = checked;
      else el.value = value;
    }
    if (hadFocus) {
      let target = hadFocus.id ? document.getElementById(hadFocus.id) : null;
      const key = hadFocus.dataset.focusKey;
      if (!target && key) target = next.querySelector(`[data-focus-key="${key}"]`);
      if (!target) {
        target = next.querySelector("h2, h3");
        if (target) target.setAttribute("tabindex", "-1");
      }
      if (target) target.focus({ preventScroll: true });
    }
  }

  // --- the speaker's timer --------------------------------------------------------------

  function tick() {
    const now = Date.now() + offset;
    for (const el of document.querySelectorAll("[data-timer]")) {
      const ends = parseMoment(el.dataset.endsAt);
      if (Number.isNaN(ends)) continue;
      const left = Math.ceil((ends - now) / 1000);
      const shown = Math.max(0, left);
      el.textContent = `${Math.floor(shown / 60)}:${String(shown % 60).padStart(2, "0")}`;
      el.classList.toggle("last-minute", left <= 60);
      el.classList.toggle("time-up", left <= 0);
      const key = el.dataset.endsAt;
      if (left <= 60 && left > 0 && !spoken.has(`${key}:minute`)) {
        spoken.add(`${key}:minute`);
        if (left > 50) say(text.last_minute, true);
      }
      if (left <= 0 && !spoken.has(`${key}:up`)) {
        spoken.add(`${key}:up`);
        say(text.time_up, true);
      }
    }
  }

  window.setInterval(tick, 250);
  tick();

  // For tests and the curious: the connection, and a way to drop it as a network would.
  window.evenfloorLive = {
    get seq() { return lastSeq; },
    get connected() { return welcomed; },
    drop() { if (socket) socket.close(); },
  };

  connect();
}

// ISO 8601 with any number of fraction digits (Python writes six) to milliseconds.
function parseMoment(iso) {
  if (!iso) return NaN;
  return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
}

// The same conventions as server/web/forms.py: empty fields are left out, name[] makes a
// list, points.<id> makes allocations, budget.<org> (minutes) makes the rules'
// organisation_budgets, datetime-local values are UTC, *_seconds/_minutes -> _ms,
// *_percent -> an exact share ("40" -> "40/100", 0 left out), dotted names nest.
const LISTS = { "points.": "allocations", "budget.": "rules.organisation_budgets" };

function share(value) {
  const match = /^(\d*)(?:\.(\d+))?$/.exec(value);
  if (!match || !(match[1] || match[2])) return value; // the server names the field
  const places = match[2] || "";
  return `${BigInt((match[1] || "") + places)}/${100n * 10n ** BigInt(places.length)}`;
}

function nest(args, name, value) {
  const path = name.split(".");
  const last = path.pop();
  let target = args;
  for (const part of path) target = target[part] = target[part] || {};
  target[last] = value;
}

function formArgs(form) {
  const args = {};
  const rows = {};
  let actingFor = null;
  for (const [name, raw] of new FormData(form)) {
    const value = typeof raw === "string" ? raw.trim() : raw;
    if (name === "acting_for") { actingFor = value || null; continue; }
    if (name === "_csrf_token" || name === "next") continue;
    const prefix = name.slice(0, name.indexOf(".") + 1);
    if (prefix in LISTS) {
      rows[prefix] = rows[prefix] || [];
      const key = name.slice(prefix.length);
      if (value === "") continue;
      rows[prefix].push(prefix === "points."
        ? { perspective: key, points: Number(value) }
        : { organisation: key, ms: Math.round(Number(value) * 60000) });
      continue;
    }
    if (name.endsWith("[]")) {
      const key = name.slice(0, -2);
      args[key] = args[key] || [];
      if (value !== "") args[key].push(value);
      continue;
    }
    if (value === "") continue;
    let key = name;
    let out = value;
    if ((name === "deadline" || name === "closes_at") && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) {
      out = value.length === 16 ? `${value}:00Z` : `${value}Z`;
    }
    for (const [unit, factor] of [["_minutes", 60000], ["_seconds", 1000]]) {
      if (name.endsWith(unit)) {
        key = name.slice(0, -unit.length) + "_ms";
        out = Math.round(Number(value) * factor);
      }
    }
    if (key.endsWith("_percent")) {
      key = key.slice(0, -"_percent".length);
      out = share(value);
      if (/^[0.]*\/\d+$/.test(out)) continue; // 0 %: no cap
    }
    nest(args, key, out);
  }
  for (const [prefix, found] of Object.entries(rows)) nest(args, LISTS[prefix], found);
  return { args, actingFor };
}
