// Server-sent events from a fetch body (ReadableStream of bytes): yields {event, data}.
// Follows the HTML spec's parsing: lines end in \n, \r\n or \r; "data" lines join with \n;
// comments (":") are ignored; an event is dispatched at a blank line. An event left open when
// the stream ends is still dispatched, so a server that forgets the last blank line loses nothing.
export async function* readEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let event = '';
  let data = [];

  function take() {
    const ready = data.length ? { event: event || 'message', data: data.join('\n') } : null;
    event = '';
    data = [];
    return ready;
  }

  function feed(line) {
    if (line === '') return take();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    return null;
  }

  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A \r at the very end may be the first half of \r\n: wait for the next chunk.
      const lineEnd = done ? /\r\n|\r|\n/ : /\r\n|\r(?!$)|\n/;
      let match;
      while ((match = lineEnd.exec(buffer))) {
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        const ready = feed(line);
        if (ready) yield ready;
      }
      if (done) {
        if (buffer) feed(buffer);
        const last = take();
        if (last) yield last;
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
