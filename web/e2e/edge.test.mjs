// The web tier as the edge, through the real web app and API: redirects and
// cookie flags follow PARLEY_PUBLIC_URL, not a client's X-Forwarded-Host or
// X-Forwarded-Proto; a refresh answer is shared only for a burst, so a
// stolen refresh cookie replayed later is caught by the API; a chunked body
// over the forwarder's cap is refused with 413.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startStack } from "./harness.mjs";
import { cookiesOf, send, signInThroughWeb } from "./helpers.mjs";

/**
 * assertOnOrigin checks a redirect names path on origin: either in full or as a path alone (Next
 * shortens a redirect to its own origin to the path, which the browser resolves where it already is).
 */
function assertOnOrigin(location, origin, path) {
  assert.ok(location === `${origin}${path}` || location === path, `redirected to ${location}, want ${path} on ${origin}`);
}

const who = { email: "edge@example.com", password: "edge long passphrase", name: "Eddie Edge" };
const HOSTILE_FORWARDING = { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", forwarded: "host=evil.example;proto=https" };

describe("with PARLEY_PUBLIC_URL, redirects and cookies follow the configured origin", () => {
  let s;
  before(async () => {
    s = await startStack({ browser: false, webEnv: ({ webUrl }) => ({ PARLEY_PUBLIC_URL: webUrl }) });
  });
  after(async () => {
    await s?.stop();
  });

  it("sends a signed-out visitor to the configured origin's sign-in page whatever X-Forwarded-Host says", async () => {
    const res = await send(`${s.webUrl}/chat?x=1`, { headers: HOSTILE_FORWARDING });
    assert.equal(res.status, 307);
    assertOnOrigin(res.headers.location, s.webUrl, "/login?next=%2Fchat%3Fx%3D1");
    // http on loopback, as configured: plain cookie names, no Secure (a forged X-Forwarded-Proto: https changes nothing).
    const csrf = cookiesOf(res);
    assert.deepEqual([...csrf.keys()], ["parley_csrf"]);
    assert.ok(!csrf.get("parley_csrf").attrs.includes("secure"));
  });

  it("refuses a state change whose Origin matches only the forged host", async () => {
    const page = await send(`${s.webUrl}/login`);
    const csrf = cookiesOf(page).get("parley_csrf").value;
    const res = await send(`${s.webUrl}/api/v1/auth/register`, {
      method: "POST",
      headers: { ...HOSTILE_FORWARDING, origin: "https://evil.example", "content-type": "application/json", "x-csrf-token": csrf, cookie: `parley_csrf=${csrf}` },
      body: JSON.stringify(who),
    });
    assert.equal(res.status, 403, res.text);
  });
});

describe("without PARLEY_PUBLIC_URL, a client's X-Forwarded-* are not believed", () => {
  let s;
  before(async () => {
    s = await startStack({ browser: false });
  });
  after(async () => {
    await s?.stop();
  });

  it("redirects to the Host the client reached, not its X-Forwarded-Host", async () => {
    const { host, ...forged } = HOSTILE_FORWARDING;
    void host;
    const res = await send(`${s.webUrl}/settings`, { headers: forged });
    assert.equal(res.status, 307);
    assertOnOrigin(res.headers.location, s.webUrl, "/login?next=%2Fsettings");
    assert.deepEqual([...cookiesOf(res).keys()], ["parley_csrf"], "a forged X-Forwarded-Proto: https made the cookies Secure");
  });

  it("shares a refresh answer within a burst, and a refresh cookie replayed after it is caught by the API", async () => {
    const reg = await send(`${s.webUrl}/login`);
    const csrf = cookiesOf(reg).get("parley_csrf").value;
    const r = await send(`${s.webUrl}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: `parley_csrf=${csrf}` },
      body: JSON.stringify(who),
    });
    assert.equal(r.status, 201, r.text);
    const stolen = cookiesOf(r).get("parley_rt").value;

    // A page load: several requests at once, each without an access cookie, each renewing with the same refresh cookie.
    const burst = await Promise.all(
      Array.from({ length: 4 }, () => send(`${s.webUrl}/settings`, { headers: { cookie: `parley_csrf=${csrf}; parley_rt=${stolen}` } })),
    );
    for (const b of burst) assert.equal(b.status, 200, `a request of the burst got ${b.status}`);
    const renewed = new Set(burst.map((b) => cookiesOf(b).get("parley_rt")?.value));
    assert.equal(renewed.size, 1, "the burst did not share one renewal");
    const fresh = [...renewed][0];
    assert.notEqual(fresh, stolen);

    // The thief replays the old cookie once the burst is over (lib/session.ts REFRESH_SHARE_MS = 1.5 s). Waiting
    // for that window to close is what this test is about, not a way to synchronise with the server.
    await sleep(2_000);
    const replay = await send(`${s.webUrl}/settings`, { headers: { cookie: `parley_csrf=${csrf}; parley_rt=${stolen}` } });
    assert.equal(replay.status, 307, "the replayed refresh cookie got a session");
    assert.match(replay.headers.location, /\/login\?next=/);
    assert.ok(!cookiesOf(replay).get("parley_at")?.value, "the replay was handed an access token");
    // The API saw the reuse and revoked the whole login: the owner's renewed cookie is dead too.
    const owner = await send(`${s.webUrl}/settings`, { headers: { cookie: `parley_csrf=${csrf}; parley_rt=${fresh}` } });
    assert.equal(owner.status, 307, "the session survived a detected replay");
  });

  it("answers 413 to a chunked body over the cap and still serves the session afterwards", async () => {
    const { jar } = await signInThroughWeb(s.webUrl, who.email, who.password);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    // The body opens a JSON string that never closes: the API cannot refuse it as malformed before the cap is crossed.
    const head = Buffer.from('{"title":"');
    const chunk = Buffer.alloc(64 << 10, 0x61);
    const res = await send(`${s.webUrl}/api/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": jar.get("parley_csrf"), cookie, "transfer-encoding": "chunked" },
      body: (req) => {
        // 2 MiB in 64 KiB chunks, no Content-Length; stop writing once the answer came.
        let n = 0;
        req.write(head);
        const more = () => {
          while (n < 32) {
            n++;
            if (!req.write(chunk)) return req.once("drain", more);
          }
          req.end();
        };
        req.on("response", () => (n = 32));
        req.on("error", () => {});
        more();
      },
    });
    assert.equal(res.status, 413, res.text);
    assert.match(res.headers["content-type"], /application\/problem\+json/);
    assert.equal(JSON.parse(res.text).code, "too_large");
    const me = await send(`${s.webUrl}/api/v1/me`, { headers: { cookie } });
    assert.equal(me.status, 200);
  });
});
