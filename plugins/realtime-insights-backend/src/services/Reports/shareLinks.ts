import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a shared link names: one report, until a time. */
export type ShareClaims = {
  shareId: string;
  reportId: string;
  expiresAt: number;
};

function payload(claims: ShareClaims): string {
  return `rti-report-share.v1|${claims.shareId}|${claims.reportId}|${claims.expiresAt}`;
}

/** HMAC-SHA256 of the claims, base64url. */
export function signShare(key: Buffer, claims: ShareClaims): string {
  return createHmac('sha256', key).update(payload(claims)).digest('base64url');
}

/** Constant-time check of a link's signature against the claims. */
export function verifyShare(
  key: Buffer,
  claims: ShareClaims,
  signature: string,
): boolean {
  const expected = Buffer.from(signShare(key, claims), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Path of a shared link below the plugin's base URL. */
export function sharePath(claims: ShareClaims, signature: string): string {
  return `/shared-reports/${encodeURIComponent(claims.shareId)}?expires=${
    claims.expiresAt
  }&signature=${signature}`;
}
