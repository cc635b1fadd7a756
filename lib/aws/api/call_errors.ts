/**
 * What went wrong with an STS or IAM call, in the user's words (pure): turns
 * an AWS error code and message, or a transport failure, into one of our
 * error classes with the likely cause and the fix.
 *
 * @module
 */
import {
  AuthError,
  type AwsmfaError,
  ConfigError,
  InvalidCodeError,
  NetworkError,
  UsageError,
} from "../../core/errors.ts";
import { shortKeyId } from "../access_keys.ts";
import { CODE_LENGTH } from "../../core/mfa_code.ts";
import { ASSUME_ROLE_SECONDS, CHAINED_ROLE_MAX_SECONDS, CLOCK_SKEW_SECONDS } from "../limits.ts";

/** A failed call, as seen by the transport. */
export type CallFailure =
  | {
    kind: "service";
    /** The AWS error code, e.g. `AccessDenied`. */
    code: string;
    message: string;
    httpStatus?: number;
    /** The response's `Date` header, for measuring clock skew. */
    serverDate?: string;
  }
  | {
    kind: "timeout";
    timeoutMs: number;
    /** Whether the answer had begun (its head came) when the time was up. */
    answering?: boolean;
  }
  /** The TLS handshake failed: nothing was sent. */
  | { kind: "tls"; detail: string }
  | {
    kind: "network";
    detail: string;
    /**
     * Whether the request may have left this machine: false when the connection was never made
     * (DNS, refused, proxy tunnel), so the code was not used.
     */
    sent: boolean;
  }
  | { kind: "unreadable"; detail: string; httpStatus?: number }
  /** The answer was longer than `limitBytes`; awsmfa stopped reading it. */
  | { kind: "too-large"; limitBytes: number }
  /** A 200 answer whose credentials are not fit to write (`detail` never holds a value). */
  | { kind: "invalid-credentials"; detail: string };

/** What the message may name about the call. */
export interface CallContext {
  /** `GetSessionToken`, `AssumeRole`, `ListMFADevices`. */
  operation: string;
  /** The endpoint called. */
  endpoint: string;
  /** The section holding the long-term keys, e.g. `georgemfa`. */
  sourceSection: string;
  /** The access key id used (shown shortened). */
  accessKeyId: string;
  /** The MFA device ARN, when one was sent. */
  serialNumber?: string;
  /** Local time of the failure (ms), for skew. */
  now: number;
  /** Whether the request carried an MFA code that it may have used up. */
  usedCode?: boolean;
}

const CODE_MAY_BE_USED = "The code may have been used up: wait for the next one before retrying.";
const CODE_NOT_USED = "The request was not sent, so the code was not used: it is still good " +
  "while your device shows it.";

/** The error to report for `failure` during the call described by `context`. */
export function describeCallFailure(failure: CallFailure, context: CallContext): AwsmfaError {
  if (failure.kind === "service") return describeServiceError(failure, context);
  return describeTransportFailure(failure, context);
}

function describeTransportFailure(
  failure: Exclude<CallFailure, { kind: "service" }>,
  context: CallContext,
): AwsmfaError {
  const service = serviceName(context);
  const maybeUsed = context.usedCode ? ` ${CODE_MAY_BE_USED}` : "";
  const notUsed = context.usedCode ? ` ${CODE_NOT_USED}` : "";
  const override = context.operation === "ListMFADevices"
    ? "AWS_ENDPOINT_URL_IAM"
    : "AWS_ENDPOINT_URL_STS";
  const notAws = "A proxy or a wrong endpoint override may be answering instead of AWS; check " +
    `HTTPS_PROXY and ${override}.`;
  switch (failure.kind) {
    case "timeout":
      return new NetworkError(
        `${service} did not ${failure.answering ? "finish its answer" : "answer"} within ` +
          `${failure.timeoutMs / 1000} s (${context.endpoint}).`,
        {
          fix: `Check your network connection or proxy (HTTPS_PROXY), then try again.${maybeUsed}`,
        },
      );
    case "tls":
      return new NetworkError(
        `Could not make a trusted TLS connection to ${context.endpoint}: ${failure.detail}`,
        {
          fix: "Behind a proxy that inspects TLS, point AWS_CA_BUNDLE (or ca_bundle in " +
            `~/.aws/config) at the PEM file of its certificate authority.${notUsed}`,
        },
      );
    case "network":
      if (failure.sent) {
        return new NetworkError(
          `Lost the connection to ${service} at ${context.endpoint} after the request was sent: ` +
            failure.detail,
          { fix: `Check your network connection or proxy (HTTPS_PROXY).${maybeUsed}` },
        );
      }
      return new NetworkError(
        `Could not reach ${service} at ${context.endpoint}: ${failure.detail}`,
        {
          fix: "Check DNS and your network connection, HTTPS_PROXY/NO_PROXY, the CA bundle " +
            `(AWS_CA_BUNDLE) and any endpoint override (${override}, AWS_ENDPOINT_URL), then ` +
            `try again.${notUsed}`,
        },
      );
    case "unreadable":
      return new NetworkError(
        `${service} at ${context.endpoint} sent an answer awsmfa cannot read` +
          `${failure.httpStatus ? ` (HTTP ${failure.httpStatus})` : ""}: ${failure.detail}`,
        { fix: `${notAws}${maybeUsed}` },
      );
    case "too-large":
      return new NetworkError(
        `${service} at ${context.endpoint} sent an answer larger than ` +
          `${formatBytes(failure.limitBytes)}; awsmfa stopped reading it.`,
        { fix: `No ${service} answer is that large. ${notAws}${maybeUsed}` },
      );
    case "invalid-credentials":
      return new NetworkError(
        `${service} at ${context.endpoint} answered ${context.operation} with credentials ` +
          `awsmfa will not write: ${failure.detail}. Nothing was written.`,
        { fix: `AWS does not send such credentials. ${notAws}${maybeUsed}` },
      );
  }
}

