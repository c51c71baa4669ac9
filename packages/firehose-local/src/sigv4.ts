import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The signing credentials the server accepts. */
export type AccessKey = { accessKeyId: string; secretAccessKey: string };

/** Why a request's signature was refused, in AWS's words. */
export class SignatureError extends Error {
  constructor(
    readonly type:
      | 'MissingAuthenticationTokenException'
      | 'IncompleteSignatureException'
      | 'UnrecognizedClientException'
      | 'InvalidSignatureException',
    message: string,
  ) {
    super(message);
  }
}

/** AWS accepts request times within 15 minutes of its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

type SignedRequest = {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
};

const sha256Hex = (data: string | Buffer) =>
  createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map(pair => {
      const eq = pair.indexOf('=');
      const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
      return [uriEncode(key), uriEncode(value)] as const;
    })
    .sort(([ak, av], [bk, bv]) => {
      if (ak !== bk) return ak < bk ? -1 : 1;
      if (av === bv) return 0;
      return av < bv ? -1 : 1;
    })
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : value ?? '';
  return text.trim().replace(/\s+/g, ' ');
}

/** Parses `YYYYMMDD'T'HHMMSS'Z'`; NaN when malformed. */
function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** What the Authorization and date headers say, once checked. */
type HeaderParts = {
  accessKeyId: string;
  secret: string;
  amzDate: string;
  day: string;
  region: string;
  service: string;
  signedHeaderList: string;
  signedHeaders: string[];
  signature: string;
};

/**
 * Verifies AWS Signature Version 4 on a request, as Firehose does: the access
 * key must be known, the signature must match the canonical request
 * (method, path, query, signed headers, payload hash) under the key's secret,
 * and the request time must be within {@link MAX_CLOCK_SKEW_MS}.
 *
 * Signing keys are cached per key, day, region and service, so the cost per
 * request is two SHA-256 digests and one HMAC.
 */
export class SigV4Verifier {
  private readonly secrets: Map<string, string>;
  private readonly signingKeys = new Map<string, Buffer>();

  constructor(
    accessKeys: AccessKey[],
    private readonly now: () => number = Date.now,
  ) {
    this.secrets = new Map(
      accessKeys.map(k => [k.accessKeyId, k.secretAccessKey]),
    );
  }

  /**
   * The checks that need no body: a known key, a fresh date, the header's
   * shape. Run before the body is read, so an unsigned or stale request is
   * refused without taking its bytes. Throws {@link SignatureError}.
   */
  verifyHeaders(request: Omit<SignedRequest, 'body'>): HeaderParts {
    const authorization = headerValue(request.headers, 'authorization');
    if (!authorization) {
      throw new SignatureError(
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
      );
    }
    const match = AUTHORIZATION.exec(authorization);
    if (!match) {
      throw new SignatureError(
        'IncompleteSignatureException',
        `Authorization header must be ${ALGORITHM} with Credential, SignedHeaders and Signature`,
      );
    }
    const [, credential, signedHeaderList, signature] = match;
    const [accessKeyId, day, region, service, terminator, ...rest] =
      credential.split('/');
    if (terminator !== 'aws4_request' || rest.length || !day || !service) {
      throw new SignatureError(
        'IncompleteSignatureException',
        `Credential must be <key>/<yyyymmdd>/<region>/<service>/aws4_request, got '${credential}'`,
      );
    }
    const secret = this.secrets.get(accessKeyId);
    if (secret === undefined) {
      throw new SignatureError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }

    const amzDate = headerValue(request.headers, 'x-amz-date');
    const signedAt = parseAmzDate(amzDate);
    if (Number.isNaN(signedAt)) {
      throw new SignatureError(
        'IncompleteSignatureException',
        'X-Amz-Date header is missing or not in the form YYYYMMDDTHHMMSSZ',
      );
    }
    if (!amzDate.startsWith(day)) {
      throw new SignatureError(
        'InvalidSignatureException',
        `Credential date ${day} does not match X-Amz-Date ${amzDate}`,
      );
    }
    if (Math.abs(this.now() - signedAt) > MAX_CLOCK_SKEW_MS) {
      throw new SignatureError(
        'InvalidSignatureException',
        `Signature expired: ${amzDate} is more than 15 minutes from the server's time`,
      );
    }

    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) {
      throw new SignatureError(
        'IncompleteSignatureException',
        'SignedHeaders must include host',
      );
    }
    return {
      accessKeyId,
      secret,
      amzDate,
      day,
      region,
      service,
      signedHeaderList,
      signedHeaders,
      signature,
    };
  }

  /** Throws {@link SignatureError} unless the request is correctly signed. */
  verify(request: SignedRequest): { accessKeyId: string } {
    const signed = this.verifyHeaders(request);
    const queryAt = request.url.indexOf('?');
    const path = queryAt < 0 ? request.url : request.url.slice(0, queryAt);
    const query = queryAt < 0 ? '' : request.url.slice(queryAt + 1);
    // The payload is signed through its hash; a declared hash must be the
    // body's (Firehose has no unsigned or streaming payloads).
    const payloadHash = sha256Hex(request.body);
    const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
    if (declaredHash && declaredHash !== payloadHash) {
      throw new SignatureError(
        'InvalidSignatureException',
        'The x-amz-content-sha256 header does not match the request body',
      );
    }
    const canonicalRequest = [
      request.method,
      path || '/',
      canonicalQuery(query),
      ...signed.signedHeaders.map(
        h => `${h}:${headerValue(request.headers, h)}`,
      ),
      '',
      signed.signedHeaderList,
      payloadHash,
    ].join('\n');
    const scope = `${signed.day}/${signed.region}/${signed.service}/aws4_request`;
    const stringToSign = [
      ALGORITHM,
      signed.amzDate,
      scope,
      sha256Hex(canonicalRequest),
    ].join('\n');
    const expected = hmac(this.signingKey(signed.secret, scope), stringToSign);
    if (!timingSafeEqual(expected, Buffer.from(signed.signature, 'hex'))) {
      throw new SignatureError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    return { accessKeyId: signed.accessKeyId };
  }

  private signingKey(secret: string, scope: string): Buffer {
    const cacheKey = `${secret}\n${scope}`;
    let key = this.signingKeys.get(cacheKey);
    if (!key) {
      const [day, region, service] = scope.split('/');
      key = hmac(
        hmac(hmac(hmac(`AWS4${secret}`, day), region), service),
        'aws4_request',
      );
      // A handful of keys per day; forget older days.
      if (this.signingKeys.size > 64) this.signingKeys.clear();
      this.signingKeys.set(cacheKey, key);
    }
    return key;
  }
}
