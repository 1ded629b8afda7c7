// Options: server, key, shop and agent names, default mode; the per-site selectors.
import { ApiError, serverBase, testConnection } from './lib/api.js';
import { t } from './lib/i18n.js';
import { bundledSitesText, loadSitesText, parseSites, siteOrigins } from './lib/sites.js';
import { loadSettings, saveSettings } from './lib/store.js';

const $ = (id) => document.getElementById(id);

function formSettings() {
  return {
    serverUrl: $('server-url').value,
    apiKey: $('api-key').value,
    shopName: $('shop-name').value,
    agentName: $('agent-name').value,
    mode: $('mode').value,
    timeoutSeconds: Number($('timeout').value),
  };
}

function say(id, message, ok) {
  $(id).textContent = message;
  $(id).className = `result ${ok ? 'ok' : 'error'}`;
}

function isValidSelector(selector) {
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

// Host permission for the server, asked for inside the click (a user gesture) before any await.
function askForServer(settings) {
  let origin;
  try {
    origin = new URL(serverBase(settings)).origin;
  } catch (error) {
    return Promise.reject(error);
  }
  return chrome.permissions.request({ origins: [`${origin}/*`] }).then(
    (granted) => ({ origin, granted }),
    () => ({ origin, granted: false }),
  );
}

async function save() {
  const settings = formSettings();
  const permission = askForServer(settings);
  try {
    const { origin, granted } = await permission;
    await saveSettings(settings);
    say('result', granted ? t('saved') : `${t('saved')} ${t('permissionDenied', origin)}`, granted);
  } catch (error) {
    say('result', error.message, false);
  }
}

async function test() {
  say('result', '…', true);
  try {
    say('result', await testConnection(formSettings()), true);
  } catch (error) {
    say('result', error instanceof ApiError ? error.message : String(error), false);
  }
}

async function saveSites() {
  const text = $('sites-json').value;
  try {
    const config = parseSites(text, isValidSelector);
    await chrome.storage.local.set({ sitesJson: text });
    say('sites-result', t('sitesSaved', config.sites.length), true);
  } catch (error) {
    say('sites-result', error.message, false);
  }
}

async function resetSites() {
  await chrome.storage.local.remove('sitesJson');
  $('sites-json').value = await bundledSitesText();
  say('sites-result', t('sitesReset'), true);
}

function grantSites() {
  let config;
  try {
    config = parseSites($('sites-json').value, isValidSelector);
  } catch (error) {
    say('sites-result', error.message, false);
    return;
  }
  chrome.permissions.request({ origins: siteOrigins(config) }).then(
    (granted) => say('sites-result', granted ? t('sitesGranted', config.sites.length) : t('permissionDenied', ''), granted),
    (error) => say('sites-result', error.message, false),
  );
}

async function start() {
  const settings = await loadSettings();
  $('server-url').value = settings.serverUrl;
  $('api-key').value = settings.apiKey;
  $('shop-name').value = settings.shopName;
  $('agent-name').value = settings.agentName;
  $('mode').value = settings.mode;
  $('timeout').value = String(settings.timeoutSeconds);
  $('origin').textContent = `chrome-extension://${chrome.runtime.id}`;
  $('sites-json').value = await loadSitesText();
  $('save').addEventListener('click', save);
  $('test').addEventListener('click', test);
  $('sites-save').addEventListener('click', saveSites);
  $('sites-reset').addEventListener('click', resetSites);
  $('sites-grant').addEventListener('click', grantSites);
  document.body.dataset.ready = 'true';
}

start();
