/**
 * The analyzer registry: every analyzer the scanner runs, in one list. Adding an analyzer is a new
 * file in this folder plus one line here.
 */
import type { Analyzer } from '../types.js';
import { apkAnalyzer } from './apk.js';
import { configFilesAnalyzer, configTreeAnalyzer } from './config-files.js';
import { dpkgAnalyzer } from './dpkg.js';
import { goBinaryAnalyzer } from './go-binary.js';
import { javaAnalyzer } from './java.js';
import { layerMetaAnalyzer } from './layer-meta.js';
import { npmAnalyzer } from './npm.js';
import { osReleaseAnalyzer } from './os-release.js';
import { pythonAnalyzer } from './python.js';
import { rpmAnalyzer } from './rpm.js';
import { sensitiveAnalyzer } from './sensitive.js';

export function defaultAnalyzers(): Analyzer[] {
  return [layerMetaAnalyzer, osReleaseAnalyzer, configFilesAnalyzer, configTreeAnalyzer, rpmAnalyzer, dpkgAnalyzer, apkAnalyzer, npmAnalyzer, pythonAnalyzer, javaAnalyzer, goBinaryAnalyzer, sensitiveAnalyzer];
}
