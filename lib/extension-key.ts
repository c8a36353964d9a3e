// Public half of the key that pins the Chromium extension id. The private half is not
// needed: Chromium derives the id of an unpacked extension from this key alone.
export const EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmcfnonjmOVgbiLv8sPEa4dtjc4gGu7yX6f8xC+8Fdo4eGH8usfQadcIZV57FPnF2/Hx3yqNbNPCfn/5SGBP+38W3qyoi39bbryFjO5JDx5hkvAIjuO43ix6V1O3zK8J2SGw9qRlorGzHR1OOG0Kr+yqIYME9700Lnlrox7RTmOvZ3VZvmzLADnwCuzDiI2N7eWbiiXsarbKZqgRxYDaoXSsUh4vj+kITrft8PVw3zh5pAuD7pKp5DWy6f9k2TaZ42tMOhCqF/rG5RrIKAHBQWZac0zNcRTlH6byDDOGbb/+OnC8s9mQQ2FznwihVeYbPGH66/bdFlPwS0/jZ0Mr8eQIDAQAB';

// First 32 hex digits of SHA-256(key), mapped 0-f -> a-p; tests/native-host/small-codecs.test.ts
// checks it against EXTENSION_KEY.
export const CHROMIUM_EXTENSION_ID = 'bchnmjmoapeeeljpgjibfgenagehndgd';

export const FIREFOX_EXTENSION_ID = 'copybara@copybara.network';

export const NATIVE_HOST_NAME = 'network.copybara.host';
