import type { AcceptedOutcome, AdapterRejectionReason, RejectionReason, WebhookResponse } from './types.js';

const STATUS: Readonly<Record<RejectionReason, number>> = {
  missing_signature: 401,
  missing_timestamp: 401,
  malformed_signature: 401,
  malformed_timestamp: 401,
  signature_mismatch: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  invalid_json: 400,
  missing_event_id: 400,
  missing_event_name: 400,
  request_aborted: 400,
  method_not_allowed: 405,
  in_flight: 409,
  payload_too_large: 413,
  handler_failed: 500,
  body_already_parsed: 500,
  store_unavailable: 503,
};

// Fixed texts only: a configuration error is the one answer worth explaining to whoever reads the response,
// and nothing in it comes from the request.
const MESSAGES: Partial<Record<RejectionReason, string>> = {
  body_already_parsed:
    'A body parser consumed the request body before the webhook handler. Mount the webhook route before ' +
    'express.json() / bodyParser, or keep the raw bytes in req.rawBody.',
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** The HTTP status for a refusal reason. */
export function statusOf(reason: RejectionReason): number {
  return STATUS[reason];
}

/** A 200 answer. */
export function accepted(outcome: AcceptedOutcome): WebhookResponse {
  // A fresh headers object per answer: a caller that adds a header to one answer must not add it to all.
  return { status: 200, headers: { ...JSON_HEADERS }, body: `{"ok":true,"outcome":"${outcome}"}`, outcome };
}

/** A 4xx/5xx answer, or a 401 for a rejected ping. */
export function refused(reason: RejectionReason): WebhookResponse {
  const message = MESSAGES[reason];
  const body = JSON.stringify(message === undefined ? { ok: false, reason } : { ok: false, reason, message });
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (reason === 'method_not_allowed') headers['allow'] = 'POST';
  if (reason === 'payload_too_large' || reason === 'request_aborted') headers['connection'] = 'close';
  return { status: STATUS[reason], headers, body, outcome: reason };
}

/** True for the reasons adapters may pass to `handler.reject`. */
export function isAdapterReason(value: unknown): value is AdapterRejectionReason {
  return (
    value === 'payload_too_large' ||
    value === 'method_not_allowed' ||
    value === 'body_already_parsed' ||
    value === 'request_aborted'
  );
}
