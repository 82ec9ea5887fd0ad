import * as web from 'allthings-webhooks/web';
import { describeVectorConformance } from '../support/verify-conformance.js';

describeVectorConformance('verifyPayload (Web Crypto, allthings-webhooks/web source)', {
  verifyPayload: web.verifyPayload as never,
});
