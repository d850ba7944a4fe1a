// Copies the static assets beside the standalone server (next build leaves them out).
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const sa = join(root, ".next/standalone");
cpSync(join(root, ".next/static"), join(sa, ".next/static"), { recursive: true });
if (existsSync(join(root, "public"))) cpSync(join(root, "public"), join(sa, "public"), { recursive: true });
console.log("postbuild: copied .next/static into .next/standalone");
