// The side panel: customer message → analysis and drafts → edit (guarded) → insert / copy / sent.
// Every change to the work in progress is written to chrome.storage.local at once, so a failed
// call, a closed panel or a stopped server never loses what the agent typed.
import { ApiError, callApi, serverBase, streamDrafts } from './lib/api.js';
import { t } from './lib/i18n.js';
import { chatTab, insertReply, readCustomerMessage, sourceLabel } from './lib/page.js';
import { loadSites } from './lib/sites.js';
import { loadSettings, loadWork, saveWork, takePickup } from './lib/store.js';

const CHECK_DELAY_MS = 600;
const STYLE_KEYS = { standard: 'styleStandard', soothing: 'styleSoothing', concise: 'styleConcise' };
const ESCALATION_KEYS = { none: 'escalationNone', supervisor: 'escalationSupervisor', crisis: 'escalationCrisis' };
const SEVERITY_KEYS = { high: 'severityHigh', medium: 'severityMedium', low: 'severityLow' };

const $ = (id) => document.getElementById(id);
let settings;
let work;
let generating = false;
let generateAgain = false;
let checkTimer = null;
let checkSequence = 0;

// ---- messages -------------------------------------------------------------------------------

function showError(message) {
  $('error-text').textContent = message;
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error-text').textContent = '';
}

function showStatus(message, ok = false) {
  $('status').textContent = message;
  $('status').classList.toggle('ok', ok);
}

function reportFailure(error) {
  showStatus('');
  showError(error instanceof ApiError ? error.message : String(error.message || error));
}

async function persist() {
  await saveWork(work);
}

// ---- rendering ------------------------------------------------------------------------------

function chip(text, className = '') {
  const element = document.createElement('span');
  element.className = `chip ${className}`.trim();
  element.textContent = text;
  return element;
}

function labelRow(term, chips) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.append(...chips);
  $('labels').append(dt, dd);
}

// Evidence offsets count Unicode code points of the text as sent (README): index Array.from.
function renderHighlighted(text, analysis) {
  const characters = Array.from(text);
  const marks = new Array(characters.length).fill(null);
  const families = [
    ['ev-demand', analysis.demands || []],
    ['ev-category', [analysis.category, analysis.secondary].filter(Boolean)],
    ['ev-emotion', [analysis.emotion].filter(Boolean)],
    ['ev-risk', analysis.risks || []],
  ];
  for (const [className, labels] of families) {
    for (const label of labels) {
      // One object per label, so neighbouring characters of the same label share one <mark>.
      const mark = { className, title: label.label };
      for (const span of label.evidence || []) {
        for (let i = Math.max(0, span.start); i < Math.min(span.end, characters.length); i += 1) {
          marks[i] = mark;
        }
      }
    }
  }
  const container = $('highlighted');
  container.replaceChildren();
  let i = 0;
  while (i < characters.length) {
    const mark = marks[i];
    let j = i + 1;
    while (j < characters.length && marks[j] === mark) j += 1;
    const piece = characters.slice(i, j).join('');
    if (mark) {
      const element = document.createElement('mark');
      element.className = mark.className;
      element.title = mark.title;
      element.textContent = piece;
      container.append(element);
    } else {
      container.append(document.createTextNode(piece));
    }
    i = j;
  }
}

function renderAnalysis() {
  const analysis = work.analysis;
  $('analysis-card').hidden = !analysis;
  if (!analysis) return;
  renderHighlighted(work.analyzedText || work.customerText, analysis);
  $('labels').replaceChildren();
  const categories = [chip(analysis.category.label, 'category')];
  if (analysis.secondary) categories.push(chip(t('secondary', analysis.secondary.label), 'category'));
  labelRow(t('labelCategory'), categories);
  labelRow(t('labelEmotion'), [chip(`${analysis.emotion.label} · ${t('intensity', analysis.emotion.intensity)}`, 'emotion')]);
  const risks = (analysis.risks || []).map((risk) => chip(risk.label, 'risk'));
  labelRow(t('labelRisks'), risks.length ? risks : [chip(t('noRisks'))]);
  const demands = (analysis.demands || []).map((demand) => chip(demand.label, 'demand'));
  labelRow(t('labelDemands'), demands.length ? demands : [chip(t('noRisks'))]);
  labelRow(t('labelEscalation'), [chip(t(ESCALATION_KEYS[analysis.escalation] || 'escalationNone'), analysis.escalation)]);
  $('notes').replaceChildren(
    ...(work.agentNotes || []).map((note) => {
      const item = document.createElement('li');
      item.textContent = note.text;
      return item;
    }),
  );
}

