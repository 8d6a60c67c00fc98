/**
 * The analyzer registry: every analyzer the scanner runs, in one list. Adding an analyzer is a new
 * file in this folder plus one line here.
 */
import type { Analyzer } from '../types.js';
import { apkAnalyzer } from './apk.js';
import { configFilesAnalyzer, configTreeAnalyzer } from './config-files.js';
import { dpkgAnalyzer } from './dpkg.js';
import { layerMetaAnalyzer } from './layer-meta.js';
import { osReleaseAnalyzer } from './os-release.js';
import { rpmAnalyzer } from './rpm.js';

export function defaultAnalyzers(): Analyzer[] {
  return [layerMetaAnalyzer, osReleaseAnalyzer, configFilesAnalyzer, configTreeAnalyzer, rpmAnalyzer, dpkgAnalyzer, apkAnalyzer];
}
