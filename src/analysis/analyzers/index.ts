/**
 * The analyzer registry: every analyzer the scanner runs, in one list. Adding an analyzer is a new
 * file in this folder plus one line here.
 */
import type { Analyzer } from '../types.js';
import { configFilesAnalyzer, configTreeAnalyzer } from './config-files.js';
import { layerMetaAnalyzer } from './layer-meta.js';
import { osReleaseAnalyzer } from './os-release.js';
import { rpmAnalyzer } from './rpm.js';

export function defaultAnalyzers(): Analyzer[] {
  return [layerMetaAnalyzer, osReleaseAnalyzer, configFilesAnalyzer, configTreeAnalyzer, rpmAnalyzer];
}
