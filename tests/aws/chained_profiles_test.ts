import assert from "node:assert/strict";
import { roleChains, rolesByMfaProfile } from "../../lib/aws/chained_profiles.ts";
import { parseIni } from "../../lib/ini/mod.ts";

const CREDENTIALS = "[georgemfa]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n" +
  "mfa_serial = arn:aws:iam::123456789012:mfa/george\n" +
  "[george]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = s\naws_session_token = t\n" +
  "[plain]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = s\n";

function chains(config: string, credentials = CREDENTIALS) {
  return roleChains(parseIni(credentials), parseIni(config));
}

function ends(config: string, credentials = CREDENTIALS) {
  return Object.fromEntries(
    chains(config, credentials).map((c) => [c.role.profile, [c.end, c.via]]),
  );
}

Deno.test("chains: a role drawn from an MFA session, directly and through another role", () => {
  const result = chains(
    "[profile admin]\nrole_arn = arn:aws:iam::210987654321:role/Admin\nsource_profile = george\n" +
      "duration_seconds = 3600\n" +
      "[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/Deploy\n" +
      "source_profile = admin\nmfa_serial = arn:aws:iam::123456789012:mfa/george\n",
  );
  assert.deepEqual(result, [
    {
      role: {
        profile: "admin",
        section: "profile admin",
        file: "config",
        roleArn: "arn:aws:iam::210987654321:role/Admin",
        sourceProfile: "george",
        durationSeconds: "3600",
      },
      via: [],
      end: { kind: "mfa-session", profile: "george" },
    },
    {
      role: {
        profile: "deploy",
        section: "profile deploy",
        file: "config",
        roleArn: "arn:aws:iam::210987654321:role/Deploy",
        sourceProfile: "admin",
        mfaSerial: "arn:aws:iam::123456789012:mfa/george",
      },
      via: ["admin"],
      end: { kind: "mfa-session", profile: "george" },
    },
  ]);
});

Deno.test("chains: the other ends: long-term source, other keys, missing, circle, SSO, no source", () => {
  const role = (name: string, source: string) =>
    `[profile ${name}]\nrole_arn = arn:aws:iam::210987654321:role/R\nsource_profile = ${source}\n`;
  const result = ends(
    role("a", "georgemfa") + role("b", "plain") + role("c", "gorge") + role("d", "e") +
      role("e", "d") + role("f", "sso") + "[profile sso]\nsso_session = corp\n" +
      role("g", "h") + "[profile h]\nrole_arn = arn:aws:iam::210987654321:role/H\n" +
      "credential_source = Environment\n" +
      "[profile nosource]\nrole_arn = arn:aws:iam::210987654321:role/R\n" +
      "[profile norole]\nsource_profile = george\n",
  );
  assert.deepEqual(result, {
    a: [{ kind: "long-term-source", profile: "georgemfa", mfaProfile: "george" }, []],
    b: [{ kind: "keys", profile: "plain", longTerm: true }, []],
    c: [{ kind: "missing", profile: "gorge" }, []],
    d: [{ kind: "circle", profiles: ["d", "e", "d"] }, ["e"]],
    e: [{ kind: "circle", profiles: ["e", "d", "e"] }, ["d"]],
    f: [{ kind: "other", profile: "sso" }, []],
    g: [{ kind: "elsewhere", profile: "h" }, []],
  });
});

Deno.test("chains: role profiles in the credentials file count; awsmfa's [Xmfa] role does not", () => {
  const result = ends(
    "",
    CREDENTIALS.replace("mfa_serial", "role_arn = arn:aws:iam::1:role/x\nmfa_serial") +
      "[ops]\nrole_arn = arn:aws:iam::210987654321:role/Ops\nsource_profile = george\n",
  );
  assert.deepEqual(result, { ops: [{ kind: "mfa-session", profile: "george" }, []] });
});

Deno.test("chains: an MFA profile without a session yet is still its end; a self-named source with keys ends at itself", () => {
  const credentials = CREDENTIALS.replace(/\[george\][^[]*/, "");
  assert.deepEqual(
    ends(
      "[profile admin]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = george\n",
      credentials,
    ),
    { admin: [{ kind: "mfa-session", profile: "george" }, []] },
  );
  assert.deepEqual(
    ends(
      "[profile self]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = self\n" +
        "aws_access_key_id = AKIASELF\naws_secret_access_key = s\n",
    ),
    { self: [{ kind: "keys", profile: "self", longTerm: true }, []] },
  );
});

Deno.test("rolesByMfaProfile: a tree per MFA session, each role followed by those drawn from it", () => {
  const config = [
    ["deploy", "admin"],
    ["admin", "george"],
    ["audit", "george"],
    ["stray", "plain"],
  ].map(([name, source]) =>
    `[profile ${name}]\nrole_arn = arn:aws:iam::1:role/${name}\nsource_profile = ${source}\n`
  ).join("");
  const tree = rolesByMfaProfile(chains(config));
  assert.deepEqual([...tree.keys()], ["george"]);
  assert.deepEqual(tree.get("george")!.map((c) => [c.role.profile, c.via.length]), [
    ["admin", 0],
    ["deploy", 1],
    ["audit", 0],
  ]);
});
