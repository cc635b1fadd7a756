import assert from "node:assert/strict";
import { chooseRegion, partitionOfArn, serviceEndpoint } from "../../lib/aws/endpoints.ts";

Deno.test("chooseRegion: flag, env, profile, then the serial's partition default", () => {
  const arn = "arn:aws:iam::123456789012:mfa/george";
  assert.equal(chooseRegion({ flag: "eu-west-1", env: "us-west-2", arn }).region, "eu-west-1");
  assert.equal(chooseRegion({ env: "us-west-2", profile: "eu-west-1", arn }).region, "us-west-2");
  assert.equal(chooseRegion({ profile: "eu-west-1", arn }).source, "profile");
  assert.deepEqual(
    [chooseRegion({ arn }).region, chooseRegion({ arn }).source],
    ["us-east-1", "partition default"],
  );
  assert.equal(chooseRegion({ arn: "arn:aws-cn:iam::1:mfa/x" }).region, "cn-north-1");
  assert.equal(chooseRegion({ arn: "arn:aws-us-gov:iam::1:mfa/x" }).region, "us-gov-west-1");
});

Deno.test("chooseRegion: a region of another partition than the serial's is replaced, with a warning", () => {
  const choice = chooseRegion({ profile: "us-east-1", arn: "arn:aws-cn:iam::1:mfa/x" });
  assert.equal(choice.region, "cn-north-1");
  assert.match(choice.warning ?? "", /us-east-1 .* partition aws, .* aws-cn; using cn-north-1/);
});

Deno.test("partitionOfArn", () => {
  assert.equal(partitionOfArn("arn:aws-us-gov:iam::1:mfa/x")?.name, "aws-us-gov");
  assert.equal(partitionOfArn("GAHT12345678"), undefined);
});

Deno.test("serviceEndpoint: overrides in the SDKs' order, else regional per partition", () => {
  assert.equal(serviceEndpoint("sts", "eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  assert.equal(serviceEndpoint("sts", "cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
  assert.equal(serviceEndpoint("sts", "us-gov-west-1"), "https://sts.us-gov-west-1.amazonaws.com");
  assert.equal(
    serviceEndpoint("sts", "us-east-1", { stsRegionalEndpoints: "legacy" }),
    "https://sts.amazonaws.com",
  );
  const all = { serviceEnv: "http://a", globalEnv: "http://b", configured: "http://c" };
  assert.equal(serviceEndpoint("sts", "us-east-1", all), "http://a");
  assert.equal(serviceEndpoint("sts", "us-east-1", { ...all, serviceEnv: undefined }), "http://b");
  assert.equal(serviceEndpoint("sts", "us-east-1", { configured: "http://c" }), "http://c");
  assert.equal(
    serviceEndpoint("sts", "us-east-1", { ...all, ignoreConfigured: true }),
    "https://sts.us-east-1.amazonaws.com",
  );
  assert.equal(serviceEndpoint("iam", "eu-west-1"), "https://iam.amazonaws.com");
  assert.equal(serviceEndpoint("iam", "cn-north-1"), "https://iam.cn-north-1.amazonaws.com.cn");
});
