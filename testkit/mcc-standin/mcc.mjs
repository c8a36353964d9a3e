#!/usr/bin/env node
// mcc stand-in: speaks the two commands of Staex's `mcc` (mcc-public) that Copybara uses, for
// tests on one machine where the real, closed-source mcc cannot run.
//
//   mcc.mjs --dir DIR --self STAEX_ID id              prints STAEX_ID
//   mcc.mjs --dir DIR --self STAEX_ID resolve ID      prints the address stored in DIR/ID
//
// DIR holds one file per node of the pretend network, named by its Staex id, holding its
// node-local address: a distinct loopback address (127.x.y.z) per node, so two nodes on one
// machine talk over real UDP and TCP between distinct addresses, as they would between the
// Staex tunnel addresses. Failures print to stderr and exit 1, as mcc is assumed to. Copybara
// runs no other mcc command (not `create-tunnel` either: tunnels are the network owner's to set
// up, see the README), so every other command is refused as unknown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ID = /^[0-9a-hjkmnp-tv-z]{51}[0g]$/;

function fail(words) {
  process.stderr.write(`error: ${words}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
let dir = null;
let self = null;
while (args[0]?.startsWith('--')) {
  const flag = args.shift();
  const value = args.shift();
  if (value === undefined) fail(`${flag} needs a value`);
  if (flag === '--dir') dir = value;
  else if (flag === '--self') self = value;
  else fail(`unknown option ${flag}`);
}
if (dir === null || self === null) fail('usage: mcc.mjs --dir DIR --self STAEX_ID (id | resolve STAEX_ID)');

const [command, target] = args;
if (command === 'id' && args.length === 1) {
  process.stdout.write(`${self}\n`);
} else if (command === 'resolve' && args.length === 2) {
  if (!ID.test(target)) fail(`invalid node id: ${target}`);
  let address;
  try {
    address = readFileSync(join(dir, target), 'utf8').trim();
  } catch {
    fail(`node ${target} not found`);
  }
  process.stdout.write(`${address}\n`);
} else {
  fail(`unknown command: ${args.join(' ')}`);
}
