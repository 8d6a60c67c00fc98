/** Every HSS v5 container-image translator, in the order they are installed. */
import type { ApiModule } from '../types.js';
import { hssBaselineModule } from './baseline.js';
import { hssBuildRisksModule } from './build-risks.js';
import { hssRegistriesModule } from './registries.js';
import { hssScansModule } from './scans.js';
import { hssSensitiveModule } from './sensitive.js';
import { hssVulnerabilitiesModule } from './vulnerabilities.js';

export const HSS_MODULES: ApiModule[] = [hssSensitiveModule, hssBaselineModule, hssVulnerabilitiesModule, hssBuildRisksModule, hssRegistriesModule, hssScansModule];
