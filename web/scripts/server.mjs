// Starts the standalone Next.js server so that X-Forwarded-For is right.
// Next only fills X-Forwarded-For when the client sent none, so a client could
// name any address it likes; here, as every proxy should, the address of the
// peer that connected is appended to whatever chain arrived. The API then
// trusts the chain only as far as PARLEY_TRUSTED_PROXIES says.
import http from "node:http";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// In a checkout the build is in web/.next/standalone; in the image (see
// deploy/docker/web.Dockerfile) the standalone files sit beside scripts/.
const root = new URL("..", import.meta.url).pathname;
const server = [join(root, ".next", "standalone", "server.js"), join(root, "server.js")].find((p) => existsSync(p));
if (!server) {
  console.error("server: .next/standalone/server.js is missing: run `npm run build` first");
  process.exit(1);
}

/** appendPeer adds the connecting peer's address to X-Forwarded-For. */
export function appendPeer(req) {
  const peer = req.socket?.remoteAddress?.replace(/^::ffff:/, "");
  if (!peer) return;
  const prior = req.headers["x-forwarded-for"];
  req.headers["x-forwarded-for"] = prior ? `${prior}, ${peer}` : peer;
}

const createServer = http.createServer;
http.createServer = function patched(...args) {
  const i = args.findIndex((a) => typeof a === "function");
  if (i >= 0) {
    const listener = args[i];
    args[i] = function onRequest(req, res) {
      appendPeer(req);
      return listener.call(this, req, res);
    };
  }
  return createServer.apply(this, args);
};

createRequire(import.meta.url)(server);
