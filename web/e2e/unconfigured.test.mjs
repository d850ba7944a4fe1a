// Without a Groq key, the chat says so plainly.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startStack } from "./harness.mjs";
import { newPage, shot, signUp } from "./helpers.mjs";

describe("parley without a Groq key", () => {
  let s;
  before(async () => {
    s = await startStack({ parleyEnv: { PARLEY_GROQ_API_KEYS: "" } });
  });
  after(async () => {
    await s?.stop();
  });

  it("tells the user that no Groq key is configured", async () => {
    const page = await newPage(s.browser);
    await signUp(page, s.webUrl, { email: "solo@example.com", password: "a long enough password", name: "Solo" });
    const note = page.getByTestId("not-configured");
    await note.waitFor();
    assert.match(await note.textContent(), /No Groq API key is configured/);
    await shot(page, "13-no-groq-key");
  });
});
