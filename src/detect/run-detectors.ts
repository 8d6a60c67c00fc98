/** Runs every detector over an inventory and returns the report's finding lists. */
import type { Inventory } from '../analysis/inventory.js';
import { emptyFindings, type Findings } from '../report/model.js';

export interface DetectOptions {
  ignoreUnfixed: boolean;
}

export async function runDetectors(_inventory: Inventory, _opts: DetectOptions): Promise<Findings> {
  return emptyFindings();
}
