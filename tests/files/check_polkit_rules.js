// SPDX-License-Identifier: GPL-2.0-or-later
// The polkit rules example (dbus/com.endlessm.Metrics.rules.example) decides what its
// comments say. gjs runs the file against a stand-in of polkitd's `polkit` object;
// check_hardening.py also loads it into the real polkitd.
//
//   gjs check_polkit_rules.js RULES_FILE

const {GLib} = imports.gi;
const System = imports.system;

const Result = {
    NO: 'no',
    YES: 'yes',
    AUTH_SELF: 'auth_self',
    AUTH_SELF_KEEP: 'auth_self_keep',
    AUTH_ADMIN: 'auth_admin',
    AUTH_ADMIN_KEEP: 'auth_admin_keep',
    NOT_HANDLED: null,
};

function loadRules(path) {
    const [, bytes] = GLib.file_get_contents(path);
    const rules = [];
    const polkit = {Result, addRule: rule => rules.push(rule), log: () => {}};
    new Function('polkit', new TextDecoder().decode(bytes))(polkit);
    return rules;
}

// What polkitd does with the rules: the first answer other than NOT_HANDLED wins;
// 'defaults' means the action file decides.
function decide(rules, actionId, subject) {
    for (const rule of rules) {
        const answer = rule({id: actionId}, subject);
        if (answer !== Result.NOT_HANDLED && answer !== undefined)
            return answer;
    }
    return 'defaults';
}

function subject({user = 'alice', groups = [], local = true, active = true}) {
    return {user, local, active, isInGroup: group => groups.includes(group)};
}

const SET_ENABLED = 'com.endlessm.Metrics.SetEnabled';
const RESET = 'com.endlessm.Metrics.ResetTrackingId';
const SET_URL = 'com.endlessm.Metrics.SetServerUrl';
const SET_ENV = 'com.endlessm.Metrics.SetEnvironment';

const cases = [
    ['the first-run wizard sets consent', SET_ENABLED,
        {user: 'gnome-initial-setup'}, Result.YES],
    ['a user outside wheel needs an administrator for consent', SET_ENABLED,
        {user: 'alice'}, Result.AUTH_ADMIN_KEEP],
    ['and for the tracking id no-op', RESET, {user: 'alice'}, Result.AUTH_ADMIN_KEEP],
    ['an administrator keeps the shipped consent default', SET_ENABLED,
        {user: 'root-ish', groups: ['wheel']}, 'defaults'],
    ['an administrator at the machine sets the URL', SET_URL,
        {groups: ['wheel']}, Result.YES],
    ['and the environment', SET_ENV, {groups: ['wheel']}, Result.YES],
    ['an administrator over ssh gets the defaults', SET_URL,
        {groups: ['wheel'], local: false}, 'defaults'],
    ['an inactive administrator session too', SET_ENV,
        {groups: ['wheel'], active: false}, 'defaults'],
    ['a user outside wheel gets the defaults for the URL', SET_URL, {}, 'defaults'],
    ['other actions are left alone', 'org.freedesktop.login1.reboot',
        {user: 'gnome-initial-setup', groups: ['wheel']}, 'defaults'],
];

const rules = loadRules(ARGV[0]);
let failed = 0;
for (const [what, action, who, expected] of cases) {
    const got = decide(rules, action, subject(who));
    if (got !== expected) {
        failed++;
        print(`FAIL: ${what}: ${action} for ${JSON.stringify(who)} gave ${got}, expected ${expected}`);
    }
}
print(`${cases.length - failed} passed, ${failed} failed`);
if (failed)
    System.exit(1);