/** `1 MiB`, `64 KiB`, `512 bytes`. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** A service error with what its message may name. */
interface ServiceFacts {
  failure: Extract<CallFailure, { kind: "service" }>;
  context: CallContext;
  /** `[georgemfa]`. */
  source: string;
  /** The access key id, shortened. */
  key: string;
}

type ServiceRule = (facts: ServiceFacts) => AwsmfaError;

/**
 * AWS answers these under several codes (`AccessDenied` mostly): the message
 * tells them apart, so they are looked for first, in this order.
 */
const BY_MESSAGE: ReadonlyArray<readonly [text: string, rule: ServiceRule]> = [
  [
    "invalid MFA one time pass code",
    () =>
      new InvalidCodeError("AWS rejected the MFA code: it is wrong or was already used.", {
        fix: "Each code works once: wait for the next code on your device (a new one every 30 s) " +
          "and try again. If codes keep failing, check that the device's clock is right.",
      }),
  ],
  ["unable to validate MFA code", ({ context }) => {
    const serial = context.serialNumber ?? "";
    return new AuthError(`AWS could not validate the code with MFA device ${serial}.`, {
      fix: serialFix(serial, context.sourceSection),
    });
  }],
  [
    "must provide both MFA serial number and one time pass code",
    ({ source }) =>
      new AuthError("AWS needs both the MFA device ARN and a code.", {
        fix: `Set mfa_serial in ${source} and pass a ${CODE_LENGTH}-digit code.`,
      }),
  ],
  ["with session credentials", ({ context, source, key }) =>
    new ConfigError(
      `The keys in ${source} (${key}) are temporary session credentials; ` +
        `${context.operation} needs long-term keys.`,
      { fix: `Put your long-term access keys (AKIA…) in ${source}, not a session.` },
    )],
];

const unknownKey: ServiceRule = ({ source, key }) =>
  new AuthError(
    `AWS does not recognise access key ${key} from ${source}: it is wrong, deleted or inactive.`,
    {
      fix: `Check aws_access_key_id in ${source}. In the IAM console (your user, ` +
        "Security credentials) make sure the key is active, or create a new one.",
    },
  );

const expired: ServiceRule = ({ source }) =>
  new AuthError(`The credentials in ${source} have expired.`, {
    fix: `Put long-term access keys in ${source}.`,
  });

const throttled: ServiceRule = ({ failure, context }) =>
  new NetworkError(`${serviceName(context)} is throttling requests (${failure.code}).`, {
    fix: "Wait a few seconds, then try again with the next code.",
  });

/** The rest, by the error code AWS sends. */
const BY_CODE: ReadonlyMap<string, ServiceRule> = new Map([
  ["InvalidClientTokenId", unknownKey],
  ["UnrecognizedClientException", unknownKey],
  ["SignatureDoesNotMatch", signatureError],
  ["ExpiredToken", expired],
  ["ExpiredTokenException", expired],
  ["ValidationError", validationError],
  ["Throttling", throttled],
  ["ThrottlingException", throttled],
  ["RequestLimitExceeded", throttled],
  [
    "AccessDenied",
    ({ failure, context }) =>
      new AuthError(`AWS denied ${context.operation}: ${failure.message}`, {
        fix: context.operation === "ListMFADevices"
          ? "Your IAM policy must allow iam:ListMFADevices without MFA; or pass --serial ARN."
          : "Check the IAM policy attached to your user.",
      }),
  ],
]);

