import { verifyPayload } from '../../src/index.js';
import { describeVectorConformance } from '../support/verify-conformance.js';

describeVectorConformance('verifyPayload (node:crypto, source)', { verifyPayload: verifyPayload as never });
