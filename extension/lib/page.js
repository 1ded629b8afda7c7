// The chat page, reached through chrome.scripting from the panel or the service worker.
import { ApiError } from './api.js';
import { t } from './i18n.js';

// Without the "tabs" permission a tab's URL is only visible where the extension has access;
// an unknown URL may still be the chat page (activeTab), so only known non-web pages are skipped.
function tabUrl(tab) {
  return (tab && (tab.url || tab.pendingUrl)) || '';
}

function isWebTab(tab) {
  if (!tab || tab.id === undefined) return false;
  const url = tabUrl(tab);
  return url === '' || /^https?:/.test(url);
}

// The tab the agent is chatting in: the active web tab of the focused window (the side panel's
// own window), else the tab the last message came from, else the most recently used web tab.
export async function chatTab(rememberedTabId) {
  const [active] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  if (isWebTab(active)) return active;
  if (rememberedTabId !== null && rememberedTabId !== undefined) {
    try {
      const remembered = await chrome.tabs.get(rememberedTabId);
      if (isWebTab(remembered)) return remembered;
    } catch {
      // closed since
    }
  }
  const tabs = (await chrome.tabs.query({})).filter(isWebTab);
  const known = (tab) => (tabUrl(tab) ? 1 : 0);
  tabs.sort((a, b) => known(b) - known(a) || (b.lastAccessed || 0) - (a.lastAccessed || 0));
  if (!tabs.length) throw new ApiError('page', t('errNoTab'));
  return tabs[0];
}

async function run(target, func, args) {
  try {
    await chrome.scripting.executeScript({ target, files: ['content.js'] });
    return await chrome.scripting.executeScript({ target, func, args });
  } catch (error) {
    throw new ApiError('page', t('errPageAccess', error.message || String(error)));
  }
}

const SOURCE_RANK = { selection: 3, site: 2, generic: 1, none: 0 };

// The selected text, else the newest customer message by the site's selectors; every frame.
export async function readCustomerMessage(tabId, sites) {
  const results = await run({ tabId, allFrames: true }, (config) => globalThis.__huashuPage.read(config), [sites]);
  let best = null;
  for (const { result } of results) {
    if (!result || !result.text) continue;
    if (!best || SOURCE_RANK[result.source] > SOURCE_RANK[best.source]) best = result;
  }
  if (!best) throw new ApiError('page', t('errNoMessage'));
  return best;
}

export async function insertReply(tabId, text, sites) {
  const located = await run({ tabId, allFrames: true }, (config) => globalThis.__huashuPage.locate(config), [sites]);
  let best = null;
  for (const { frameId, result } of located) {
    if (result && result.score > 0 && (!best || result.score > best.score)) best = { frameId, score: result.score };
  }
  if (!best) throw new ApiError('page', t('errNoReplyBox'));
  const [inserted] = await run(
    { tabId, frameIds: [best.frameId] },
    (reply, config) => globalThis.__huashuPage.insert(reply, config),
    [text, sites],
  );
  if (!inserted || !inserted.result || !inserted.result.ok) throw new ApiError('page', t('errNoReplyBox'));
  return inserted.result;
}

export function sourceLabel(picked) {
  if (picked.source === 'selection') return t('sourceSelection');
  if (picked.source === 'site') return t('sourceSite', picked.site);
  if (picked.source === 'menu') return t('sourceMenu');
  return t('sourceGeneric');
}
