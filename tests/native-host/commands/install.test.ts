import { describe, expect, it } from 'vitest';
import { launcherScript } from '../../../native-host/commands/install';
import { profileAt } from '../../../native-host/common/profile';

const base = {
  profile: profileAt('/home/a/.config/copybara'),
  bootstrap: null,
  cliPath: '/opt/cb/bin/copybara-host.js',
  userDataDir: null,
  browsers: [],
};

describe('launcherScript', () => {
  it('records the mcc command the browser-started node should use, quoted for the shell', () => {
    const script = launcherScript({ ...base, mcc: "docker exec mcc mcc; echo 'x'" });
    expect(script).toContain(`export COPYBARA_MCC='docker exec mcc mcc; echo '\\''x'\\'''\n`);
  });

  it('leaves COPYBARA_MCC alone when none was given', () => {
    expect(launcherScript({ ...base, mcc: null })).not.toContain('COPYBARA_MCC');
    expect(launcherScript(base)).not.toContain('COPYBARA_MCC');
  });
});
