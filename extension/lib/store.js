// Settings and the agent's work in progress, kept in chrome.storage so nothing is lost when a
// call fails, the panel closes or the browser restarts.
export const DEFAULT_SETTINGS = Object.freeze({
  serverUrl: 'http://127.0.0.1:8000',
  apiKey: '',
  shopName: '',
  agentName: '',
  mode: 'auto',
  timeoutSeconds: 20,
});

export const MODES = ['auto', 'template', 'llm'];

export async function loadSettings() {
  const { settings } = await chrome.storage.local.get('settings');
  return { ...DEFAULT_SETTINGS, ...(settings || {}) };
}

export async function saveSettings(settings) {
  const clean = {};
  for (const key of ['serverUrl', 'apiKey', 'shopName', 'agentName', 'mode']) {
    clean[key] = typeof settings[key] === 'string' ? settings[key].trim() : DEFAULT_SETTINGS[key];
  }
  if (!MODES.includes(clean.mode)) clean.mode = DEFAULT_SETTINGS.mode;
  const seconds = Number(settings.timeoutSeconds);
  clean.timeoutSeconds = Number.isFinite(seconds) && seconds >= 2 && seconds <= 120 ? seconds : DEFAULT_SETTINGS.timeoutSeconds;
  await chrome.storage.local.set({ settings: clean });
  return clean;
}

export function emptyWork() {
  return {
    customerText: '',
    customerName: '',
    pickedFrom: '',
    tabId: null,
    analysis: null,
    drafts: [],
    agentNotes: [],
    selected: 0,
    findings: null,
    pendingSend: null,
    updatedAt: 0,
  };
}

export async function loadWork() {
  const { work } = await chrome.storage.local.get('work');
  const restored = { ...emptyWork(), ...(work || {}) };
  restored.drafts = Array.isArray(restored.drafts) ? restored.drafts.filter((draft) => draft && typeof draft.text === 'string') : [];
  return restored;
}

export async function saveWork(work) {
  work.updatedAt = Date.now();
  await chrome.storage.local.set({ work });
}

// A message picked up by the context menu or the shortcut, handed from the service worker.
export async function putPickup(pickup) {
  await chrome.storage.session.set({ pickup: { ...pickup, at: Date.now() } });
}

export async function takePickup() {
  const { pickup } = await chrome.storage.session.get('pickup');
  if (pickup) await chrome.storage.session.remove('pickup');
  return pickup || null;
}
