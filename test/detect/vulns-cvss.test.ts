/**
 * CVSS scoring: our CVSS 3.x equations against an independent implementation (ae-cvss-calculator)
 * on every one of the 2,592 base vectors of each version, the specifications' worked examples,
 * CVSS 4.0 through the lookup-table implementation, and the rating bands.
 */
import cvssCalculator from 'ae-cvss-calculator';
import { describe, expect, it } from 'vitest';
import { cvss3BaseScore, cvss4BaseScore, cvssBaseScore, severityFromScore } from '../../src/detect/vulns/cvss.js';

function* allV3BaseVectors(version: '3.0' | '3.1'): Generator<string> {
  for (const av of ['N', 'A', 'L', 'P'])
    for (const ac of ['L', 'H'])
      for (const pr of ['N', 'L', 'H'])
        for (const ui of ['N', 'R'])
          for (const s of ['U', 'C'])
            for (const c of ['H', 'L', 'N'])
              for (const i of ['H', 'L', 'N'])
                for (const a of ['H', 'L', 'N']) yield `CVSS:${version}/AV:${av}/AC:${ac}/PR:${pr}/UI:${ui}/S:${s}/C:${c}/I:${i}/A:${a}`;
}

describe('CVSS 3.x base score', () => {
  for (const version of ['3.0', '3.1'] as const) {
    it(`equals an independent implementation on all 2,592 CVSS ${version} base vectors`, () => {
      const Calculator = version === '3.1' ? cvssCalculator.Cvss3P1 : cvssCalculator.Cvss3P0;
      const mismatches: string[] = [];
      let count = 0;
      for (const vector of allV3BaseVectors(version)) {
        count++;
        const ours = cvss3BaseScore(vector)?.score;
        const theirs = new Calculator(vector).calculateScores().base;
        if (ours !== theirs) mismatches.push(`${vector}: ours ${ours}, theirs ${theirs}`);
      }
      expect(count).toBe(2592);
      expect(mismatches).toEqual([]);
    });
  }

  it('gives the scores of well-known vectors', () => {
    // CVE-2021-44228 (Log4Shell), as NVD scores it
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toEqual({ version: '3.1', score: 10 });
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')?.score).toBe(9.8);
    // CVE-2019-18276 (bash setuid), NVD 3.1: 7.8
    expect(cvss3BaseScore('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H')?.score).toBe(7.8);
    // FIRST CVSS 3.1 examples: CVE-2013-1937 (phpMyAdmin reflected XSS) 6.1
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')?.score).toBe(6.1);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')?.score).toBe(0);
    // temporal and environmental metrics may follow; the base score ignores them
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H')?.score).toBe(9.8);
  });

  it('rejects malformed vectors instead of guessing', () => {
    for (const bad of [
      'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // no prefix
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', // A missing
      'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // bad value
      'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // repeated
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', // unknown metric
      'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
    ]) {
      expect(cvss3BaseScore(bad), bad).toBeNull();
    }
  });
});

describe('CVSS 4.0 base score', () => {
  it('scores FIRST examples and rejects incomplete vectors', () => {
    // the specification's all-high network vector
    expect(cvss4BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe(9.3);
    expect(cvss4BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H')).toBe(10);
    expect(cvss4BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N')).toBe(0);
    // threat metrics do not change CVSS-B
    expect(cvss4BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U')).toBe(9.3);
    expect(cvss4BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H')).toBeNull();
    expect(cvss4BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:Q')).toBeNull();
    expect(cvss4BaseScore('garbage')).toBeNull();
  });

  it('is chosen by the vector prefix', () => {
    expect(cvssBaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toMatchObject({ version: '4.0', score: 9.3 });
    expect(cvssBaseScore(' CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ')).toMatchObject({ version: '3.0', score: 9.8 });
    expect(cvssBaseScore('CVSS:2.0/AV:N')).toBeNull();
  });
});

describe('rating bands', () => {
  it('maps scores as CVSS 3.1 §5 and 4.0 §2 define them', () => {
    expect([10, 9, 8.9, 7, 6.9, 4, 3.9, 0.1, 0].map(severityFromScore)).toEqual(['critical', 'critical', 'high', 'high', 'medium', 'medium', 'low', 'low', 'low']);
  });
});
