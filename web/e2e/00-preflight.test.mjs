// Fails loudly, as a test of its own, when Chromium, the built web server or the Go binaries are missing.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { it } from "node:test";
import { preflight } from "./harness.mjs";

it("has Chromium, the standalone web server and the parley and groqmock binaries", () => {
  const p = preflight();
  for (const f of Object.values(p)) assert.ok(existsSync(f), f);
});
