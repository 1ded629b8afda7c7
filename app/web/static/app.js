// Huashu workbench: analysis, drafts (streamed when the service streams), guard while editing,
// copy, record as sent, feedback. Plain JS, no build step, no network beyond this service.
"use strict";

(() => {
  const UI = JSON.parse(document.getElementById("page-data").textContent);
  const KEY_STORAGE = "huashu.apiKey";
  const CHECK_DELAY_MS = 400;
  const SENTENCE_END = new Set(["。", "！", "？", "!", "?", "；", ";", "\n", "…"]);

  const $ = (id) => document.getElementById(id);
  const form = $("message-form");
  const messageBox = $("message");
  const statusLine = $("status");
  const errorBox = $("error");
  const draftsBox = $("drafts");
  const generateButton = $("generate");

  // ---- talking to the API -------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || UI.messages.server);
      this.status = status;
      this.code = error.code || "http_" + status;
      this.messageEn = error.message_en || "";
    }
  }

  let keyWaiters = [];

  function askForKey() {
    const bar = $("key-bar");
    bar.hidden = false;
    $("api-key").focus();
    return new Promise((resolve) => keyWaiters.push(resolve));
  }

  $("save-key").addEventListener("click", () => {
    const key = $("api-key").value.trim();
    if (!key) return;
    localStorage.setItem(KEY_STORAGE, key);
    $("key-bar").hidden = true;
    showStatus(UI.messages.key_saved);
    const waiters = keyWaiters;
    keyWaiters = [];
    waiters.forEach((resolve) => resolve());
  });

  async function request(path, options = {}, retried = false) {
    const headers = Object.assign({}, options.headers || {});
    const key = localStorage.getItem(KEY_STORAGE);
    if (key) headers["X-API-Key"] = key;
    if (options.json !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method: options.method || "GET",
        headers,
        body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
      });
    } catch (networkError) {
      throw new ApiError(0, { error: { code: "network", message: UI.messages.network } });
    }
    if (response.status === 401 && !retried) {
      // Keys are configured on this service: ask once, keep it in this browser, retry.
      localStorage.removeItem(KEY_STORAGE);
      await askForKey();
      return request(path, options, true);
    }
    return response;
  }

  async function callJson(path, options = {}) {
    const response = await request(path, options);
    let body = null;
    try {
      body = await response.json();
    } catch (parseError) {
      body = null;
    }
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  // ---- small helpers ------------------------------------------------------------------------

  function showStatus(text) {
    statusLine.textContent = text || "";
  }

  function showError(error) {
    if (!error) {
      errorBox.hidden = true;
      errorBox.textContent = "";
      return;
    }
    errorBox.hidden = false;
    errorBox.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = error.message || UI.messages.server;
    errorBox.appendChild(strong);
    if (error.code) {
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = " （" + error.code + (error.status ? " · " + error.status : "") + "）";
      errorBox.appendChild(code);
    }
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Spans count Unicode code points; JS strings count UTF-16 units. Work on code point arrays.
  const points = (text) => Array.from(text);

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function parseContext(raw) {
    return raw
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const agent = /^(客服|我|商家)[:：]/.test(line);
        const text = line.replace(/^(客服|我|商家|客户|买家)[:：]\s*/, "");
        return { role: agent ? "agent" : "customer", text };
      })
      .filter((message) => message.text);
  }

  // ---- analysis -----------------------------------------------------------------------------

  function highlight(container, text, marks) {
    // marks: [{start, end, title, kind}] in code points; overlapping marks keep the first.
    const chars = points(text);
    const sorted = marks
      .filter((m) => m.end > m.start && m.start >= 0 && m.end <= chars.length)
      .sort((a, b) => a.start - b.start || b.end - a.end);
    container.textContent = "";
    let at = 0;
    for (const mark of sorted) {
      if (mark.start < at) continue;
      container.appendChild(document.createTextNode(chars.slice(at, mark.start).join("")));
      const node = el("mark", "ev ev-" + mark.kind, chars.slice(mark.start, mark.end).join(""));
      node.title = mark.title;
      container.appendChild(node);
      at = mark.end;
    }
    container.appendChild(document.createTextNode(chars.slice(at).join("")));
  }

  function chip(label, kind, title) {
    const node = el("span", "chip chip-" + kind, label);
    if (title) node.title = title;
    return node;
  }

  function percent(value) {
    return Math.round((value || 0) * 100) + "%";
  }

  function renderAnalysis(analysis, text) {
    $("analysis").hidden = false;
    const category = $("category");
    category.textContent = "";
    category.appendChild(chip(analysis.category.label, "category", "把握 " + percent(analysis.category.confidence)));
    if (analysis.secondary) {
      category.appendChild(chip("次要：" + analysis.secondary.label, "secondary"));
    }
    const emotion = $("emotion");
    emotion.textContent = "";
    emotion.appendChild(chip(analysis.emotion.label, "emotion-" + analysis.emotion.code));
    const meter = el("span", "meter");
    meter.setAttribute("role", "meter");
    meter.setAttribute("aria-valuemin", "0");
    meter.setAttribute("aria-valuemax", "3");
    meter.setAttribute("aria-valuenow", String(analysis.emotion.intensity));
    meter.setAttribute("aria-label", "情绪强度 " + analysis.emotion.intensity + "/3");
    for (let level = 1; level <= 3; level += 1) {
      meter.appendChild(el("span", level <= analysis.emotion.intensity ? "bar on level-" + analysis.emotion.intensity : "bar"));
    }
    emotion.appendChild(meter);
    emotion.appendChild(el("span", "muted", " " + (UI.intensity[analysis.emotion.intensity] || "")));

    const risks = $("risks");
    risks.textContent = "";
    if (!analysis.risks.length) risks.appendChild(el("span", "muted", "无"));
    analysis.risks.forEach((risk) => risks.appendChild(chip(risk.label, "risk")));
    const demands = $("demands");
    demands.textContent = "";
    if (!analysis.demands.length) demands.appendChild(el("span", "muted", "未明确"));
    analysis.demands.forEach((demand) => demands.appendChild(chip(demand.label, "demand")));

    const marks = [];
    const add = (label, kind) =>
      (label.evidence || []).forEach((span) =>
        marks.push({ start: span.start, end: span.end, title: label.label, kind }),
      );
    analysis.risks.forEach((risk) => add(risk, "risk"));
    add(analysis.emotion, "emotion");
    add(analysis.category, "category");
    if (analysis.secondary) add(analysis.secondary, "category");
    analysis.demands.forEach((demand) => add(demand, "demand"));
    highlight($("highlighted"), text, marks);
    renderEscalation(analysis.escalation);
  }

  function renderEscalation(level) {
    const banner = $("escalation");
    banner.textContent = "";
    banner.className = "escalation escalation-" + level;
    if (level === "none") {
      banner.hidden = true;
      return;
    }
    banner.hidden = false;
    banner.setAttribute("role", "alert");
    banner.appendChild(el("strong", "", UI.escalation[level]));
    if (level === "crisis") {
      banner.appendChild(el("p", "", UI.crisis.title + "："));
      const list = el("ol", "crisis-steps");
      UI.crisis.steps.forEach((step) => {
        const item = el("li");
        item.appendChild(el("b", "", step.title + "　"));
        item.appendChild(document.createTextNode(step.text));
        list.appendChild(item);
      });
      banner.appendChild(list);
    } else {
      banner.appendChild(el("p", "", "客户情绪激烈或多次联系：回复后请转交主管跟进。"));
    }
  }

  function renderNotes(notes) {
    const box = $("notes");
    box.textContent = "";
    box.hidden = !notes || !notes.length;
    if (box.hidden) return;
    box.appendChild(el("strong", "", "给客服的提示（不要发给客户）"));
    const list = el("ul");
    notes.forEach((note) => list.appendChild(el("li", "", note.text)));
    box.appendChild(list);
  }

  // ---- drafts -------------------------------------------------------------------------------

  let currentCustomerText = "";
  let slots = [];
  let firstDraftsOfMessage = true;

  function clearDrafts() {
    slots.forEach((slot) => clearTimeout(slot.timer));
    slots = [];
    draftsBox.textContent = "";
    $("drafts-empty").hidden = false;
  }

  function renderDrafts(drafts) {
    clearDrafts();
    $("drafts-empty").hidden = drafts.length > 0;
    if (!drafts.length) $("drafts-empty").textContent = UI.messages.no_drafts;
    drafts.forEach((draft, index) => {
      slots[index] = makeSlot(draft);
    });
  }

  // The agent's edits are never lost: a slot whose text differs from what it was given stays.
  function isEdited(slot) {
    return Boolean(slot) && !slot.streaming && slot.textarea.value !== (slot.draft.text || "");
  }

  // A later drafts event (the LLM's checked drafts, or the template fallback) replaces every
  // slot except those the agent has edited, which stay below the new ones.
  function replaceDrafts(drafts) {
    const kept = slots.filter(isEdited);
    kept.forEach((slot) => slot.node.remove());
    slots = slots.filter((slot) => !kept.includes(slot));
    renderDrafts(drafts);
    kept.forEach((slot) => {
      draftsBox.appendChild(slot.node);
      slots.push(slot);
      scheduleCheck(slot);
    });
    $("drafts-empty").hidden = slots.length > 0;
  }

  // LLM text streams into the slot of its index, taking the place of a template draft the
  // agent has not touched; next to one they have edited, it gets a slot of its own.
  function streamSlot(index, style) {
    const existing = slots.find((slot) => slot && slot.streamIndex === index);
    if (existing) return existing;
    const slot = makeSlot({ id: null, style, text: "", source: "llm", stages: [], findings: [] });
    slot.streaming = true;
    slot.streamIndex = index;
    const old = slots[index];
    if (old && !isEdited(old)) {
      clearTimeout(old.timer);
      old.node.replaceWith(slot.node);
      slots[index] = slot;
    } else {
      slots.push(slot);
    }
    $("drafts-empty").hidden = true;
    return slot;
  }

  function makeSlot(draft) {
    const node = document.getElementById("draft-template").content.firstElementChild.cloneNode(true);
    const slot = {
      draft,
      node,
      textarea: node.querySelector(".draft-text"),
      backdrop: node.querySelector(".backdrop"),
      findingsList: node.querySelector(".findings"),
      checkState: node.querySelector(".check-state"),
      statusLine: node.querySelector(".draft-status"),
      findings: draft.findings || [],
      caught: new Set((draft.findings || []).map((f) => f.code)),
      sequence: 0,
      timer: null,
      sendKey: null,
      sentText: null,
      replyId: null,
    };
    node.dataset.draftId = draft.id || "";
    node.querySelector(".draft-style").textContent = UI.styles[draft.style] || draft.style || "";
    node.querySelector(".draft-source").textContent = UI.sources[draft.source] || draft.source || "";
    node.querySelector(".draft-source").classList.add("source-" + (draft.source || "template"));
    node.querySelector(".draft-script").textContent = UI.scripts[draft.script] || "";
    renderStages(slot);
    slot.textarea.value = draft.text || "";
    slot.textarea.addEventListener("input", () => {
      autosize(slot);
      paintBackdrop(slot);
      scheduleCheck(slot);
    });
    node.querySelector(".copy").addEventListener("click", () => copyDraft(slot));
    node.querySelector(".send").addEventListener("click", () => markSent(slot));
    node.querySelector(".thumb.up").addEventListener("click", () => sendFeedback(slot, true, null));
    node.querySelector(".thumb.down").addEventListener("click", () => {
      node.querySelector(".down-reason").hidden = false;
      node.querySelector(".reason").focus();
    });
    node.querySelector(".submit-reason").addEventListener("click", () => {
      const reason = node.querySelector(".reason").value.trim();
      sendFeedback(slot, false, reason || null);
      node.querySelector(".down-reason").hidden = true;
    });
    const stageSelect = node.querySelector(".phrase-stage");
    Object.entries(UI.stages).forEach(([code, label]) => {
      if (code === "handoff") return;
      const option = el("option", "", label);
      option.value = code;
      stageSelect.appendChild(option);
    });
    stageSelect.value = "solution";
    node.querySelector(".save-phrase-button").addEventListener("click", () => savePhrase(slot));
    draftsBox.appendChild(node);
    autosize(slot);
    renderFindings(slot);
    return slot;
  }

  function renderStages(slot) {
    const list = slot.node.querySelector(".stages");
    list.textContent = "";
    (slot.draft.stages || []).forEach((stage) => {
      const item = el("li", "stage stage-" + stage.stage, UI.stages[stage.stage] || stage.stage);
      item.title = stage.text + (stage.phrase_id ? "\n(" + stage.phrase_id + ")" : "");
      list.appendChild(item);
    });
  }

  function autosize(slot) {
    slot.textarea.style.height = "auto";
    slot.textarea.style.height = slot.textarea.scrollHeight + 2 + "px";
  }

  function paintBackdrop(slot) {
    const text = slot.textarea.value;
    const marks = slot.findings.map((finding) => ({
      start: finding.span.start,
      end: finding.span.end,
      title: finding.label,
      kind: "finding-" + finding.severity,
    }));
    // The marks only fit the text they were found in; stale ones are dropped, not misplaced.
    const chars = points(text);
    const valid = marks.filter((m, i) => chars.slice(m.start, m.end).join("") === slot.findings[i].span.text);
    highlight(slot.backdrop, text + "\n", valid);
  }

  function renderFindings(slot) {
    paintBackdrop(slot);
    const list = slot.findingsList;
    list.textContent = "";
    slot.findings.forEach((finding) => {
      const item = el("li", "finding severity-" + finding.severity);
      const head = el("div", "finding-head");
      head.appendChild(el("span", "badge sev", UI.severity[finding.severity] || finding.severity));
      head.appendChild(el("strong", "", finding.label));
      head.appendChild(el("q", "", finding.span.text));
      item.appendChild(head);
      if (finding.reason) item.appendChild(el("div", "muted small", finding.reason));
      if (finding.suggestion) {
        const suggestion = el("div", "suggestion");
        suggestion.appendChild(el("span", "", "建议改为：" + finding.suggestion));
        const apply = el("button", "apply", "采用建议");
        apply.type = "button";
        apply.addEventListener("click", () => applySuggestion(slot, finding));
        suggestion.appendChild(apply);
        item.appendChild(suggestion);
      }
      list.appendChild(item);
    });
    slot.checkState.textContent = slot.findings.length ? "" : UI.messages.check_ok;
  }

  function sentenceAround(chars, start, end) {
    let left = start;
    while (left > 0 && !SENTENCE_END.has(chars[left - 1])) left -= 1;
    let right = end;
    while (right < chars.length && !SENTENCE_END.has(chars[right])) right += 1;
    if (right < chars.length && chars[right] !== "\n") right += 1; // keep the sentence's own end
    return [left, right];
  }

  function applySuggestion(slot, finding) {
    const chars = points(slot.textarea.value);
    if (chars.slice(finding.span.start, finding.span.end).join("") !== finding.span.text) return;
    const [left, right] = sentenceAround(chars, finding.span.start, finding.span.end);
    const replacement = points(finding.suggestion);
    chars.splice(left, right - left, ...replacement);
    slot.textarea.value = chars.join("");
    slot.findings = slot.findings.filter((f) => f !== finding);
    autosize(slot);
    renderFindings(slot);
    runCheck(slot);
  }

  function scheduleCheck(slot) {
    clearTimeout(slot.timer);
    slot.checkState.textContent = UI.messages.checking;
    slot.timer = setTimeout(() => runCheck(slot), CHECK_DELAY_MS);
  }

  async function runCheck(slot) {
    const text = slot.textarea.value;
    const sequence = (slot.sequence += 1);
    if (!text.trim()) {
      slot.findings = [];
      renderFindings(slot);
      return;
    }
    try {
      const result = await callJson("/v1/check", {
        method: "POST",
        json: { text, customer_text: currentCustomerText || null },
      });
      if (sequence !== slot.sequence || slot.textarea.value !== text) return; // a newer edit
      slot.findings = result.findings;
      result.findings.forEach((f) => slot.caught.add(f.code));
      renderFindings(slot);
    } catch (error) {
      if (sequence === slot.sequence) slot.checkState.textContent = error.message;
    }
  }

  async function copyDraft(slot) {
    const text = slot.textarea.value;
    try {
      await navigator.clipboard.writeText(text);
      slot.statusLine.textContent = UI.messages.copied;
    } catch (clipboardError) {
      slot.textarea.select();
      const done = document.execCommand && document.execCommand("copy");
      slot.statusLine.textContent = done ? UI.messages.copied : UI.messages.copy_failed;
    }
  }

  async function markSent(slot) {
    const text = slot.textarea.value;
    if (!text.trim()) return;
    if (slot.sentText !== text) slot.sendKey = newKey(); // the same text retried keeps its key
    const button = slot.node.querySelector(".send");
    button.disabled = true;
    slot.statusLine.textContent = UI.messages.sending;
    try {
      const reply = await callJson("/v1/replies", {
        method: "POST",
        headers: { "Idempotency-Key": slot.sendKey },
        json: {
          text,
          draft_id: slot.draft.id || null,
          customer_text: currentCustomerText || null,
          caught: Array.from(slot.caught),
        },
      });
      slot.sentText = text;
      slot.replyId = reply.id;
      let note = UI.messages.sent + "（#" + reply.id + "）";
      if (reply.commitments && reply.commitments.length) {
        const due = new Date(reply.commitments[0].due_at);
        note += "；承诺“" + reply.commitments[0].promise.text + "”，跟进时间 " + due.toLocaleString("zh-CN", { hour12: false });
      }
      slot.statusLine.textContent = note;
      slot.node.classList.add("is-sent");
      slot.node.querySelector(".save-phrase").hidden = false;
      slot.node.querySelector(".phrase-text").value = text;
      loadFollowups();
    } catch (error) {
      slot.statusLine.textContent = "";
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  async function sendFeedback(slot, helpful, reason) {
    const json = { helpful, reason };
    if (slot.replyId) json.reply_id = slot.replyId;
    else json.draft_id = slot.draft.id;
    try {
      await callJson("/v1/feedback", { method: "POST", json });
      slot.statusLine.textContent = UI.messages.feedback_thanks;
    } catch (error) {
      showError(error);
    }
  }

  async function savePhrase(slot) {
    const node = slot.node;
    const json = {
      text: node.querySelector(".phrase-text").value,
      stage: node.querySelector(".phrase-stage").value,
      style: slot.draft.style || "standard",
      reply_id: slot.replyId,
    };
    try {
      await callJson("/v1/phrases", { method: "POST", json });
      slot.statusLine.textContent = UI.messages.phrase_saved;
      node.querySelector(".save-phrase details").open = false;
    } catch (error) {
      showError(error);
    }
  }

  // ---- generating: the stream when the service has it, else one JSON answer ------------------

  function handleEvent(name, data) {
    if (name === "analysis") {
      renderAnalysis(data, currentCustomerText);
    } else if (name === "drafts") {
      if (data.analysis) renderAnalysis(data.analysis, currentCustomerText);
      // The first drafts of a new message replace everything; later ones keep the agent's edits.
      if (firstDraftsOfMessage) renderDrafts(data.drafts || []);
      else replaceDrafts(data.drafts || []);
      firstDraftsOfMessage = false;
      renderNotes(data.agent_notes || []);
    } else if (name === "delta") {
      const slot = streamSlot(data.index, data.style);
      slot.textarea.value += data.text;
      autosize(slot);
      paintBackdrop(slot);
      showStatus(UI.messages.streaming);
    } else if (name === "error") {
      showError(new ApiError(0, { error: data }));
    } else if (name === "done") {
      showStatus(data && data.fallback_reason ? "已改用话术模板：" + data.fallback_reason : "");
      // Streamed LLM text was never checked as a whole: check what differs from the draft sent.
      slots.forEach((slot) => slot && slot.textarea.value !== slot.draft.text && scheduleCheck(slot));
    }
  }

  async function readStream(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let boundary;
      while ((boundary = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, boundary));
        buffer = buffer.slice(boundary + 2);
      }
    }
    if (buffer.trim()) dispatch(buffer);
  }

  function dispatch(block) {
    let name = "message";
    const data = [];
    block.split("\n").forEach((line) => {
      if (line.startsWith(":")) return;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    });
    if (!data.length) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join("\n"));
    } catch (parseError) {
      return;
    }
    handleEvent(name, parsed);
  }

  async function generate() {
    const text = messageBox.value;
    showError(null);
    if (!text.trim()) {
      showError({ message: UI.messages.empty });
      messageBox.focus();
      return;
    }
    const body = {
      text,
      context: parseContext($("context").value),
      customer_name: $("customer-name").value.trim() || null,
      mode: "auto",
      variants: 3,
    };
    currentCustomerText = text;
    firstDraftsOfMessage = true;
    generateButton.disabled = true;
    showStatus(UI.messages.generating);
    try {
      const response = await request("/v1/drafts/stream", {
        method: "POST",
        json: body,
        headers: { Accept: "text/event-stream" },
      });
      const type = response.headers.get("content-type") || "";
      if (response.status === 404 || response.status === 405) {
        const result = await callJson("/v1/drafts", { method: "POST", json: body });
        handleEvent("analysis", result.analysis);
        handleEvent("drafts", result);
        handleEvent("done", { fallback_reason: result.fallback_reason });
      } else if (!response.ok) {
        let errorBody = null;
        try {
          errorBody = await response.json();
        } catch (parseError) {
          errorBody = null;
        }
        throw new ApiError(response.status, errorBody);
      } else if (type.includes("text/event-stream")) {
        await readStream(response);
      } else {
        const result = await response.json();
        handleEvent("drafts", result);
        handleEvent("done", { fallback_reason: result.fallback_reason });
      }
    } catch (error) {
      showStatus("");
      showError(error);
    } finally {
      generateButton.disabled = false;
    }
  }

  // ---- follow-ups: promises made in sent replies that fall due soon --------------------------

  async function loadFollowups() {
    const due = new Date(Date.now() + UI.followup_window_hours * 3600 * 1000).toISOString();
    let answer;
    try {
      answer = await callJson("/v1/followups?due=" + encodeURIComponent(due));
    } catch (error) {
      return; // the workbench works without this list; drafting shows its own errors
    }
    const list = $("followup-list");
    list.textContent = "";
    $("followups").hidden = !answer.items.length;
    answer.items.forEach((item) => {
      const row = el("li");
      const when = new Date(item.due_at).toLocaleString("zh-CN", { hour12: false, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
      row.appendChild(el("span", item.overdue ? "due overdue" : "due", (item.overdue ? UI.messages.followup_overdue + " " : "") + when));
      const what = el("span", "what", "承诺“" + item.promise.text + "”：" + (item.sent_text || "").slice(0, 60));
      what.title = item.customer_text ? "客户：" + item.customer_text : "";
      row.appendChild(what);
      const done = el("button", "", "完成");
      done.type = "button";
      done.addEventListener("click", async () => {
        try {
          await callJson("/v1/followups/" + item.id + "/done", { method: "POST" });
          row.remove();
          $("followups").hidden = !list.children.length;
        } catch (error) {
          showError(error);
        }
      });
      row.appendChild(done);
      list.appendChild(row);
    });
  }

  loadFollowups();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    generate();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const target = event.target;
      if (target === messageBox || form.contains(target)) {
        event.preventDefault();
        generate();
      }
    }
  });
})();
