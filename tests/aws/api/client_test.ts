import assert from "node:assert/strict";
import {
  AnswerTooLargeError,
  loadSdk,
  MAX_ANSWER_BYTES,
  readAnswer,
} from "../../../lib/aws/api/client.ts";

/** A body of `chunks`, then (unless `endless`) its end; counts what was pulled and cancelled. */
function body(chunks: Uint8Array[], options: { endless?: boolean } = {}) {
  const seen = { pulled: 0, cancelled: false };
  let index = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulled++;
      if (index < chunks.length) controller.enqueue(chunks[index++]);
      else if (options.endless) controller.enqueue(new Uint8Array(16 * 1024));
      else controller.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

Deno.test("readAnswer: a body within the cap is read whole", async () => {
  const { stream } = body([new Uint8Array([1, 2]), new Uint8Array([3])]);
  const bytes = await readAnswer(stream, { signal: new AbortController().signal });
  assert.deepEqual([...bytes], [1, 2, 3]);
  assert.deepEqual([...await readAnswer(undefined, { signal: AbortSignal.timeout(1000) })], []);
  assert.equal(MAX_ANSWER_BYTES, 1024 * 1024);
});

Deno.test("readAnswer: a body without end stops just past the cap and is cancelled", async () => {
  const { stream, seen } = body([], { endless: true });
  await assert.rejects(
    readAnswer(stream, { signal: new AbortController().signal, maxBytes: 64 * 1024 }),
    (error: unknown) => error instanceof AnswerTooLargeError && error.limitBytes === 64 * 1024,
  );
  assert.ok(seen.pulled <= 6, `read ${seen.pulled} chunks of 16 KiB for a 64 KiB cap`);
  assert.ok(seen.cancelled);
  await assert.rejects(
    readAnswer(new Uint8Array(11), { signal: new AbortController().signal, maxBytes: 10 }),
    AnswerTooLargeError,
  );
  await assert.rejects(
    readAnswer(new Blob([new Uint8Array(11)]), {
      signal: new AbortController().signal,
      maxBytes: 10,
    }),
    AnswerTooLargeError,
  );
});

Deno.test("readAnswer: a body that stalls ends when the signal aborts, with its reason", async () => {
  let cancelled = false;
  const stalled = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(3));
    },
    cancel() {
      cancelled = true;
    },
  });
  const controller = new AbortController();
  const reading = readAnswer(stalled, { signal: controller.signal });
  controller.abort(new DOMException("time is up", "TimeoutError"));
  await assert.rejects(reading, (error: unknown) => (error as Error).name === "TimeoutError");
  assert.ok(cancelled);
  // Already aborted: nothing is read.
  const { stream, seen } = body([new Uint8Array(1)]);
  await assert.rejects(readAnswer(stream, { signal: controller.signal }));
  assert.ok(seen.cancelled);
});

Deno.test("loadSdk: one load of the bundle serves STS, IAM and the fetch handler", async () => {
  const first = loadSdk();
  assert.equal(loadSdk(), first, "the same promise, not a second import");
  const sdk = await first;
  assert.equal(typeof sdk.STSClient, "function");
  assert.equal(typeof sdk.IAMClient, "function");
  assert.equal(typeof sdk.FetchHttpHandler, "function");
});
