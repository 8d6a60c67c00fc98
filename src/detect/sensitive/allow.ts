/**
 * Built-in allow rules: where secrets are not looked for, and values that are published examples.
 * Paths here are never read by the analyzer (the walker skips their bytes).
 */
import { PACKAGE_DIRS } from './rules/helpers.js';

/** Directory names that hold tests, fixtures, examples and docs inside a package tree. */
const FIXTURE_DIRS = '{test,tests,testing,__tests__,spec,specs,testdata,test-data,test_data,fixtures,fixture,__fixtures__,example,examples,sample,samples,doc,docs,man,demo,demos,benchmark,benchmarks}';

export const DEFAULT_ALLOW_PATHS: readonly string[] = [
  // Documentation and localisation.
  'usr/share/doc/**',
  'usr/share/man/**',
  'usr/share/info/**',
  'usr/share/locale/**',
  'usr/share/i18n/**',
  'usr/share/zoneinfo/**',
  'usr/share/mime/**',
  'usr/share/icons/**',
  'usr/share/fonts/**',
  'usr/share/X11/locale/**',
  'usr/lib/locale/**',
  '**/*.md',
  '**/*.markdown',
  '**/*.rst',
  '**/*.adoc',
  // Files named as examples or samples: templates with placeholder values (trivy skips them too).
  '**/{example,examples,sample,samples}[-_.]*',
  '**/*[-_.]{example,sample}',
  '**/*[-_.]{example,sample}.*',
  // Test fixtures and docs shipped inside language package trees and runtimes.
  ...PACKAGE_DIRS.map((d) => `${d.replace(/\/\*\*$/, '')}/**/${FIXTURE_DIRS}/**`),
  '**/*.dist-info/**',
  '**/*.egg-info/**',
  // CPython's own test suite ships keys and credentials on purpose, wherever Python is installed.
  '**/lib/python*/test/**',
  '**/lib/python*/**/tests/**',
  '**/go/src/**/testdata/**',
  'usr/lib/go*/src/**/testdata/**',
  'usr/local/go/src/**/testdata/**',
  'usr/lib/jvm/**/demo/**',
  // Trust stores and public keyrings: certificates and public keys only.
  'usr/share/ca-certificates/**',
  'etc/ssl/certs/**',
  'etc/pki/ca-trust/**',
  'etc/pki/tls/certs/**',
  'etc/ca-certificates/**',
  '**/certifi/cacert.pem',
  '**/botocore/cacert.pem',
  '**/lib/security/cacerts',
  'etc/apt/trusted.gpg',
  'etc/apt/trusted.gpg.d/**',
  'usr/share/keyrings/**',
  'etc/pki/rpm-gpg/**',
  // Git object store: compressed duplicates of working-tree files.
  '**/.git/objects/**',
  // Pseudo filesystems that sometimes end up in layers.
  'proc/**',
  'sys/**',
  'dev/**',
  // Media, archives and compiled code: binary, no magic of interest.
  '**/*.{png,jpg,jpeg,gif,bmp,ico,icns,webp,tif,tiff,ttf,otf,woff,woff2,eot,mp3,mp4,wav,ogg,flac,avi,mov,webm,pdf,zip,gz,tgz,bz2,xz,zst,lz4,lzma,7z,rar,jar,war,ear,whl,egg,deb,rpm,apk,so,a,o,ko,dylib,dll,exe,pyc,pyo,class,node,wasm,mo,gmo,pack,idx}',
  '**/*.so.*',
];

/** Example values that vendors publish: never findings, whatever rule matched them. */
export const EXAMPLE_VALUES: readonly string[] = [
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'AKIAI44QH8DHBEXAMPLE',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
];
