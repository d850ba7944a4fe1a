// Graceful shutdown of scripts/server.mjs: a chat stream in flight through the
// web server when SIGTERM arrives still ends with its done event; during
// PARLEY_WEB_SHUTDOWN_DRAIN /readyz answers 503; once the drain is over new
// connections are refused; the process then exits 0.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { startStack } from "./harness.mjs";

const CSRF = "e2e-shutdown-csrf-token";

/** post sends a JSON POST through the web app with the CSRF double-submit and cookies; it resolves to { status, body, cookies }. */
async function post(webUrl, path, body, cookie = "") {
  const r = await fetch(`${webUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: `parley_csrf=${CSRF}${cookie ? `; ${cookie}` : ""}`, "x-csrf-token": CSRF },
    body: JSON.stringify(body),
  });
  const cookies = r.headers.getSetCookie().map((c) => c.split(";")[0]);
  return { status: r.status, body: await r.json(), cookies };
}

/** lineLogged resolves when the child's stdout has printed a line matching re. */
function lineLogged(child, re) {
  return new Promise((resolve) => {
    let out = "";
    const on = (b) => {
      out += b;
      if (re.test(out)) {
        child.stdout.off("data", on);
        resolve(out);
      }
    };
    child.stdout.on("data", on);
  });
}

/** connect resolves to "connected" or the error code of a fresh TCP connection to url's port. */
function connect(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    sock.once("connect", () => {
      sock.destroy();
      resolve("connected");
    });
    sock.once("error", (e) => resolve(e.code));
  });
}

describe("graceful shutdown of the web server", () => {
  let s;
  before(async () => {
    // ~70 tokens at 10 per second: the stream outlasts the 1 s drain by seconds.
    s = await startStack({
      browser: false,
      groqmockArgs: ["-tps", "10"],
      webEnv: { PARLEY_WEB_SHUTDOWN_DRAIN: "1s", PARLEY_WEB_SHUTDOWN_TIMEOUT: "60s" },
    });
  });
  after(async () => {
    await s?.stop();
  });

  it("finishes the stream in flight at SIGTERM, answers /readyz 503 while draining, then refuses connections and exits 0", async () => {
    const reg = await post(s.webUrl, "/api/v1/auth/register", { email: "drain@example.com", password: "correct horse battery", name: "Drain" });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const cookie = reg.cookies.join("; ");
    const conv = await post(s.webUrl, "/api/v1/conversations", {}, cookie);
    assert.equal(conv.status, 201, JSON.stringify(conv.body));
    assert.equal((await fetch(`${s.webUrl}/readyz`)).status, 200, "ready before the signal");

    const web = s.web;
    const exited = new Promise((resolve) => web.once("exit", (code, signal) => resolve({ code, signal })));
    const draining = lineLogged(web, /SIGTERM: draining for 1000 ms/);
    const stopped = lineLogged(web, /stopped accepting connections/);
    const finished = lineLogged(web, /every request finished/);

    // The stream: SIGTERM goes out as soon as its first delta arrived.
    const u = new URL(`${s.webUrl}/api/v1/conversations/${conv.body.id}/messages`);
    let text = "";
    let signalled = false;
    const streamed = new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream", cookie: `parley_csrf=${CSRF}; ${cookie}`, "x-csrf-token": CSRF },
        },
        (res) => {
          res.setEncoding("utf8");
          res.on("data", (c) => {
            text += c;
            if (!signalled && text.includes("event: delta")) {
              signalled = true;
              web.stopping = true; // the harness should not report this exit as a crash
              web.kill("SIGTERM");
            }
          });
          res.on("end", () => resolve({ status: res.statusCode, complete: res.complete }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ content: "stream me through a rollout ".repeat(12) }));
    });

    // While draining, the stream goes on and /readyz tells the load balancer to go elsewhere.
    // Asked once the server logged the drain (it got the signal): well inside the 1 s drain.
    const drainingAnswer = await (async () => {
      await draining;
      const r = await fetch(`${s.webUrl}/readyz`);
      return { status: r.status, body: await r.json() };
    })();
    assert.deepEqual(drainingAnswer, { status: 503, body: { status: "unavailable", reason: "shutting down" } });

    // Once the drain is over the listener is closed: a new connection is refused while the stream still runs.
    await stopped;
    assert.equal(await connect(s.webUrl), "ECONNREFUSED");
    assert.doesNotMatch(text, /event: done/, "the stream was still in flight when the listener closed");

    const res = await streamed;
    assert.equal(res.status, 200);
    assert.ok(res.complete, "the response ended cleanly, not cut");
    assert.match(text, /event: done/, "the stream in flight at SIGTERM ends with its done event");
    assert.doesNotMatch(text, /event: error/);
    const deltas = text.split("event: delta").length - 1;
    assert.ok(deltas >= 10, `the whole answer arrived (${deltas} deltas)`);

    await finished;
    assert.deepEqual(await exited, { code: 0, signal: null }, "exit 0 after every request finished");
    assert.equal(await connect(s.webUrl), "ECONNREFUSED");
  });
});

describe("graceful shutdown of the web server when its timeout runs out", () => {
  let s;
  before(async () => {
    // ~70 tokens at 5 per second: far longer than the 300 ms the server may wait.
    s = await startStack({
      browser: false,
      groqmockArgs: ["-tps", "5"],
      webEnv: { PARLEY_WEB_SHUTDOWN_TIMEOUT: "300ms" },
    });
  });
  after(async () => {
    await s?.stop();
  });

  it("cuts the stream still open when PARLEY_WEB_SHUTDOWN_TIMEOUT runs out and exits 1", async () => {
    const reg = await post(s.webUrl, "/api/v1/auth/register", { email: "cut@example.com", password: "correct horse battery", name: "Cut" });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const cookie = reg.cookies.join("; ");
    const conv = await post(s.webUrl, "/api/v1/conversations", {}, cookie);
    assert.equal(conv.status, 201, JSON.stringify(conv.body));

    const web = s.web;
    const exited = new Promise((resolve) => web.once("exit", (code, signal) => resolve({ code, signal })));
    const logged = lineLogged(web, /shutdown timeout ran out with 1 request\(s\) in flight/);
    const u = new URL(`${s.webUrl}/api/v1/conversations/${conv.body.id}/messages`);
    let text = "";
    const streamed = new Promise((resolve) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream", cookie: `parley_csrf=${CSRF}; ${cookie}`, "x-csrf-token": CSRF },
        },
        (res) => {
          res.setEncoding("utf8");
          res.on("data", (c) => {
            const first = !text.includes("event: delta");
            text += c;
            if (first && text.includes("event: delta")) {
              web.stopping = true;
              web.kill("SIGTERM");
            }
          });
          res.on("end", () => resolve({ complete: res.complete }));
          res.on("error", () => resolve({ complete: false }));
        },
      );
      req.on("error", () => resolve({ complete: false }));
      req.end(JSON.stringify({ content: "stream me through a rollout ".repeat(12) }));
    });

    assert.deepEqual(await streamed, { complete: false }, "the stream was cut");
    assert.doesNotMatch(text, /event: done/);
    await logged;
    assert.deepEqual(await exited, { code: 1, signal: null }, "exit 1: the grace ran out");
  });
});
