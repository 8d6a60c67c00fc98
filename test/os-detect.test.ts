import { describe, expect, it } from 'vitest';
import { chooseOs } from '../src/analysis/os-detect.js';
import type { OsFact, OsInfo } from '../src/analysis/types.js';

const fact = (path: string, priority: number, os: OsInfo): OsFact => ({ kind: 'os', path, priority, os });

describe('chooseOs', () => {
  it('returns null without facts', () => {
    expect(chooseOs([])).toBeNull();
  });

  it('the highest priority decides, whatever the order of the facts', () => {
    const facts = [
      fact('etc/redhat-release', 30, { family: 'rhel', name: 'Red Hat Enterprise Linux Server', version: '7.9' }),
      fact('etc/oracle-release', 55, { family: 'ol', name: 'Oracle Linux Server', version: '7.9' }),
    ];
    expect(chooseOs(facts)).toEqual({ family: 'ol', name: 'Oracle Linux Server', version: '7.9' });
    expect(chooseOs([...facts].reverse())).toEqual({ family: 'ol', name: 'Oracle Linux Server', version: '7.9' });
  });

  it('fills a missing version and codename only from the same family', () => {
    const facts = [
      fact('etc/os-release', 100, { family: 'ubuntu', name: 'Ubuntu', version: '' }),
      fact('etc/debian_version', 50, { family: 'debian', name: 'Debian GNU/Linux', version: 'buster/sid', codename: 'buster' }),
      fact('etc/lsb-release', 60, { family: 'ubuntu', name: 'Ubuntu', version: '14.04', codename: 'trusty' }),
    ];
    expect(chooseOs(facts)).toEqual({ family: 'ubuntu', name: 'Ubuntu', version: '14.04', codename: 'trusty' });
  });

  it('does not let a lower-priority file change a version that is present', () => {
    const facts = [
      fact('etc/debian_version', 50, { family: 'debian', name: 'Debian GNU/Linux', version: '10' }),
      fact('etc/os-release', 100, { family: 'debian', name: 'Debian GNU/Linux', version: '11', codename: 'bullseye' }),
    ];
    expect(chooseOs(facts)).toEqual({ family: 'debian', name: 'Debian GNU/Linux', version: '11', codename: 'bullseye' });
  });

  it('breaks priority ties by path so the answer is deterministic', () => {
    const a = fact('etc/centos-release', 50, { family: 'centos', name: 'CentOS Linux', version: '7.9.2009' });
    const b = fact('etc/rocky-release', 50, { family: 'rocky', name: 'Rocky Linux', version: '8.5' });
    expect(chooseOs([a, b])).toEqual(chooseOs([b, a]));
    expect(chooseOs([b, a])?.family).toBe('centos');
  });

  it('does not mutate the facts it is given', () => {
    const f = fact('etc/os-release', 100, { family: 'debian', name: 'Debian GNU/Linux', version: '', codename: 'trixie' });
    expect(chooseOs([f])?.version).toBe('trixie');
    expect(f.os.version).toBe('');
  });
});
