// UI strings live in _locales/zh_CN/messages.json; this only looks them up.
export function t(key, ...substitutions) {
  return chrome.i18n.getMessage(key, substitutions.map(String)) || key;
}
