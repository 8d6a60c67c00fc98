/**
 * End of security support per OS release, so that an unsupported base image is reported as such
 * instead of as "0 vulnerabilities" (its feed simply stops listing fixes). Dates are the vendors'
 * published ends of free security updates: Debian including LTS, Ubuntu's standard support (ESM
 * needs Ubuntu Pro), Alpine's branch end, Red Hat's maintenance end. Releases not listed are unknown,
 * never assumed supported or unsupported.
 */
const EOL: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  debian: { '6': '2016-02-29', '7': '2018-05-31', '8': '2020-06-30', '9': '2022-06-30', '10': '2024-06-30', '11': '2026-08-31', '12': '2028-06-30' },
  ubuntu: {
    '12.04': '2017-04-28',
    '14.04': '2019-04-25',
    '16.04': '2021-04-30',
    '16.10': '2017-07-20',
    '17.04': '2018-01-13',
    '17.10': '2018-07-19',
    '18.04': '2023-05-31',
    '18.10': '2019-07-18',
    '19.04': '2020-01-23',
    '19.10': '2020-07-17',
    '20.04': '2025-05-29',
    '20.10': '2021-07-22',
    '21.04': '2022-01-20',
    '21.10': '2022-07-14',
    '22.04': '2027-06-01',
    '22.10': '2023-07-20',
    '23.04': '2024-01-25',
    '23.10': '2024-07-11',
    '24.04': '2029-05-31',
    '24.10': '2025-07-10',
    '25.04': '2026-01-15',
  },
  alpine: {
    '3.3': '2017-11-01',
    '3.4': '2018-05-01',
    '3.5': '2018-11-01',
    '3.6': '2019-05-01',
    '3.7': '2019-11-01',
    '3.8': '2020-05-01',
    '3.9': '2020-11-01',
    '3.10': '2021-05-01',
    '3.11': '2021-11-01',
    '3.12': '2022-05-01',
    '3.13': '2022-11-01',
    '3.14': '2023-05-01',
    '3.15': '2023-11-01',
    '3.16': '2024-05-23',
    '3.17': '2024-11-22',
    '3.18': '2025-05-09',
    '3.19': '2025-11-01',
    '3.20': '2026-04-01',
    '3.21': '2026-11-01',
    '3.22': '2027-05-01',
  },
  rhel: { '5': '2017-03-31', '6': '2020-11-30', '7': '2024-06-30', '8': '2029-05-31', '9': '2032-05-31' },
  // CentOS Linux 8 ended early; CentOS Stream 8 (version "8") ran to 2024-05-31
  centos: { '5': '2017-03-31', '6': '2020-11-30', '7': '2024-06-30', '8': '2021-12-31' },
  almalinux: { '8': '2029-03-01', '9': '2032-05-31' },
  rocky: { '8': '2029-05-31', '9': '2032-05-31' },
  amzn: { '1': '2023-12-31', '2': '2026-06-30' },
  'opensuse-leap': { '15.0': '2019-12-03', '15.1': '2021-02-02', '15.2': '2021-12-31', '15.3': '2022-12-31', '15.4': '2023-12-07', '15.5': '2024-12-31' },
};

const STREAM_EOL: Readonly<Record<string, string>> = { '8': '2024-05-31', '9': '2027-05-31' };

export interface EolStatus {
  /** The last day of security support (ISO date). */
  date: string;
  ended: boolean;
}

/** End-of-life of a release (`family`, release key from osStreams), or null when not known. */
export function endOfLife(family: string, key: string, osName: string, now: Date): EolStatus | null {
  // CentOS Stream and CentOS Linux share the os-release ID and VERSION_ID; only the name differs
  const date = family === 'centos' && /\bstream\b/i.test(osName) ? STREAM_EOL[key] : EOL[family]?.[key];
  if (!date) return null;
  // support ends at the end of that day, UTC
  return { date, ended: now.getTime() > Date.parse(`${date}T23:59:59Z`) };
}