function draftHeader(draft, index) {
  const header = document.createElement('header');
  const style = document.createElement('span');
  style.className = 'style';
  style.textContent = `${index + 1}. ${t(STYLE_KEYS[draft.style] || 'styleStandard')}`;
  const source = document.createElement('span');
  source.textContent = draft.source === 'llm' ? t('sourceLlm') : t('sourceTemplate');
  header.append(style, source);
  if (draft.edited) {
    const badge = document.createElement('span');
    badge.className = 'badge edited';
    badge.textContent = t('draftEdited');
    header.append(badge);
  }
  if (draft.sent) {
    const badge = document.createElement('span');
    badge.className = 'badge sent';
    badge.textContent = t('draftSent');
    header.append(badge);
  }
  return header;
}

function renderDrafts() {
  const drafts = work.drafts || [];
  $('drafts-card').hidden = drafts.length === 0;
  for (const id of ['insert', 'copy', 'mark-sent']) $(id).disabled = drafts.length === 0;
  const container = $('drafts');
  $('drafts-card').append($('findings'));
  container.replaceChildren();
  drafts.forEach((draft, index) => {
    const card = document.createElement('div');
    card.className = 'draft' + (index === work.selected ? ' selected' : '');
    card.dataset.index = String(index);
    const editor = document.createElement('textarea');
    editor.value = draft.text;
    editor.setAttribute('aria-label', t('draftAria', index + 1));
    editor.addEventListener('focus', () => selectDraft(index));
    editor.addEventListener('input', () => editDraft(index, editor.value));
    card.append(draftHeader(draft, index), editor);
    card.addEventListener('click', () => selectDraft(index));
    container.append(card);
  });
  renderFindings();
}

function refreshDraftHeader(index) {
  const card = $('drafts').querySelector(`.draft[data-index="${index}"]`);
  if (card) card.querySelector('header').replaceWith(draftHeader(work.drafts[index], index));
}

// The guard's findings sit inside the selected draft's card, under the text they are about.
function renderFindings() {
  const container = $('findings');
  container.replaceChildren();
  const card = $('drafts').querySelector(`.draft[data-index="${work.selected}"]`);
  if (card) card.append(container);
  const draft = (work.drafts || [])[work.selected];
  if (!draft || !Array.isArray(draft.findings)) return;
  if (draft.findings.length === 0) {
    const ok = document.createElement('p');
    ok.className = 'ok';
    ok.textContent = `${t('guardTitle')}${t('statusCheckOk')}`;
    container.append(ok);
    return;
  }
  const title = document.createElement('p');
  title.textContent = t('guardTitle');
  const list = document.createElement('ul');
  container.append(title);
  for (const finding of draft.findings) {
    const item = document.createElement('li');
    const severity = document.createElement('span');
    severity.className = `sev-${finding.severity}`;
    severity.textContent = `[${t(SEVERITY_KEYS[finding.severity] || 'severityLow')}] ${finding.label}`;
    item.append(severity);
    if (finding.span && finding.span.text) item.append(`：「${finding.span.text}」`);
    if (finding.suggestion) item.append(` ${t('suggestion')}${finding.suggestion}`);
    list.append(item);
  }
  container.append(list);
}

function renderCustomer() {
  $('customer').value = work.customerText;
  $('customer-name').value = work.customerName || '';
  $('picked-from').textContent = work.pickedFrom ? `（${work.pickedFrom}）` : '';
}

function renderAll() {
  renderCustomer();
  renderAnalysis();
  renderDrafts();
}

function setBusy(busy) {
  generating = busy;
  $('generate').disabled = busy;
  $('pick').disabled = busy;
}

// ---- drafts ---------------------------------------------------------------------------------

function fromServer(draft) {
  return {
    id: draft.id,
    style: draft.style,
    source: draft.source,
    text: draft.text,
    original: draft.text,
    edited: false,
    findings: Array.isArray(draft.findings) ? draft.findings : null,
  };
}

// A later drafts event replaces what is shown, except drafts the agent has already edited.
function applyDrafts(drafts, notes, replaceAll) {
  const incoming = drafts.map(fromServer);
  if (!replaceAll) {
    (work.drafts || []).forEach((draft, index) => {
      if (draft.edited && index < incoming.length) incoming[index] = draft;
    });
  }
  work.drafts = incoming;
  if (replaceAll || work.selected >= incoming.length) work.selected = 0;
  if (Array.isArray(notes)) work.agentNotes = notes;
  renderDrafts();
  renderAnalysis();
}

