// Service worker: the context menu 用话术分析, the keyboard shortcut and opening the side panel.
// It hands picked-up text to the panel through chrome.storage.session; the panel makes the calls.
import { t } from './lib/i18n.js';
import { readCustomerMessage } from './lib/page.js';
import { loadSites } from './lib/sites.js';
import { putPickup } from './lib/store.js';

const MENU_ID = 'huashu-analyze';
const COMMAND_ID = 'analyze-selection';

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({ id: MENU_ID, title: t('menuAnalyze'), contexts: ['selection'] });
  });
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
});

// sidePanel.open must run inside the user gesture, before any await.
function openPanel(tab) {
  if (!tab || tab.windowId === undefined) return Promise.resolve(false);
  return chrome.sidePanel.open({ windowId: tab.windowId }).then(
    () => true,
    () => false,
  );
}

export async function handleMenuClick(info, tab) {
  if (info.menuItemId !== MENU_ID) return null;
  const opened = openPanel(tab);
  const pickup = { text: (info.selectionText || '').trim(), tabId: tab ? tab.id : null, source: 'menu', site: '' };
  await putPickup(pickup);
  await opened;
  return pickup;
}

export async function handleCommand(command, tab) {
  if (command !== COMMAND_ID) return null;
  const opened = openPanel(tab);
  let pickup;
  try {
    const picked = await readCustomerMessage(tab.id, await loadSites());
    pickup = { ...picked, tabId: tab.id };
  } catch (error) {
    pickup = { text: '', tabId: tab ? tab.id : null, source: 'none', error: error.message };
  }
  await putPickup(pickup);
  await opened;
  return pickup;
}

chrome.contextMenus.onClicked.addListener((info, tab) => {
  handleMenuClick(info, tab);
});
chrome.commands.onCommand.addListener((command, tab) => {
  handleCommand(command, tab);
});

// For the browser tests and debugging from the service worker console.
globalThis.huashu = { handleMenuClick, handleCommand };
