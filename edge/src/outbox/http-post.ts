import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/**
 * A POST of bytes that are already there, with node:http. `fetch` (undici) copies a Uint8Array
 * body before sending it (webstreams' `cloneAsUint8Array`): for a ~1 MB outbox body that is a fresh
 * 1 MB buffer per POST, and fresh pages cost ~8–20 µs each on this kind of machine. Here the body
 * goes to the socket as it is. Connections are kept alive (one agent per scheme; node's agent drops
 * an idle socket before the server's announced keep-alive timeout). The answer is read up to
 * `responseBytesMax` bytes (more ends the request with an error) and decoded as UTF-8.
 */
export interface PostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

export function postBytes(
  url: string,
  body: Uint8Array | string,
  contentType: string,
  signal: AbortSignal,
  responseBytesMax: number,
): Promise<PostAnswer> {
  return exchangeBytes('POST', url, body, contentType, signal, responseBytesMax);
}

/**
 * A GET the same way (the uploader's status asks): `fetch` cost about twice the CPU per exchange
 * (~0.9 against ~0.5 ms measured, a compact receipt's answer), 2.3 % of the gateway's CPU in
 * `bench:e2e`. It sends the `content-type` the fetch did, no body.
 */
export function getBytes(
  url: string,
  contentType: string,
  signal: AbortSignal,
  responseBytesMax: number,
): Promise<PostAnswer> {
  return exchangeBytes('GET', url, null, contentType, signal, responseBytesMax);
}

/** As `Response.text()` decodes: malformed bytes become U+FFFD and a leading BOM is dropped. */
const answerDecoder = new TextDecoder();

function exchangeBytes(
  method: 'POST' | 'GET',
  url: string,
  body: Uint8Array | string | null,
  contentType: string,
  signal: AbortSignal,
  responseBytesMax: number,
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      request.destroy();
      reject(error);
    };
    const target = new URL(url);
    const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
    const send = target.protocol === 'https:' ? https.request : http.request;
    const headers: Record<string, string | number> = { 'content-type': contentType };
    if (body !== null)
      headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const request = send(target, { method, agent, signal, headers });
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > responseBytesMax) fail(new Error(`response too large (over ${responseBytesMax} bytes)`));
        else chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('aborted', () => fail(new Error('response aborted')));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        const text = answerDecoder.decode(Buffer.concat(chunks, bytes));
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text });
      });
    });
    if (body === null) request.end();
    else request.end(body);
  });
}
