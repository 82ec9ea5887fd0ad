import { allHosts } from './support/hosts.js';
import { describeHostScenarios } from './support/scenarios.js';

for (const host of allHosts) describeHostScenarios(host);
