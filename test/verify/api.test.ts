import * as node from '../../src/index.js';
import { describeApiConformance } from '../support/api-conformance.js';

describeApiConformance('allthings-webhooks (node:crypto, source)', node as never);