function applyDelta(delta, streamedSlots) {
  let index = Number(delta.index);
  if (!Number.isInteger(index) || index < 0 || index > 5) return;
  // Slots fill in order; a gap would leave a hole in the stored list.
  index = Math.min(index, work.drafts.length);
  let draft = work.drafts[index];
  if (draft && draft.edited) return;
  if (!draft || !streamedSlots.has(index)) {
    draft = { id: `llm-${index}`, style: delta.style || 'standard', source: 'llm', text: '', original: '', edited: false, findings: null };
    work.drafts[index] = draft;
    streamedSlots.add(index);
    renderDrafts();
  }
  draft.text += delta.text || '';
  draft.original = draft.text;
  const editor = $('drafts').querySelector(`.draft[data-index="${index}"] textarea`);
  if (editor) editor.value = draft.text;
}

function selectDraft(index) {
  if (work.selected === index) return;
  work.selected = index;
  $('drafts')
    .querySelectorAll('.draft')
    .forEach((card) => card.classList.toggle('selected', Number(card.dataset.index) === index));
  renderFindings();
  persist();
}

function editDraft(index, text) {
  const draft = work.drafts[index];
  const wasEdited = draft.edited;
  draft.text = text;
  draft.edited = text !== draft.original;
  draft.sent = false;
  work.selected = index;
  persist();
  if (wasEdited !== draft.edited) refreshDraftHeader(index);
  scheduleCheck(index);
}

function scheduleCheck(index) {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => checkDraft(index), CHECK_DELAY_MS);
}

async function checkDraft(index) {
  const draft = work.drafts[index];
  if (!draft || !draft.text.trim()) return;
  const sequence = ++checkSequence;
  const text = draft.text;
  try {
    const body = { text };
    if (work.customerText.trim()) body.customer_text = work.customerText;
    const result = await callApi(settings, '/v1/check', { body });
    if (sequence !== checkSequence || draft.text !== text) return;
    draft.findings = result.findings;
    await persist();
    if (work.selected === index) renderFindings();
  } catch (error) {
    if (sequence === checkSequence) reportFailure(error);
  }
}

// ---- actions --------------------------------------------------------------------------------

function requestBody(text) {
  const body = { text, mode: settings.mode, variants: 3 };
  const name = $('customer-name').value.trim();
  if (name) body.customer_name = name;
  if (settings.shopName) body.shop_name = settings.shopName;
  if (settings.agentName) body.agent_name = settings.agentName;
  return body;
}

async function runStream(body) {
  const streamedSlots = new Set();
  let first = true;
  for await (const { event, data } of streamDrafts(settings, body)) {
    if (event === 'analysis') {
      work.analysis = data;
      work.analyzedText = body.text;
      renderAnalysis();
    } else if (event === 'drafts') {
      applyDrafts(data.drafts || [], data.agent_notes, first);
      first = false;
      streamedSlots.clear();
    } else if (event === 'delta') {
      if (first) {
        work.drafts = [];
        first = false;
      }
      applyDelta(data, streamedSlots);
      showStatus(t('statusStreaming'));
    } else if (event === 'error') {
      const error = data && data.error ? data.error : data;
      showError((error && error.message) || t('errStreamBroken', ''));
    } else if (event === 'done') {
      const reason = data && data.fallback_reason;
      showStatus(reason ? t('statusFallback', reason) : t('statusReady'), !reason);
      // Streamed text arrived without the guard's findings: check it like an edit.
      for (const index of streamedSlots) checkDraft(index);
    }
    await persist();
  }
}

async function runPlain(body) {
  const result = await callApi(settings, '/v1/drafts', { body, slow: true });
  work.analysis = result.analysis;
  work.analyzedText = body.text;
  applyDrafts(result.drafts || [], result.agent_notes || [], true);
  await persist();
  const reason = result.fallback_reason;
  showStatus(reason ? t('statusFallback', reason) : t('statusReady'), !reason);
}

async function generate() {
  const text = $('customer').value.trim();
  if (!text) {
    showError(t('errEmptyCustomer'));
    return;
  }
  if (generating) {
    generateAgain = true; // a message picked up meanwhile is analysed right after
    return;
  }
  setBusy(true);
  clearError();
  showStatus(t('statusAnalyzing'));
  work.customerText = $('customer').value;
  work.customerName = $('customer-name').value;
  await persist();
  const body = requestBody(text);
  try {
    try {
      await runStream(body);
    } catch (error) {
      if (!(error instanceof ApiError) || error.kind !== 'no_stream') throw error;
      await runPlain(body);
    }
  } catch (error) {
    reportFailure(error);
  } finally {
    setBusy(false);
  }
  if (generateAgain) {
    generateAgain = false;
    await generate();
  }
}

