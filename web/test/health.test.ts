import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { alive, draining, isDraining, ready } from "@/lib/health";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
});

/** api starts a stand-in API whose /readyz answers with status, or never when status is null. */
async function api(status: number | null): Promise<string> {
  const s = http.createServer((req, res) => {
    if (req.url !== "/readyz") return void res.writeHead(404).end();
    if (status === null) return; // hangs
    res.writeHead(status, { "content-type": "application/json" }).end('{"status":"x"}');
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function unusedPort(): Promise<string> {
  const base = await api(200);
  await new Promise((r) => servers.pop()!.close(r));
  return base;
}

describe("health", () => {
  it("alive answers ok without any API", async () => {
    const r = alive();
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
    expect(r.headers.get("cache-control")).toBe("no-store");
  });

  it.each([
    ["ready API", 200, 200, { status: "ok" }],
    ["API not ready", 503, 503, { status: "unavailable", api: "readyz answered 503" }],
    ["API in trouble", 500, 503, { status: "unavailable", api: "readyz answered 500" }],
  ])("ready: %s", async (_name, upstream, want, body) => {
    const r = await ready(await api(upstream));
    expect(r.status).toBe(want);
    expect(await r.json()).toEqual(body);
  });

  it("ready: API unreachable", async () => {
    const r = await ready(await unusedPort());
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: "unavailable", api: "unreachable" });
  });

  it("ready: API hangs", async () => {
    const r = await ready(await api(null), 200);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: "unavailable", api: "no answer within 200 ms" });
  });
});

describe("draining", () => {
  it("answers 503 with the reason, and isDraining follows the flag scripts/server.mjs sets", async () => {
    const r = draining();
    expect(r.status).toBe(503);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(await r.json()).toEqual({ status: "unavailable", reason: "shutting down" });
    const g = globalThis as { __parleyDraining?: boolean };
    expect(isDraining()).toBe(false);
    g.__parleyDraining = true;
    try {
      expect(isDraining()).toBe(true);
    } finally {
      delete g.__parleyDraining;
    }
  });
});
