// posbackup's backup dialog: tabs, forms and progress, talking JSON to
// the server. Every state-changing request carries the page's CSRF token.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("dict").textContent || "{}");
  const LANG = document.documentElement.lang || "en";
  let CSRF = document.querySelector('meta[name="csrf-token"]').content;
  // The session's key comes once, with the answer to the login, and is
  // kept in this origin's storage (scheme, host and port: no other web
  // service of this computer can read it); every API call sends it.
  let given = document.querySelector('meta[name="session-key"]').content;
  if (given) {
    try { localStorage.setItem("posbackup-key", given); } catch (e) { /* storage off: this page only */ }
    history.replaceState(null, "", "/" + location.hash); // a reload is a plain GET, not the login again
  }
  // Read anew on every call: a login in another tab replaces cookie and key.
  function key() {
    try { return localStorage.getItem("posbackup-key") || given; } catch (e) { return given; }
  }
  function relogin() { // the key is lost (or another tab logged in anew): log in again
    try { localStorage.removeItem("posbackup-key"); } catch (e) { /* nothing to remove */ }
    const f = document.querySelector("form[action='/logout']");
    if (f) f.submit();
  }
  const logoutForm = document.querySelector("form[action='/logout']");
  if (logoutForm) logoutForm.addEventListener("submit", () => { try { localStorage.removeItem("posbackup-key"); } catch (e) { /* none */ } });
  const $ = (s, el) => (el || document).querySelector(s);
  const $$ = (s, el) => Array.from((el || document).querySelectorAll(s));

  // t is the page's text key with its parameters: {0} {1} ... or, for
  // the catalogue's fmt-style texts, %s and %d in order.
  function t(key, ...args) {
    let s = D[key] || key;
    args.forEach((a, i) => {
      const ph = "{" + i + "}";
      if (s.includes(ph)) s = s.split(ph).join(String(a));
      else s = s.replace(/%[sdv]/, String(a));
    });
    return s;
  }

  async function api(method, path, body) {
    const opt = { method, headers: { "X-CSRF-Token": CSRF, "X-Posbackup-Key": key() || "" }, credentials: "same-origin" };
    if (body !== undefined) {
      opt.headers["Content-Type"] = "application/json";
      opt.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, opt);
    } catch (e) {
      return { ok: false, error: t("js.noserver") };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { data = { ok: false, error: t("js.badanswer") }; }
    if (res.status === 401 && data.relogin) { relogin(); return { ok: false, error: data.error }; }
    if (res.status === 401) { showMsg($("#global-msg"), false, data.error || t("js.loggedout")); }
    if (!res.ok && data.ok === undefined) data.ok = false;
    return data;
  }

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    kids.flat().forEach((k) => e.append(k instanceof Node ? k : document.createTextNode(String(k))));
    return e;
  }

  function showMsg(p, ok, text) {
    if (!p) return;
    p.hidden = !text;
    p.textContent = text || "";
    p.className = "msg " + (ok === true ? "good" : ok === false ? "bad" : "info");
  }

  function bytes(n) {
    if (!n) return "0 B";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? Math.round(n) : n.toFixed(1)) + " " + u[i];
  }
  // duration is a time left in words that do not jump: whole seconds
  // under a minute, then minutes.
  function duration(sec) {
    sec = Math.round(sec);
    if (sec < 60) return sec + " s";
    const m = Math.round(sec / 60);
    if (m < 60) return m + " min";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }
  function when(s) {
    if (!s || s.startsWith("0001-")) return "–";
    return new Date(s).toLocaleString(LANG === "de" ? "de-DE" : "en-GB", { weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  // ---------- tabs ----------
  // Locations is there only at a chain's head office (the server leaves it out elsewhere).
  const tabs = ["start", "backup", "automatic", "restore", "settings", "history", "fleet"].filter((n) => $("#tab-" + n));
  const loaders = {};
  function showTab(name) {
    if (!tabs.includes(name)) name = "backup";
    tabs.forEach((n) => {
      $("#panel-" + n).hidden = n !== name;
      $("#tab-" + n).setAttribute("aria-selected", n === name ? "true" : "false");
    });
    const slot = $("#dest-slot-" + name);
    if (slot && !slot.contains($("#dest-form"))) {
      slot.append($("#dest-form"));
      $("#access-steps").textContent = "";
      showMsg($("#dest-msg"), null, "");
    }
    // The backup's progress shows where the backup is started.
    const ts = $("#task-slot-" + name);
    if (ts && !ts.contains($("#backup-task"))) ts.append($("#backup-task"));
    if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
    const ls = $("#lang-switch");
    ls.href = ls.getAttribute("href").split("#")[0] + "#" + name; // switching the language keeps the tab
    if (loaders[name]) loaders[name]();
    showUnsaved();
  }
  $$(".tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));

  // ---------- the folder picker ----------
  let pickFor = null, pickPath = "", pickParent = "";
  async function pickerOpen(path) {
    const d = await api("GET", "/api/folders?" + new URLSearchParams({ path }));
    if (d.ok === false) { showMsg($("#picker-msg"), false, d.error); return; }
    showMsg($("#picker-msg"), null, "");
    pickPath = d.path; pickParent = d.parent;
    $("#picker-path").textContent = d.path || t("browse.computer");
    $("#picker-up").disabled = !d.path;
    $("#picker-choose").disabled = !d.path;
    const ul = $("#picker-list");
    ul.textContent = "";
    (d.folders || []).forEach((f) => {
      const b = el("button", { type: "button", "data-path": f.path }, "📁 " + f.name);
      b.addEventListener("click", () => pickerOpen(f.path));
      ul.append(el("li", {}, b));
    });
    if (!(d.folders || []).length) ul.append(el("li", { class: "hint" }, t("browse.none")));
    $("#picker").hidden = false;
  }
  $$("button.browse").forEach((b) => b.addEventListener("click", () => {
    pickFor = $(b.dataset.for);
    pickerOpen(pickFor.value.trim());
  }));
  $("#picker-up").addEventListener("click", () => pickerOpen(pickParent));
  $("#picker-close").addEventListener("click", () => { $("#picker").hidden = true; });
  $("#picker-choose").addEventListener("click", () => {
    $("#picker").hidden = true;
    if (pickFor && pickPath) {
      pickFor.value = pickPath;
      pickFor.dispatchEvent(new Event("input", { bubbles: true }));
      pickFor.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // ---------- first start ----------
  let G = null; // where the guide stands
  async function loadGuide() {
    if (!S) await loadSettings();
    const g = await api("GET", "/api/guide");
    if (g.ok === false) return;
    G = g;
    const state = (id, done) => { const e = $(id); e.textContent = t(done ? "start.done" : "start.todo"); e.classList.toggle("done", done); };
    state("#start-s1-state", g.source_ok);
    state("#start-s2-state", g.dest_ok);
    state("#start-s3-state", g.backed_up);
    state("#start-s4-state", g.installed);
    if (!$("#start-source").value) $("#start-source").value = g.source || "";
    $("#start-s2").classList.toggle("locked", !g.source_ok);
    $("#start-s3").classList.toggle("locked", !(g.source_ok && g.dest_ok));
    $("#start-s4").classList.toggle("locked", !g.backed_up);
    $("#start-finished").hidden = !g.complete;
    if (S && !$("#start-variant").options.length) fillVariants($("#start-variant"), S.backup.variant || 3);
  }
  $("#start-s1").addEventListener("submit", async (e) => {
    e.preventDefault();
    const d = await api("POST", "/api/settings", { section: "install", install: { source: $("#start-source").value, role: (S && S.install.role) || "location", lang: (S && S.install.lang) || LANG } });
    if (d.ok) { S = d.settings; fillSettings(); showMsg($("#start-source-msg"), true, t("start.sourceok", S.install.source)); }
    else showMsg($("#start-source-msg"), false, d.error);
    loadGuide();
  });
  $("#start-s3").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!G || !G.source_ok) { showMsg($("#start-backup-msg"), false, t("start.needsource")); return; }
    if (!G.dest_ok) { showMsg($("#start-backup-msg"), false, t("start.needdest")); return; }
    showMsg($("#start-backup-msg"), null, "");
    const d = await api("POST", "/api/backup", { variant: parseInt($("#start-variant").value, 10), clients: (S && S.backup.clients) || "", name: (S && S.backup.name) || "" });
    if (!d.ok) { showMsg($("#start-backup-msg"), false, d.error); return; }
    renderTask(d.task);
    poll();
  });
  $("#start-s4").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!G || !G.backed_up) { showMsg($("#start-install-msg"), false, t("start.needbackup")); return; }
    showMsg($("#start-install-msg"), null, t("js.saving"));
    const d = await api("POST", "/api/automatic/install", {
      variant: parseInt($("#start-variant").value, 10), name: (S && S.backup.name) || "", time: $("#start-time").value,
      weekdays: [], install: G.available && !G.installed,
    });
    if (!d.ok) { showMsg($("#start-install-msg"), false, d.error); return; }
    showMsg($("#start-install-msg"), true, d.automatic.installed ? t("js.a.done") : t("js.saved"));
    loadGuide();
  });
  $$(".goto-settings").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); showTab("settings"); }));

  // ---------- settings ----------
  let S = null; // the last settings from the server
  const unsaved = new Set(); // the Settings sections edited and not saved yet
  const snap = {}; // each section's fields as last filled from the server
  const sections = [["dest", "#dest-form"], ["install", "#install-form"], ["archive", "#archive-form"], ["mail", "#mail-form"], ["keep", "#keep-form"]];
  async function loadSettings() {
    const d = await api("GET", "/api/settings");
    if (d.ok === false) { showMsg($("#global-msg"), false, d.error); return; }
    S = d;
    fillSettings();
  }
  function fillVariants(sel, chosen) {
    sel.textContent = "";
    (S.variants || []).forEach((v) => sel.append(el("option", { value: v.number }, v.code + " " + (D["variant." + v.number] || v.title))));
    if (chosen) sel.value = String(chosen);
  }
  function fillDest(dst) {
    $("#use-ftp").checked = dst.use_ftp;
    $("#dest-folder-path").value = dst.folder || "";
    $("#dest-protocol").value = dst.protocol || "ftpes";
    $("#dest-server-addr").value = dst.server || "";
    $("#dest-user").value = dst.user || "";
    $("#dest-keyfile").value = dst.key_file || "";
    $("#dest-knownhosts").value = dst.known_hosts || "";
    $("#dest-password").value = "";
    $("#dest-password").placeholder = dst.password_set ? t("js.pwset") : "";
    $("#dest-password-state").textContent = dst.password_set ? t("js.pwsethint") : (dst.use_ftp ? t("js.pwnotset") : "");
    setPinned(dst.fingerprint || "");
    toggleFTP();
  }
  function fillSettings() {
    const keep = (sec) => unsaved.has(sec); // edits not saved yet stay
    if (!keep("dest")) fillDest(S.dest);
    if (!keep("mail")) fillMail();
    if (!keep("keep")) fillKeep();
    if (!keep("install")) fillInstall();
    if (!keep("archive")) fillArchive();
    fillBackup();
    // What each section holds as saved: Save also writes a section whose
    // fields differ from it (a value set without typing).
    sections.forEach(([sec]) => { if (!unsaved.has(sec)) snap[sec] = JSON.stringify(sectionBody(sec)); });
  }
  function fillMail() {
    const m = S.mail;
    $("#mail-host").value = m.host || ""; $("#mail-port").value = m.port || "";
    $("#mail-security").value = m.security || "starttls"; $("#mail-user").value = m.user || "";
    $("#mail-password").value = ""; $("#mail-password").placeholder = m.password_set ? t("js.pwset") : "";
    $("#mail-password-state").textContent = m.password_set ? t("js.pwsethint") : "";
    $("#mail-from").value = m.from || ""; $("#mail-to").value = m.to || ""; $("#mail-on").value = m.on || "failure";
  }
  function fillKeep() {
    const k = S.keep;
    $("#keep-last").value = k.keep_last || ""; $("#keep-daily").value = k.keep_daily || "";
    $("#keep-weekly").value = k.keep_weekly || ""; $("#keep-monthly").value = k.keep_monthly || "";
  }
  function fillInstall() {
    $("#set-source").value = S.install.source || ""; $("#set-role").value = S.install.role || "location";
    $("#set-lang").value = S.install.lang || LANG;
  }
  function fillArchive() {
    const a = S.archive;
    $("#arch-encrypt").checked = a.encrypt;
    $("#arch-level").value = a.level || "default";
    $("#arch-lowprio").checked = a.low_priority;
    $("#arch-password").value = ""; $("#arch-password2").value = "";
    $("#arch-password").placeholder = a.password_set ? t("js.pwset") : "";
    $("#arch-password-state").textContent = a.password_set ? t("js.pwsethint") : t("js.pwnotset");
    toggleArchive();
  }
  function fillBackup() {
    fillVariants($("#backup-variant"), S.backup.variant || 3);
    $("#backup-clients").value = S.backup.clients || "";
    $("#backup-name").value = S.backup.name || "";
    $("#backup-dest").textContent = S.dest.display || t("js.nodest");
    if (S.warnings && S.warnings.length) showMsg($("#global-msg"), null, S.warnings.join(" "));
  }
  function toggleFTP() {
    const on = $("#use-ftp").checked;
    $("#dest-folder").hidden = on;
    $("#dest-server").hidden = !on;
    toggleSFTP();
  }
  // The key and known_hosts files are SFTP's: shown only when it is chosen.
  function toggleSFTP() {
    $("#dest-sftp").hidden = !($("#dest-protocol").value === "sftp" || /^\s*sftp:\/\//i.test($("#dest-server-addr").value));
  }
  function setPinned(fp) {
    $("#dest-fingerprint").value = fp;
    $("#dest-pinned").hidden = !fp;
    $("#dest-pinned-fp").textContent = fp;
  }
  $("#use-ftp").addEventListener("change", toggleFTP);
  $("#dest-protocol").addEventListener("change", toggleSFTP);
  $("#dest-server-addr").addEventListener("input", () => {
    // A typed ftp://, ftpes://, ftps:// or sftp:// is the protocol: the list says the same.
    const m = /^\s*(ftpes|ftps|ftp|sftp):\/\//i.exec($("#dest-server-addr").value);
    if (m) $("#dest-protocol").value = m[1].toLowerCase();
    toggleSFTP();
  });
  $("#dest-forget").addEventListener("click", () => setPinned(""));

  function destValues() {
    return {
      use_ftp: $("#use-ftp").checked, folder: $("#dest-folder-path").value, protocol: $("#dest-protocol").value,
      server: $("#dest-server-addr").value, user: $("#dest-user").value, password: $("#dest-password").value,
      fingerprint: $("#dest-fingerprint").value, key_file: $("#dest-keyfile").value, known_hosts: $("#dest-knownhosts").value,
    };
  }
  async function saveDest() {
    const d = await api("POST", "/api/settings", { section: "dest", dest: destValues() });
    if (d.ok) { unsaved.delete("dest"); S = d.settings; fillSettings(); showUnsaved(); showMsg($("#dest-msg"), true, t("js.saved")); }
    else showMsg($("#dest-msg"), false, d.error);
    if (!$("#panel-start").hidden) loadGuide();
    return d.ok;
  }

  let pendingFP = "";
  async function testAccess() {
    const btn = $("#test-access");
    btn.disabled = true;
    $("#trust-question").hidden = true;
    $("#access-steps").textContent = "";
    showMsg($("#dest-msg"), null, t("js.testing"));
    const d = await api("POST", "/api/test-access", destValues());
    btn.disabled = false;
    if (d.error) { showMsg($("#dest-msg"), false, d.error); return; }
    (d.steps || []).forEach((s) => $("#access-steps").append(el("li", { class: s.ok ? "good" : "bad" }, el("b", {}, s.ok ? "✓ " : "✗ "), s.message)));
    if (d.ok) {
      // In the guide a tested destination is kept at once: the next step needs it.
      if (!$("#panel-start").hidden && (await saveDest()) === false) return;
      showMsg($("#dest-msg"), true, t("js.accessok", d.destination));
    } else if (d.question) {
      pendingFP = d.question.fingerprint;
      showMsg($("#dest-msg"), null, "");
      $("#trust-text").textContent = t("js.trust", d.question.host, d.question.fingerprint);
      $("#trust-question").hidden = false;
    } else {
      showMsg($("#dest-msg"), false, d.message);
    }
  }
  $("#test-access").addEventListener("click", testAccess);
  $("#trust-yes").addEventListener("click", async () => {
    $("#trust-question").hidden = true;
    const d = await api("POST", "/api/trust", { fingerprint: pendingFP });
    if (!d.ok) { showMsg($("#dest-msg"), false, d.error); return; }
    setPinned(d.fingerprint);
    testAccess();
  });
  $("#trust-no").addEventListener("click", () => {
    $("#trust-question").hidden = true;
    showMsg($("#dest-msg"), false, t("js.nottrusted"));
  });

  function mailValues() {
    return {
      host: $("#mail-host").value, port: parseInt($("#mail-port").value || "0", 10), security: $("#mail-security").value,
      user: $("#mail-user").value, password: $("#mail-password").value, from: $("#mail-from").value,
      to: $("#mail-to").value, on: $("#mail-on").value,
    };
  }
  $("#mail-test").addEventListener("click", async () => {
    showMsg($("#mail-msg"), null, t("js.sending"));
    const d = await api("POST", "/api/test-mail", mailValues());
    if (d.ok) showMsg($("#mail-msg"), true, t("js.mailsent", (d.to || []).join(", "))); else showMsg($("#mail-msg"), false, d.error);
  });
  function toggleArchive() {
    $("#arch-pw").hidden = !$("#arch-encrypt").checked && !(S && S.archive.password_set);
  }
  $("#arch-encrypt").addEventListener("change", toggleArchive);
  // ---------- one Save for the Settings page ----------
  // Each card is a section of the config; edits mark it unsaved, the page
  // says so wherever it is, and "Save settings" writes every unsaved
  // section in turn (stopping at the first that is refused, with its
  // reason in its card). fillSettings leaves unsaved sections alone.
  function showUnsaved() {
    $("#settings-unsaved").hidden = unsaved.size === 0;
    let bar = $("#global-unsaved");
    if (!bar) {
      bar = el("p", { class: "msg warn unsaved", id: "global-unsaved" }, t("settings.unsaved"));
      $("main").prepend(bar);
    }
    bar.hidden = unsaved.size === 0 || !$("#panel-settings").hidden;
  }
  sections.forEach(([sec, form]) => {
    const mark = (e) => { if (e.target.closest("#trust-question, .buttons")) return; unsaved.add(sec); showUnsaved(); };
    $(form).addEventListener("input", mark);
    $(form).addEventListener("change", mark);
    $(form).addEventListener("submit", (e) => { e.preventDefault(); if (!$("#panel-settings").hidden) saveAll(); else if (sec === "dest") saveDest(); });
  });
  window.addEventListener("beforeunload", (e) => { if (unsaved.size) { e.preventDefault(); e.returnValue = ""; } });
  function sectionBody(sec) {
    const n = (id) => parseInt($(id).value || "0", 10);
    switch (sec) {
      case "dest": return { section: "dest", dest: destValues() };
      case "install": return { section: "install", install: { source: $("#set-source").value, role: $("#set-role").value, lang: $("#set-lang").value } };
      case "archive": return { section: "archive", archive: {
        encrypt: $("#arch-encrypt").checked, password: $("#arch-password").value, password2: $("#arch-password2").value,
        level: $("#arch-level").value, low_priority: $("#arch-lowprio").checked } };
      case "mail": return { section: "mail", mail: mailValues() };
      case "keep": return { section: "keep", keep: { keep_last: n("#keep-last"), keep_daily: n("#keep-daily"), keep_weekly: n("#keep-weekly"), keep_monthly: n("#keep-monthly") } };
    }
  }
  async function saveAll() {
    showMsg($("#settings-msg"), null, t("js.saving"));
    for (const [sec] of sections) {
      if (!unsaved.has(sec) && JSON.stringify(sectionBody(sec)) === snap[sec]) continue;
      const d = await api("POST", "/api/settings", sectionBody(sec));
      const m = $("#" + sec + "-msg");
      if (!d.ok) { showMsg(m, false, d.error); showMsg($("#settings-msg"), false, d.error); return false; }
      showMsg(m, null, "");
      S = d.settings;
      unsaved.delete(sec);
    }
    fillSettings();
    showUnsaved();
    showMsg($("#settings-msg"), true, t("js.saved"));
    return true;
  }
  $("#settings-save").addEventListener("click", saveAll);

  // ---------- the admin password ----------
  $("#password-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const d = await api("POST", "/api/password", { current: $("#pw-current").value, new: $("#pw-new").value, new2: $("#pw-new2").value });
    if (!d.ok) { showMsg($("#pw-msg"), false, d.error); return; }
    try { localStorage.setItem("posbackup-key", d.key); } catch (err) { /* this page only */ }
    given = d.key;
    CSRF = d.csrf;
    document.querySelectorAll("input[name='csrf_token']").forEach((i) => { i.value = d.csrf; });
    ["#pw-current", "#pw-new", "#pw-new2"].forEach((id) => { $(id).value = ""; });
    showMsg($("#pw-msg"), true, t("pw.changed"));
  });

  // ---------- tasks: backup and restore progress ----------
  let polling = null;
  function renderTask(tk) {
    const view = $('.task-view[data-kind="' + (tk.kind === "verify" ? "restore" : tk.kind) + '"]');
    if (!view) return;
    view.textContent = "";
    const frac = tk.total_bytes > 0 ? Math.min(1, tk.bytes / tk.total_bytes) : (tk.running ? 0 : 1);
    const bar = el("progress", { max: "1000", value: String(Math.round(frac * 1000)), id: tk.kind + "-progress" });
    if (tk.running) {
      view.append(el("p", { class: "phase", id: tk.kind + "-phase" }, t("phase." + (tk.phase || "start"))));
      view.append(bar);
      const parts = [];
      if (tk.total_files) parts.push(t("js.files", tk.files, tk.total_files));
      if (tk.total_bytes) parts.push(bytes(tk.bytes) + " / " + bytes(tk.total_bytes));
      else if (tk.bytes) parts.push(bytes(tk.bytes));
      if (tk.written) parts.push(t("js.written") + " " + bytes(tk.written));
      if (tk.rate) parts.push(bytes(tk.rate) + "/s");
      if (tk.remaining) parts.push(t("js.left", duration(tk.remaining)));
      view.append(el("p", { class: "stats", id: tk.kind + "-stats" }, parts.join(" · ")));
      if (tk.name) view.append(el("p", { class: "current", id: tk.kind + "-current" }, t("js.current"), " ", el("code", {}, tk.name)));
    }
    if (tk.question) {
      const q = tk.question;
      const box = el("div", { class: "question", id: "overwrite-question" },
        el("p", {}, t("js.overwrite", q.count, q.target)),
        el("ul", {}, q.examples.map((n) => el("li", {}, el("code", {}, n)))));
      const yes = el("button", { type: "button", class: "primary", id: "overwrite-yes" }, t("js.overwriteyes"));
      const no = el("button", { type: "button", id: "overwrite-no" }, t("js.overwriteno"));
      yes.addEventListener("click", () => answer(tk.id, true));
      no.addEventListener("click", () => answer(tk.id, false));
      box.append(yes, " ", no);
      view.append(box);
      box.scrollIntoView({ block: "nearest" });
    }
    if (!tk.running) {
      const res = el("div", { class: "result " + (tk.ok ? "good" : "bad"), id: tk.kind + "-result" });
      if (tk.ok && tk.kind === "backup" && tk.result) {
        const r = tk.result;
        res.append(el("p", { class: "headline" }, t("js.backupok", r.archive, r.location)));
        res.append(el("p", {}, t("js.backupfacts", r.variant, (r.clients || []).join(", "), r.files, bytes(r.bytes), bytes(r.size), r.seconds.toFixed(1))));
      } else if (tk.ok && tk.kind === "restore" && tk.result) {
        const r = tk.result;
        res.append(el("p", { class: "headline" }, t("js.restoreok", (r.added || []).length + (r.replaced || []).length, r.target)));
        res.append(el("p", {}, t("js.restorefacts", (r.added || []).length, (r.replaced || []).length, bytes(r.bytes))));
      } else if (tk.ok && tk.kind === "verify" && tk.result) {
        res.append(el("p", { class: "headline" }, t("js.verifyok", tk.result.checked)));
      } else if (tk.kind === "verify" && tk.result) {
        res.append(el("p", { class: "headline" }, t("js.verifybad")));
        res.append(el("p", {}, tk.error || ""));
      } else if (tk.cancelled) {
        res.className = "result info";
        res.append(el("p", { class: "headline" }, t("js.restorecancel")));
        res.append(el("p", {}, tk.error || ""));
      } else {
        res.append(el("p", { class: "headline" }, t(tk.kind === "backup" ? "js.backupfail" : tk.kind === "verify" ? "js.verifyfail" : "js.restorefail")));
        res.append(el("p", {}, tk.error || ""));
      }
      view.append(res);
    }
    if (tk.warnings && tk.warnings.length) {
      view.append(el("ul", { class: "warnings", id: tk.kind + "-warnings" }, tk.warnings.map((w) => el("li", { class: "warning" }, w))));
    }
  }
  async function answer(id, yes) {
    const q = $("#overwrite-question");
    if (q) q.remove();
    await api("POST", "/api/task/answer", { id, yes });
    poll();
  }
  async function poll() {
    const d = await api("GET", "/api/task");
    if (!d.task) return;
    renderTask(d.task);
    const busy = d.task.running;
    $("#backup-start").disabled = busy;
    $("#restore-start").disabled = busy;
    $("#restore-verify").disabled = busy;
    clearTimeout(polling);
    if (busy) polling = setTimeout(poll, 400);
    else if (d.task.kind === "backup") { loadHistoryQuiet(); if (!$("#panel-start").hidden) loadGuide(); }
  }

  $("#backup-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const d = await api("POST", "/api/backup", { variant: parseInt($("#backup-variant").value, 10), clients: $("#backup-clients").value, name: $("#backup-name").value });
    if (!d.ok && d.guide) { showTab("start"); showMsg($("#start-backup-msg"), false, d.error); return; }
    if (!d.ok) { renderTask({ kind: "backup", running: false, ok: false, error: d.error, warnings: [] }); return; }
    renderTask(d.task);
    poll();
  });

  // ---------- restore ----------
  let chosen = null;
  async function loadBackups() {
    const tb = $("#backup-list tbody");
    tb.textContent = "";
    $("#restore-where").textContent = t("js.loading");
    const d = await api("GET", "/api/backups");
    if (!d.ok) { $("#restore-where").textContent = d.error; return; }
    $("#restore-where").textContent = t("js.where", d.where, d.backups.length);

    d.backups.forEach((b) => {
      const tr = el("tr", { tabindex: "0", "data-name": b.name },
        el("td", {}, when(b.time)), el("td", {}, b.name), el("td", {}, b.variant || "?"),
        el("td", {}, (b.clients || []).join(", ")), el("td", { class: "num" }, bytes(b.size)));
      if (b.problem) tr.classList.add("problem");
      tr.addEventListener("click", () => choose(b.name));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") choose(b.name); });
      tb.append(tr);
    });
    if (!d.backups.length) tb.append(el("tr", {}, el("td", { colspan: "5" }, t("js.nobackups"))));
  }
  async function choose(name) {
    chosen = name;
    $$("#backup-list tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.name === name));
    const q = new URLSearchParams({ name, target: $("#restore-target").value });
    const d = await api("GET", "/api/backups/details?" + q);
    if (!d.ok) { showMsg($("#global-msg"), false, d.error); return; }
    $("#restore-details").hidden = false;
    $("#detail-name").textContent = name;
    const b = d.backup;
    const facts = $("#detail-facts");
    facts.textContent = "";
    const fact = (k, v) => facts.append(el("dt", {}, t(k)), el("dd", {}, v || "–"));
    fact("js.d.time", when(b.time));
    fact("js.d.variant", (b.variant || "?") + " " + (b.variant_title || ""));
    fact("js.d.clients", (b.clients || []).join(", "));
    fact("js.d.files", String(b.files));
    fact("js.d.size", bytes(b.size));
    fact("js.d.program", b.program_version);
    fact("js.d.host", b.host);
    fact("js.d.source", d.source);
    if (b.job) fact("js.d.job", b.job);
    if (b.problem) fact("js.d.problem", b.problem);
    const vw = $("#version-warning");
    vw.hidden = !d.version_differs;
    vw.textContent = d.version_differs ? t("js.versionwarn", d.installed_version, b.program_version) : "";
    const cl = $("#restore-clients");
    cl.textContent = "";
    (d.clients || []).forEach((c) => cl.append(el("label", {}, el("input", { type: "checkbox", name: "only", value: "client:" + c.number }), t("js.client", c.name))));
    const fl = $("#restore-files");
    fl.textContent = "";
    (d.files || []).forEach((f) => fl.append(el("label", { class: "file" }, el("input", { type: "checkbox", name: "file", value: f.name }), el("code", {}, f.name), el("span", { class: "num" }, bytes(f.size)))));
    $("#detail-count").textContent = String((d.files || []).length);
  }
  $("#restore-refresh").addEventListener("click", loadBackups);
  $("#restore-verify").addEventListener("click", async () => {
    const d = await api("POST", "/api/verify", { name: chosen });
    if (!d.ok) { renderTask({ kind: "verify", running: false, ok: false, error: d.error, warnings: [] }); return; }
    renderTask(d.task);
    poll();
  });
  function intoSource() { // restoring into the installation itself is said, never assumed
    const v = $("#restore-target").value.trim().replace(/[\\/]+$/, "");
    const src = ((S && S.install.source) || "").trim().replace(/[\\/]+$/, "");
    const same = !!v && !!src && (v === src || v.toLowerCase() === src.toLowerCase() && /^[a-z]:/i.test(src));
    $("#restore-intosource-row").hidden = !same;
    if (!same) $("#restore-intosource").checked = false;
  }
  $("#restore-target").addEventListener("input", intoSource);
  $("#restore-target").addEventListener("change", () => { intoSource(); if (chosen) choose(chosen); });
  $$('input[name="mode"]').forEach((r) => r.addEventListener("change", () => { $("#restore-parts").hidden = !$("#restore-individual").checked; }));
  $("#restore-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const individual = $("#restore-individual").checked;
    const only = individual ? $$('#restore-parts input[name="only"]:checked').map((i) => i.value) : [];
    const files = individual ? $$('#restore-files input[name="file"]:checked').map((i) => i.value) : [];
    if (individual && !only.length && !files.length) {
      renderTask({ kind: "restore", running: false, ok: false, error: t("js.choosepart"), warnings: [] });
      return;
    }
    const d = await api("POST", "/api/restore", { name: chosen, target: $("#restore-target").value, only, files, into_source: $("#restore-intosource").checked });
    if (!d.ok) { renderTask({ kind: "restore", running: false, ok: false, error: d.error, warnings: [] }); return; }
    renderTask(d.task);
    poll();
  });

  // ---------- automatic backup ----------
  async function loadAutomatic() {
    if (!S) await loadSettings();
    const d = await api("GET", "/api/automatic");
    if (d.ok === false) { showMsg($("#auto-msg"), false, d.error); return; }
    renderAutomatic(d);
  }
  // autoInstalled: the service is installed (then saving only writes the
  // job: the running service reads the config again within 30 s).
  let autoInstalled = false, autoAvailable = false;
  function renderAutomatic(a) {
    autoInstalled = !!a.installed; autoAvailable = !!a.available;
    $("#auto-install").closest("li").hidden = autoInstalled || !autoAvailable;
    const j = a.job;
    fillVariants($("#auto-variant"), (j && j.variant) || (S && S.backup.variant) || 3);
    $("#auto-name").value = (j && j.name) || (S && S.backup.name) || "";
    if (j && j.time) $("#auto-time").value = j.time;
    const days = (j && j.weekdays) || [];
    $$('#auto-form input[name="day"]').forEach((c) => { c.checked = days.includes(c.value); });
    const st = $("#auto-state");
    st.textContent = "";
    const fact = (k, v, id) => st.append(el("dt", {}, t(k)), el("dd", id ? { id } : {}, v || "–"));
    fact("js.a.installed", a.available ? (a.installed ? t("js.yes") : t("js.no")) : t("js.a.unavailable"), "auto-installed");
    fact("js.a.schedule", j && j.schedule ? j.schedule : t("js.a.noschedule"));
    const s = a.status;
    fact("js.a.next", s && s.next_run && a.installed ? when(s.next_run) : "–", "auto-next");
    fact("js.a.lastok", s ? when(s.last_success) + (s.last_archive ? " (" + s.last_archive + ")" : "") : "–");
    fact("js.a.lastfail", s && s.last_failed ? when(s.last_failure) + ": " + s.last_error : "–");
    if (a.problem) fact("js.a.problem", a.problem);
    const w = $("#auto-warnings");
    w.textContent = "";
    (a.warnings || []).forEach((x) => w.append(el("li", { class: x.severity }, x.message)));
    $("#auto-uninstall").hidden = !a.installed;
  }
  $("#auto-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    showMsg($("#auto-msg"), null, t("js.saving"));
    if (!(await saveDest())) { showMsg($("#auto-msg"), false, $("#dest-msg").textContent); return; }
    // Install only a service that is not installed yet.
    const install = !autoInstalled && autoAvailable && $("#auto-install").checked;
    const d = await api("POST", "/api/automatic/install", {
      variant: parseInt($("#auto-variant").value, 10), name: $("#auto-name").value, time: $("#auto-time").value,
      weekdays: $$('#auto-form input[name="day"]:checked').map((c) => c.value), install,
    });
    if (!d.ok) { showMsg($("#auto-msg"), false, d.error); return; }
    showMsg($("#auto-msg"), true, !d.automatic.installed ? t("js.saved") : install ? t("js.a.done") : t("js.a.updated"));
    renderAutomatic(d.automatic);
  });
  $("#auto-uninstall").addEventListener("click", async () => {
    const d = await api("POST", "/api/automatic/uninstall", {});
    if (!d.ok) { showMsg($("#auto-msg"), false, d.error); return; }
    showMsg($("#auto-msg"), true, t("js.a.removed"));
    renderAutomatic(d.automatic);
  });

  // ---------- history ----------
  async function loadHistoryQuiet() {
    const d = await api("GET", "/api/history");
    if (!d.report) return;
    const w = $("#hist-warnings");
    w.textContent = "";
    (d.report.warnings || []).forEach((x) => w.append(el("li", { class: x.severity }, x.message)));
    if (!d.report.warnings.length) w.append(el("li", { class: "good" }, t("js.allgood")));
    const jb = $("#hist-jobs tbody");
    jb.textContent = "";
    (d.report.jobs || []).forEach((j) => jb.append(el("tr", {}, el("td", {}, j.name), el("td", {}, j.schedule),
      el("td", {}, when(j.last_success)), el("td", {}, j.last_failed ? when(j.last_failure) + ": " + j.last_error : "–"), el("td", {}, when(j.next_run)))));
    const rb = $("#hist-runs tbody");
    rb.textContent = "";
    (d.runs || []).forEach((r) => {
      let what = t("kind." + r.kind) + (r.job ? " (" + r.job + ")" : "") + ": " + (r.what || "–");
      const extra = [];
      if (r.by === "automatic" && r.files) extra.push(t("js.runfacts", r.files, bytes(r.size)));
      if (r.deleted) extra.push(t("js.rundeleted", r.deleted));
      if (r.catchup) extra.push(t("js.catchup"));
      if (extra.length) what += " (" + extra.join(", ") + ")";
      const warns = r.warnings || [];
      const result = el("td", {}, r.ok ? t("js.ok") : r.cancelled ? t("js.restorecancel") + " " + (r.error || "") : r.error);
      if (warns.length) result.append(el("ul", { class: "warnings" }, warns.map((w) => el("li", { class: "warning" }, w))));
      rb.append(el("tr", { class: (r.ok ? "good" : r.cancelled ? "cancelled" : "bad") + " by-" + r.by }, el("td", {}, when(r.started)),
        el("td", {}, t("by." + r.by)), el("td", {}, what), result));
    });
    if (!(d.runs || []).length) rb.append(el("tr", {}, el("td", { colspan: "4" }, t("js.noruns"))));
  }

  // ---------- locations (a chain's head office) ----------
  // age is how long ago a site's last success was, in the page's words.
  function age(ms) {
    const m = Math.max(0, Math.floor(ms / 60000));
    const d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    if (d > 0) return t("js.f.agedays", d, h);
    if (h > 0) return t("js.f.agehours", h, m % 60);
    return t("js.f.ageminutes", m);
  }
  async function loadFleet() {
    showMsg($("#fleet-msg"), null, t("js.loading"));
    const d = await api("GET", "/api/fleet");
    const tb = $("#fleet-sites tbody");
    tb.textContent = "";
    const w = $("#fleet-warnings");
    w.textContent = "";
    (d.warnings || []).forEach((x) => w.append(el("li", { class: "warning" }, x)));
    if (!d.sites) { showMsg($("#fleet-msg"), false, d.error); return; }
    showMsg($("#fleet-msg"), !(d.stale + d.failing + d.missing), t("js.f.summary", d.sites.length, d.destination, d.stale, d.failing, d.missing));
    const checked = new Date(d.checked);
    d.sites.forEach((s) => {
      const r = s.record;
      const ok = r && r.last_success && !r.last_success.startsWith("0001-");
      const cells = [
        el("td", { class: "site" }, s.site),
        el("td", { class: "state" }, t("js.f.state." + s.state)),
        el("td", {}, ok ? when(r.last_success) : t("js.f.never")),
        el("td", { class: "age num" }, ok ? age(checked - new Date(r.last_success)) : "–"),
        el("td", {}, r ? t("js.f.result." + r.result) + " " + when(r.last_attempt) : "–"),
        el("td", {}, r && r.variant ? r.variant : "–"),
        el("td", { class: "num" }, r && r.size ? bytes(r.size) : "–"),
        el("td", {}, r && r.program_version ? r.program_version : "–"),
        el("td", {}, r && r.posbackup_version ? r.posbackup_version : "–"),
        el("td", { class: "flags" }, s.flags && s.flags.length ? el("ul", { class: "warnings" }, s.flags.map((f) => el("li", {}, f))) : "–"),
      ];
      const cls = ["state-" + s.state];
      ["stale", "failing", "missing"].forEach((k) => { if (s[k]) cls.push(k); });
      tb.append(el("tr", { class: cls.join(" "), "data-site": s.site }, cells));
    });
    if (!d.sites.length) tb.append(el("tr", {}, el("td", { colspan: "10" }, t("js.f.nosites"))));
  }
  if ($("#fleet-refresh")) $("#fleet-refresh").addEventListener("click", loadFleet);

  loaders.backup = loadSettings;
  loaders.settings = loadSettings;
  loaders.automatic = loadAutomatic;
  loaders.restore = () => { if (!S) loadSettings(); if (!$("#backup-list tbody").children.length) loadBackups(); };
  loaders.history = loadHistoryQuiet;
  loaders.start = loadGuide;
  loaders.fleet = loadFleet;
  window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));
  (async () => {
    // A fresh setup opens the first-start guide; a set-up one the Backup tab.
    let first = location.hash.slice(1);
    if (!first) {
      const g = await api("GET", "/api/guide");
      first = g && g.complete === false ? "start" : "backup";
    }
    showTab(first);
    poll();
  })();
})();
