// Per-site selectors: the bundled sites.json, or the agent's edited copy from the options page.
import { t } from './i18n.js';

const SELECTOR_LISTS = ['customer_message', 'reply_box'];

export async function bundledSitesText() {
  const response = await fetch(chrome.runtime.getURL('sites.json'));
  return response.text();
}

function checkSelectors(where, entry, checkSelector) {
  for (const list of SELECTOR_LISTS) {
    const selectors = entry[list];
    if (!Array.isArray(selectors) || !selectors.every((s) => typeof s === 'string' && s.trim())) {
      throw new Error(t('sitesNotList', where, list));
    }
    if (checkSelector) {
      for (const selector of selectors) {
        if (!checkSelector(selector)) throw new Error(t('sitesBadSelector', where, list, selector));
      }
    }
  }
}

// Parse and validate; errors name the entry and field, in Chinese, for the options page.
export function parseSites(text, checkSelector = null) {
  let config;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new Error(t('errSitesInvalid', t('sitesBadJson', error.message)));
  }
  try {
    if (!config || typeof config !== 'object' || !Array.isArray(config.sites)) {
      throw new Error(t('sitesNoSites'));
    }
    config.sites.forEach((site, index) => {
      const where = `sites[${index}]${site && site.name ? `（${site.name}）` : ''}`;
      if (!site || typeof site !== 'object') throw new Error(t('sitesNotObject', where));
      if (typeof site.name !== 'string' || !site.name.trim()) throw new Error(t('sitesNoName', where));
      if (!Array.isArray(site.hosts) || !site.hosts.length || !site.hosts.every((h) => typeof h === 'string' && /^[a-z0-9.-]+$/i.test(h))) {
        throw new Error(t('sitesBadHosts', where));
      }
      checkSelectors(where, site, checkSelector);
    });
    if (!config.generic || typeof config.generic !== 'object') throw new Error(t('sitesNoGeneric'));
    checkSelectors('generic', config.generic, checkSelector);
  } catch (error) {
    throw new Error(t('errSitesInvalid', error.message));
  }
  return config;
}

export async function loadSitesText() {
  const { sitesJson } = await chrome.storage.local.get('sitesJson');
  return sitesJson || bundledSitesText();
}

export async function loadSites() {
  const { sitesJson } = await chrome.storage.local.get('sitesJson');
  if (sitesJson) {
    try {
      return parseSites(sitesJson);
    } catch {
      // An edit that no longer parses falls back to the bundled file; the options page says why.
    }
  }
  return parseSites(await bundledSitesText());
}

export function siteOrigins(config) {
  return config.sites.flatMap((site) => site.hosts.flatMap((host) => [`https://${host}/*`, `https://*.${host}/*`]));
}
