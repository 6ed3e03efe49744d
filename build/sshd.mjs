// OpenSSH's server for the remoting suite: Debian's openssh-server, installed here when missing and the user is
// root. The tests start their own sshd processes (one per emulated server, on loopback addresses); the system's
// ssh service is neither started nor changed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const sshd = '/usr/sbin/sshd';
const InstallCommand = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openssh-server openssh-client';

/** sshd (and ssh, which PowerShell's SSH remoting runs) present, and sshd's privilege-separation folder made. */
export function ensureSshd() {
  const missing = () => !fs.existsSync(sshd) || spawnSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).status !== 0;
  if (missing()) {
    if (process.getuid?.() !== 0) {
      throw new Error(`OpenSSH's server is not installed and this user cannot install it. As root, run:\n  ${InstallCommand}\nthen 'npm test' again.`);
    }
    console.log(`    OpenSSH server is missing: ${InstallCommand}`);
    const r = spawnSync('sh', ['-c', InstallCommand], { stdio: 'inherit' });
    if (r.status !== 0 || missing()) throw new Error(`installing OpenSSH failed (exit ${r.status}); run it by hand to see why:\n  ${InstallCommand}`);
  }
  // sshd running as root refuses to start without it ("Missing privilege separation directory").
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}
