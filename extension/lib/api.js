// Every call to the Huashu service. Only extension pages and the service worker use this, never
// the content script: the API key stays out of the chat page.
import { t } from './i18n.js';
import { readEvents } from './sse.js';

// The options page sets the timeout; drafts (an LLM may be thinking) get twice as long.
export function timeoutMs(settings, factor = 1) {
  const seconds = Number(settings.timeoutSeconds) || 20;
  return Math.round(seconds * 1000 * factor);
}

export class ApiError extends Error {
  // kind: network | timeout | auth | not_found | no_stream | client | server | config | stream
  constructor(kind, message, { status = 0, code = '', detail = '' } = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export function serverBase(settings) {
  const raw = (settings.serverUrl || '').trim();
  if (!raw) throw new ApiError('config', t('errNoServer'));
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError('config', t('errBadUrl', raw));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError('config', t('errBadUrl', raw));
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function requestHeaders(settings, extra = {}) {
  const headers = { Accept: 'application/json', ...extra };
  if (settings.apiKey) headers.Authorization = `Bearer ${settings.apiKey}`;
  return headers;
}

async function send(settings, path, init, timeoutMs) {
  const base = serverBase(settings);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(base + path, { ...init, signal: controller.signal, cache: 'no-store' });
  } catch (error) {
    if (controller.signal.aborted) {
      throw new ApiError('timeout', t('errTimeout', Math.round(timeoutMs / 1000)));
    }
    throw new ApiError('network', t('errNetwork', base), { detail: String(error) });
  } finally {
    clearTimeout(timer);
  }
}

// The contract's {"error": {code, message, message_en}} turned into an ApiError.
export function errorFromBody(status, body) {
  const error = body && typeof body === 'object' ? body.error : null;
  const code = error && typeof error.code === 'string' ? error.code : '';
  if (status === 401) {
    const message = code === 'api_key_missing' ? t('errKeyMissing') : t('errKeyInvalid');
    return new ApiError('auth', message, { status, code });
  }
  if (status === 404) return new ApiError('not_found', (error && error.message) || t('errServer', status), { status, code });
  if (status === 405) return new ApiError('not_found', (error && error.message) || t('errServer', status), { status, code });
  if (status >= 400 && status < 500 && error && error.message) {
    return new ApiError('client', error.message, { status, code, detail: error.message_en || '' });
  }
  return new ApiError('server', (error && error.message) || t('errServer', status), { status, code });
}

async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return errorFromBody(response.status, body);
}

export async function callApi(settings, path, { method = 'POST', body, headers = {}, slow = false } = {}) {
  const init = { method, headers: requestHeaders(settings, headers) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const response = await send(settings, path, init, timeoutMs(settings, slow ? 2 : 1));
  if (!response.ok) throw await failure(response);
  return response.json();
}

// POST /v1/drafts/stream: yields {event, data} with data parsed as JSON. A server without the
// stream (404/405) raises ApiError('no_stream') so the caller can fall back to /v1/drafts.
export async function* streamDrafts(settings, body) {
  const init = {
    method: 'POST',
    headers: requestHeaders(settings, { Accept: 'text/event-stream', 'Content-Type': 'application/json' }),
    body: JSON.stringify(body),
  };
  const response = await send(settings, '/v1/drafts/stream', init, timeoutMs(settings));
  const idleMs = timeoutMs(settings, 2);
  if (response.status === 404 || response.status === 405) {
    throw new ApiError('no_stream', '', { status: response.status });
  }
  if (!response.ok) throw await failure(response);
  const events = readEvents(response.body);
  for (;;) {
    let timer;
    const idle = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new ApiError('timeout', t('errTimeout', Math.round(idleMs / 1000)))),
        idleMs,
      );
    });
    let step;
    try {
      step = await Promise.race([events.next(), idle]);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError('stream', t('errStreamBroken', String(error)), { detail: String(error) });
    } finally {
      clearTimeout(timer);
    }
    if (step.done) return;
    let data = null;
    try {
      data = step.value.data ? JSON.parse(step.value.data) : null;
    } catch {
      throw new ApiError('stream', t('errStreamBroken', step.value.event));
    }
    yield { event: step.value.event, data };
  }
}

// The options page's "test connection": the health check, then one keyed call.
export async function testConnection(settings) {
  const health = await send(settings, '/healthz', { method: 'GET' }, 5000);
  let body = null;
  try {
    body = await health.json();
  } catch {
    body = null;
  }
  if (!health.ok || !body || body.status !== 'ok') {
    throw new ApiError('server', t('testHealthBad', health.status), { status: health.status });
  }
  if (settings.apiKey) {
    // A server without keys accepts any key: say so rather than call the key valid.
    const open = await callApi({ ...settings, apiKey: '' }, '/v1/check', { body: { text: t('probeText') } }).then(
      () => true,
      () => false,
    );
    if (open) return t('testOkOpen');
  }
  await callApi(settings, '/v1/check', { body: { text: t('probeText') } });
  return settings.apiKey ? t('testOk') : t('testOkOpen');
}