function describeServiceError(
  failure: Extract<CallFailure, { kind: "service" }>,
  context: CallContext,
): AwsmfaError {
  const facts: ServiceFacts = {
    failure,
    context,
    source: `[${context.sourceSection}]`,
    key: shortKeyId(context.accessKeyId),
  };
  const byMessage = BY_MESSAGE.find(([text]) => failure.message.includes(text));
  const rule = byMessage?.[1] ?? BY_CODE.get(failure.code);
  if (rule) return rule(facts);
  if ((failure.httpStatus ?? 0) >= 500) {
    return new NetworkError(
      `${serviceName(context)} failed to answer (HTTP ${failure.httpStatus} ${failure.code}).`,
      {
        fix: `This is on AWS's side; try again shortly.${
          context.usedCode ? ` ${CODE_MAY_BE_USED}` : ""
        }`,
      },
    );
  }
  return new AuthError(`AWS refused ${context.operation} (${failure.code}): ${failure.message}`);
}

/** A refused signature: the clock when AWS says it expired, else the secret key. */
function signatureError({ failure, context, source, key }: ServiceFacts): AwsmfaError {
  const { message } = failure;
  if (message.includes("Signature expired") || message.includes("Signature not yet current")) {
    return new AuthError(
      `AWS refused the request because this computer's clock is off${
        skewText(failure.serverDate, context.now)
      }.`,
      {
        fix: "Set the clock right (turn on automatic time sync: 'timedatectl set-ntp true' " +
          "on Linux, Settings > Date & Time on macOS and Windows), then try again.",
      },
    );
  }
  return new AuthError(
    `AWS refused the signature: aws_secret_access_key in ${source} does not belong to ` +
      `access key ${key}.`,
    {
      fix: `Copy the secret access key for ${key} into ${source} again (no spaces or quotes), ` +
        "or create a new key pair in the IAM console.",
    },
  );
}

/** A `ValidationError`: the duration (the role's maximum, role chaining) or anything else. */
function validationError({ failure, source }: ServiceFacts): AwsmfaError {
  const { message } = failure;
  if (/MaxSessionDuration/i.test(message)) {
    const defaultHours = ASSUME_ROLE_SECONDS.default / 3600;
    return new UsageError(
      "The session length asked for is longer than the role's maximum session duration.",
      {
        fix: `Ask for less with --duration (or duration_seconds in ${source}), e.g. ` +
          `--duration ${defaultHours}h: a role allows ${defaultHours} hour unless an ` +
          `administrator raised its maximum (up to ${ASSUME_ROLE_SECONDS.max / 3600} h: ` +
          `aws iam update-role --max-session-duration ${ASSUME_ROLE_SECONDS.max}).`,
      },
    );
  }
  if (/role chaining/i.test(message)) {
    const hours = CHAINED_ROLE_MAX_SECONDS / 3600;
    return new UsageError(
      `A role assumed with temporary credentials lasts ${hours} hour at most.`,
      { fix: `Put long-term keys (AKIA…) in ${source}, or use --duration ${hours}h.` },
    );
  }
  if (/durationseconds/i.test(message)) {
    return new UsageError(`AWS refused the duration: ${message}`, {
      fix: "Choose a shorter --duration (or duration_seconds in the source section).",
    });
  }
  return new UsageError(`AWS refused the request: ${message}`);
}

function serviceName(context: CallContext): string {
  return context.operation === "ListMFADevices" ? "AWS IAM" : "AWS STS";
}

function serialFix(serial: string, sourceSection: string): string {
  const where = `mfa_serial in [${sourceSection}]`;
  if (/:user\//.test(serial)) {
    return `${where} is a user ARN (…:user/…), not an MFA device: use the device's ARN, ` +
      `e.g. ${serial.replace(":user/", ":mfa/")} ('aws iam list-mfa-devices' shows it).`;
  }
  if (/:u2f\//.test(serial)) {
    return `${where} is a U2F/FIDO security key; those cannot be used from the CLI or API. ` +
      "Add a virtual or hardware TOTP device to your user and use its ARN.";
  }
  return `Check ${where}: it must be the ARN of an MFA device assigned to this IAM user, in the ` +
    "same account and partition as the keys ('aws iam list-mfa-devices' shows it).";
}

function skewText(serverDate: string | undefined, now: number): string {
  const server = serverDate ? Date.parse(serverDate) : NaN;
  if (Number.isNaN(server)) return "";
  const offset = Math.round((now - server) / 1000);
  const direction = offset >= 0 ? "ahead of" : "behind";
  return ` by ${formatSeconds(Math.abs(offset))}: it is ${direction} AWS's clock ` +
    `(AWS allows ${CLOCK_SKEW_SECONDS / 60} minutes)`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
