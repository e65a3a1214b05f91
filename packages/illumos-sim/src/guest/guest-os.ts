/**
 * What the simulated guest says it is: `/etc/os-release`, `uname` and the distribution's
 * cloud-init default user, by the os-release `ID` its boot disk carries (guest-disk.ts):
 * `alpine`, `ubuntu`, `debian` or `omnios`; another ID is a generic Linux guest, and a disk
 * with none is an OmniOS guest, as the simulated serial console presents every guest. The
 * texts follow what those releases ship (os-release(5) fields; `uname -a` of busybox, GNU
 * coreutils and illumos).
 */
export interface GuestOs {
  id: string;
  osRelease: string;
  /** uname -s, -r, -v, -m, and the whole `uname -a` line for a node name. */
  sysname: string;
  release: string;
  version: string;
  machine: string;
  unameAll: (nodename: string) => string;
  /** cloud-init's default user for the distribution (`users: [default]`). */
  defaultUser: string;
}

const ALPINE: GuestOs = {
  id: 'alpine',
  osRelease: [
    'NAME="Alpine Linux"',
    'ID=alpine',
    'VERSION_ID=3.20.3',
    'PRETTY_NAME="Alpine Linux v3.20"',
    'HOME_URL="https://alpinelinux.org/"',
    'BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"',
  ].join('\n'),
  sysname: 'Linux',
  release: '6.6.58-0-virt',
  version: '#1-Alpine SMP PREEMPT_DYNAMIC 2024-10-30 11:07:16',
  machine: 'x86_64',
  unameAll: (n) =>
    `Linux ${n} 6.6.58-0-virt #1-Alpine SMP PREEMPT_DYNAMIC 2024-10-30 11:07:16 x86_64 Linux`,
  defaultUser: 'alpine',
};

const UBUNTU: GuestOs = {
  id: 'ubuntu',
  osRelease: [
    'PRETTY_NAME="Ubuntu 24.04.1 LTS"',
    'NAME="Ubuntu"',
    'VERSION_ID="24.04"',
    'VERSION="24.04.1 LTS (Noble Numbat)"',
    'VERSION_CODENAME=noble',
    'ID=ubuntu',
    'ID_LIKE=debian',
    'HOME_URL="https://www.ubuntu.com/"',
    'SUPPORT_URL="https://help.ubuntu.com/"',
    'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"',
    'UBUNTU_CODENAME=noble',
  ].join('\n'),
  sysname: 'Linux',
  release: '6.8.0-45-generic',
  version: '#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024',
  machine: 'x86_64',
  unameAll: (n) =>
    `Linux ${n} 6.8.0-45-generic #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux`,
  defaultUser: 'ubuntu',
};

const DEBIAN: GuestOs = {
  id: 'debian',
  osRelease: [
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    'NAME="Debian GNU/Linux"',
    'VERSION_ID="12"',
    'VERSION="12 (bookworm)"',
    'VERSION_CODENAME=bookworm',
    'ID=debian',
    'HOME_URL="https://www.debian.org/"',
    'SUPPORT_URL="https://www.debian.org/support"',
    'BUG_REPORT_URL="https://bugs.debian.org/"',
  ].join('\n'),
  sysname: 'Linux',
  release: '6.1.0-26-cloud-amd64',
  version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.112-1 (2024-09-30)',
  machine: 'x86_64',
  unameAll: (n) =>
    `Linux ${n} 6.1.0-26-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.112-1 (2024-09-30) x86_64 GNU/Linux`,
  defaultUser: 'debian',
};

const OMNIOS: GuestOs = {
  id: 'omnios',
  osRelease: [
    'NAME="OmniOS"',
    'PRETTY_NAME="OmniOS Community Edition v11 r151054"',
    'CPE_NAME="cpe:/o:omniosce:omnios:11:151054:0"',
    'ID=omnios',
    'VERSION=r151054',
    'VERSION_ID=r151054',
    'BUILD_ID=151054.0.2025.05.04',
    'HOME_URL="https://omnios.org/"',
    'SUPPORT_URL="https://omnios.org/"',
    'BUG_REPORT_URL="https://github.com/omniosorg/omnios-build/issues/new"',
  ].join('\n'),
  sysname: 'SunOS',
  release: '5.11',
  version: 'omnios-r151054-f66ec2a7c3',
  machine: 'i86pc',
  unameAll: (n) => `SunOS ${n} 5.11 omnios-r151054-f66ec2a7c3 i86pc i386 i86pc`,
  defaultUser: 'omnios',
};

const KNOWN: Record<string, GuestOs> = {
  alpine: ALPINE,
  ubuntu: UBUNTU,
  debian: DEBIAN,
  omnios: OMNIOS,
};

/** A known release by its os-release ID (alpine, ubuntu, debian, omnios). */
export function knownGuestOs(id: string): GuestOs | undefined {
  return KNOWN[id];
}

/** The guest for an os-release document from its disk (undefined: a disk without one). */
export function guestOsFromRelease(osRelease: string | undefined): GuestOs {
  if (osRelease === undefined) return OMNIOS;
  const id = /^ID="?([a-z0-9._-]+)"?$/m.exec(osRelease)?.[1] ?? 'linux';
  const known = KNOWN[id];
  if (known) return { ...known, osRelease: osRelease.trimEnd() };
  return {
    id,
    osRelease: osRelease.trimEnd(),
    sysname: 'Linux',
    release: '6.6.0',
    version: '#1 SMP PREEMPT_DYNAMIC',
    machine: 'x86_64',
    unameAll: (n) => `Linux ${n} 6.6.0 #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux`,
    defaultUser: id,
  };
}
