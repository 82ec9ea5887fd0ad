import * as web from 'allthings-webhooks/web';
import { describeApiConformance } from '../support/api-conformance.js';

describeApiConformance('allthings-webhooks/web (Web Crypto, source)', web as never);