async function applyPickup(pickup) {
  if (!pickup) return;
  if (pickup.error) {
    showError(pickup.error);
    return;
  }
  if (!pickup.text) return;
  work.customerText = pickup.text;
  work.pickedFrom = sourceLabel(pickup);
  if (pickup.tabId !== undefined && pickup.tabId !== null) work.tabId = pickup.tabId;
  await persist();
  renderCustomer();
  showStatus(t('statusPicked', work.pickedFrom));
  await generate();
}

async function pickFromPage() {
  clearError();
  try {
    const tab = await chatTab(work.tabId);
    const picked = await readCustomerMessage(tab.id, await loadSites());
    await applyPickup({ ...picked, tabId: tab.id });
  } catch (error) {
    reportFailure(error);
  }
}

function selectedDraft() {
  const draft = (work.drafts || [])[work.selected];
  if (!draft || !draft.text.trim()) {
    showError(t('errEmptyDraft'));
    return null;
  }
  return draft;
}

async function insertIntoPage() {
  const draft = selectedDraft();
  if (!draft) return;
  clearError();
  try {
    const tab = await chatTab(work.tabId);
    await insertReply(tab.id, draft.text, await loadSites());
    work.tabId = tab.id;
    await persist();
    showStatus(t('statusInserted'), true);
  } catch (error) {
    reportFailure(error);
  }
}

async function copyDraft() {
  const draft = selectedDraft();
  if (!draft) return;
  clearError();
  try {
    await navigator.clipboard.writeText(draft.text);
  } catch (error) {
    // The Clipboard API needs a focused document; the older command works from a click.
    const scratch = document.createElement('textarea');
    scratch.value = draft.text;
    document.body.append(scratch);
    scratch.select();
    const copied = document.execCommand('copy');
    scratch.remove();
    if (!copied) {
      showError(t('errClipboard', error.message || String(error)));
      return;
    }
  }
  showStatus(t('statusCopied'), true);
}

async function markSent() {
  const draft = selectedDraft();
  if (!draft) return;
  clearError();
  // One idempotency key per text: a retry after a failure is not recorded twice.
  if (!work.pendingSend || work.pendingSend.text !== draft.text || work.pendingSend.draftId !== draft.id) {
    work.pendingSend = { key: crypto.randomUUID(), text: draft.text, draftId: draft.id };
    await persist();
  }
  const body = {
    draft_id: draft.id,
    text: draft.text,
    customer_text: work.customerText,
    source: draft.source,
    style: draft.style,
    edited: draft.edited,
    original_text: draft.original,
  };
  if (work.analysis) body.category = work.analysis.category.code;
  if (settings.shopName) body.shop_name = settings.shopName;
  if (settings.agentName) body.agent_name = settings.agentName;
  try {
    await callApi(settings, '/v1/replies', { body, headers: { 'Idempotency-Key': work.pendingSend.key } });
    draft.sent = true;
    work.pendingSend = null;
    await persist();
    refreshDraftHeader(work.selected);
    showStatus(t('statusSent'), true);
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'not_found') showError(t('errRepliesMissing'));
    else reportFailure(error);
  }
}

// ---- start ----------------------------------------------------------------------------------

function showServer() {
  try {
    $('server').textContent = serverBase(settings);
  } catch (error) {
    $('server').textContent = error.message;
  }
}

async function start() {
  settings = await loadSettings();
  work = await loadWork();
  showServer();
  renderAll();
  if ((work.drafts || []).some((draft) => draft.edited)) showStatus(t('statusRestored'));

  $('generate').addEventListener('click', generate);
  $('pick').addEventListener('click', pickFromPage);
  $('insert').addEventListener('click', insertIntoPage);
  $('copy').addEventListener('click', copyDraft);
  $('mark-sent').addEventListener('click', markSent);
  $('error-close').addEventListener('click', clearError);
  $('open-options').addEventListener('click', (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  $('customer').addEventListener('input', () => {
    work.customerText = $('customer').value;
    work.pickedFrom = '';
    persist();
  });
  $('customer-name').addEventListener('input', () => {
    work.customerName = $('customer-name').value;
    persist();
  });
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'session' && changes.pickup && changes.pickup.newValue) {
      takePickup().then(applyPickup);
    }
    if (area === 'local' && changes.settings) {
      loadSettings().then((fresh) => {
        settings = fresh;
        showServer();
      });
    }
  });
  await applyPickup(await takePickup());
  document.body.dataset.ready = 'true';
}

start();
