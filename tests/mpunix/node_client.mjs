// A connect-node gRPC-Web client that stays up and makes calls on request, so a test can
// time one call (not node's start-up) and reuse or drop keep-alive connections.
//
//   node node_client.mjs <descriptor-set> <base-url>
//
// stdin: one JSON request per line
//   {"id": 1, "method": "callTool", "request": {...}, "headers": {...},
//    "keepAlive": true, "timeoutMs": 2000}
// stdout: one JSON answer per line: {"id": 1, "ok": <response as JSON>, "ms": 3.1}
//   or {"id": 1, "code": <connect Code number>, "message": "...", "ms": ...}
// The packages come from tests/interop/node (pinned there), loaded through its package.json.
import { createRequire } from "node:module";
import * as http from "node:http";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "interop", "node", "package.json"));
const { createFileRegistry, fromBinary, fromJson, toJson } = require("@bufbuild/protobuf");
const { FileDescriptorSetSchema } = require("@bufbuild/protobuf/wkt");
const { ConnectError, createClient } = require("@connectrpc/connect");
const { createGrpcWebTransport } = require("@connectrpc/connect-node");

const [descriptorPath, baseUrl] = process.argv.slice(2);
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorPath)));
const service = registry.getService("jotunheim.JotunheimService");

function client(keepAlive) {
  // keepAlive false: a fresh TCP connection for every call (Connection: close).
  const agent = new http.Agent({ keepAlive, maxSockets: 1 });
  const transport = createGrpcWebTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { agent } });
  return createClient(service, transport);
}
const clients = { true: client(true), false: client(false) };

function outputSchema(method) {
  const m = service.methods.find((x) => x.localName === method);
  if (!m) throw new Error("no method " + method);
  return m;
}

async function handle(req) {
  const started = performance.now();
  const out = { id: req.id };
  try {
    const m = outputSchema(req.method);
    const input = fromJson(m.input, req.request ?? {});
    const c = clients[String(req.keepAlive !== false)];
    const res = await c[req.method](input, { headers: req.headers ?? {}, timeoutMs: req.timeoutMs ?? 5000 });
    out.ok = toJson(m.output, res);
  } catch (err) {
    const e = ConnectError.from(err);
    out.code = e.code;
    out.message = e.rawMessage;
  }
  out.ms = performance.now() - started;
  return out;
}

const lines = createInterface({ input: process.stdin });
let chain = Promise.resolve();
lines.on("line", (line) => {
  if (!line.trim()) return;
  // One call at a time, in order, as a test expects.
  chain = chain.then(async () => process.stdout.write(JSON.stringify(await handle(JSON.parse(line))) + "\n"));
});
lines.on("close", () => chain.then(() => process.exit(0)));
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
