/**
 * A time bound for every test: `deno task test` preloads this module
 * (`deno test --preload`), which wraps `Deno.test` so that a test still
 * running after its bound fails with a message naming it and the bound,
 * instead of hanging the suite. The bound is generous: it catches a hang, it
 * is not a speed target (those live in `deno task bench`).
 *
 * `AWSMFA_TEST_BOUND_S` sets it (seconds); the default is 240 s, 1800 s under
 * `TORTURE=full` (whose scenarios have bounds of their own, up to 21 minutes).
 *
 * @module
 */

const BOUND_MS = (() => {
  const env = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // No permission to read the environment: the default bound.
    }
  };
  const text = env("AWSMFA_TEST_BOUND_S");
  if (text !== undefined && text !== "") {
    const seconds = Number(text);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      throw new Error(`AWSMFA_TEST_BOUND_S=${text} is not a number of seconds from 1 to 86400.`);
    }
    return seconds * 1000;
  }
  return env("TORTURE") === "full" ? 1_800_000 : 240_000;
})();

type TestFn = (t: Deno.TestContext) => void | Promise<void>;

/** `fn`, failing once it has run for longer than the bound. */
function bounded(name: string, fn: TestFn): TestFn {
  return async (t) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overtime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new Error(
            `The test '${name}' ran for more than ${BOUND_MS / 1000} s (its time bound) and ` +
              "was stopped: something it waits for never came. Set AWSMFA_TEST_BOUND_S to " +
              "allow longer.",
          ),
        );
      }, BOUND_MS);
    });
    try {
      await Promise.race([fn(t), overtime]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The same arguments as `Deno.test`, as one definition with a bounded `fn`. */
function boundedDefinition(args: unknown[]): Deno.TestDefinition {
  const [first, second, third] = args;
  let definition: Deno.TestDefinition;
  if (typeof first === "string") {
    definition = typeof second === "function" ? { name: first, fn: second as TestFn } : {
      ...(second as Omit<Deno.TestDefinition, "name" | "fn">),
      name: first,
      fn: third as TestFn,
    };
  } else if (typeof first === "function") {
    definition = { name: first.name, fn: first as TestFn };
  } else if (typeof second === "function") {
    const options = first as Omit<Deno.TestDefinition, "fn">;
    definition = { ...options, name: options.name ?? second.name, fn: second as TestFn };
  } else {
    definition = first as Deno.TestDefinition;
  }
  return { ...definition, fn: bounded(definition.name, definition.fn) };
}

const original = Deno.test;
const test = ((...args: unknown[]) => original(boundedDefinition(args))) as typeof Deno.test;
test.ignore =
  ((...args: unknown[]) =>
    original({ ...boundedDefinition(args), ignore: true })) as typeof Deno.test.ignore;
test.only =
  ((...args: unknown[]) =>
    original({ ...boundedDefinition(args), only: true })) as typeof Deno.test.only;
Object.defineProperty(Deno, "test", { value: test, configurable: true, writable: true });
