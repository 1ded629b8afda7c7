// Injected on demand into the chat page (chrome.scripting, never declared for every site).
// It reads the customer's message and puts the agent's reply into the page's reply box.
// It never calls the Huashu service and never sees the API key.
(() => {
  if (globalThis.__huashuPage) return;

  const EDITABLE_INPUT_TYPES = new Set(['text', 'search', '']);

  function hostMatches(hostname, hosts) {
    return (hosts || []).some((host) => hostname === host || hostname.endsWith('.' + host));
  }

  function siteFor(config) {
    const hostname = location.hostname;
    return (config.sites || []).find((site) => hostMatches(hostname, site.hosts)) || null;
  }

  function visible(element) {
    return element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
  }

  function lastMatch(selectors, accept) {
    for (const selector of selectors || []) {
      let found;
      try {
        found = Array.from(document.querySelectorAll(selector));
      } catch {
        continue; // a broken selector in the data must not stop the others
      }
      const usable = found.filter((element) => visible(element) && accept(element));
      if (usable.length) return usable[usable.length - 1];
    }
    return null;
  }

  function isEditable(element) {
    if (!element || element.disabled || element.readOnly) return false;
    if (element instanceof HTMLTextAreaElement) return true;
    if (element instanceof HTMLInputElement) return EDITABLE_INPUT_TYPES.has(element.type);
    return element.isContentEditable;
  }

  function selectedText() {
    const selection = window.getSelection();
    return selection ? selection.toString().trim() : '';
  }

  function read(config) {
    const selection = selectedText();
    if (selection) return { text: selection, source: 'selection', site: '' };
    const site = siteFor(config);
    const hasText = (element) => element.innerText.trim().length > 0;
    if (site) {
      const element = lastMatch(site.customer_message, hasText);
      if (element) return { text: element.innerText.trim(), source: 'site', site: site.name };
    }
    const element = lastMatch((config.generic || {}).customer_message, hasText);
    if (element) return { text: element.innerText.trim(), source: 'generic', site: '' };
    return { text: '', source: 'none', site: '' };
  }

  // The reply box: the editable element the agent last focused, else the site's, else generic.
  function findReplyBox(config) {
    const active = document.activeElement;
    // A focused single-line input is more often a search box than the reply box.
    if (isEditable(active) && !(active instanceof HTMLInputElement) && visible(active)) {
      return { element: active, score: 3 };
    }
    const site = siteFor(config);
    if (site) {
      const element = lastMatch(site.reply_box, isEditable);
      if (element) return { element, score: 2 };
    }
    const element = lastMatch((config.generic || {}).reply_box, isEditable);
    return element ? { element, score: 1 } : { element: null, score: 0 };
  }

  function locate(config) {
    return { score: findReplyBox(config).score };
  }

  // React tracks a field's value on the element itself; the prototype's setter bypasses that
  // tracker so the framework sees a change when the input event arrives (Vue listens to input).
  function setFieldValue(element, text) {
    const prototype =
      element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    const setter = Object.getOwnPropertyDescriptor(prototype, 'value').set;
    element.focus();
    setter.call(element, text);
    element.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
    element.dispatchEvent(new Event('change', { bubbles: true }));
    return 'value-setter';
  }

  // Rich editors (Draft.js, Slate, ProseMirror, CKEditor) follow the browser's own editing
  // commands; execCommand('insertText') fires trusted beforeinput/input events they handle.
  function setEditableText(element, text) {
    element.focus();
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    const inserted = document.execCommand('insertText', false, text);
    if (inserted && element.innerText.trim() === text.trim()) return 'execCommand';
    const before = new InputEvent('beforeinput', {
      bubbles: true,
      cancelable: true,
      inputType: 'insertReplacementText',
      data: text,
    });
    if (element.dispatchEvent(before)) element.innerText = text;
    element.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText', data: text }));
    return 'input-event';
  }

  function insert(text, config) {
    const { element } = findReplyBox(config);
    if (!element) return { ok: false, reason: 'no_reply_box' };
    const kind = element.isContentEditable ? 'contenteditable' : element.tagName.toLowerCase();
    const via = element.isContentEditable ? setEditableText(element, text) : setFieldValue(element, text);
    return { ok: true, kind, via };
  }

  globalThis.__huashuPage = { read, locate, insert };
})();
