// Third-party gRPC-Web peers for Jotunheim's interop tests, built on connect-node.
//
//   node peer.mjs server <descriptor-set>        LokiService stand-in on 127.0.0.1;
//                                                prints {"port": N}, exits when stdin closes
//   node peer.mjs client <descriptor-set> <url>  calls our device server, prints JSON results
//
// Messages are described at run time from a FileDescriptorSet (protoc
// --descriptor_set_out --include_imports), so no code generation is needed.
import { readFileSync } from "node:fs";
import * as http from "node:http";
import { create, createFileRegistry, fromBinary, toJson } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcWebTransport } from "@connectrpc/connect-node";

const [mode, descriptorPath, url] = process.argv.slice(2);
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorPath)));
const msg = (name) => registry.getMessage(name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function lokiImpl() {
  return {
    async getCapabilities() {
      return create(msg("loki.GetCapabilitiesResponse"), {
        serviceName: "loki-connect-node",
        purpose: "stand-in",
        children: [{ name: "fenrir", purpose: "hardware", enabled: true }],
      });
    },
    async getChildrenStatus() {
      return create(msg("loki.GetChildrenStatusResponse"), {
        children: [{ name: "hel", available: false, statusMessage: "disk full" }],
      });
    },
    async listScripts(req) {
      const names = ["blink", "temperature_monitor"].filter((n) => n.includes(req.namePattern));
      return create(msg("loki.ListScriptsResponse"), { scripts: names.map((name) => ({ name, language: "lua" })) });
    },
    async registerScript(req) {
      return create(msg("loki.RegisterScriptResponse"), { success: true, scriptName: req.name });
    },
    async executeScript(req, ctx) {
      if (req.scriptId === "fail") {
        throw new ConnectError("script crashed: température ≥ 100% ✗", Code.FailedPrecondition);
      }
      const params = Object.fromEntries(Object.entries(req.parameters).sort());
      const output = req.scriptId === "whoami" ? ctx.requestHeader.get("authorization") ?? "" : JSON.stringify(params);
      return create(msg("loki.ExecuteScriptResponse"), { success: true, output });
    },
    async *streamScriptExecution(req) {
      const params = req.input?.parameters ?? {};
      const n = Number(params.n ?? "3");
      const delay = Number(params.delay ?? "50");
      for (let i = 0; i < n; i++) {
        if (i) await sleep(delay);
        yield create(msg("loki.ScriptChunk"), { chunkType: { case: "output", value: { data: `line ${i}` } } });
        if (req.scriptName === "fail_midway" && i === 1) {
          throw new ConnectError("lost the sensor", Code.Aborted);
        }
      }
      yield create(msg("loki.ScriptChunk"), { chunkType: { case: "result", value: { success: true, output: "done" } } });
    },
  };
}

// JotunheimService CallTool doing what the simulated device does for a sensor read (the
// reference for benchmarks/bench_device_server.py): check the token, parse the JSON
// parameters, answer a JSON reading. Registered only when the descriptor set has it.
function jotunheimImpl() {
  return {
    async callTool(req, ctx) {
      if (ctx.requestHeader.get("authorization") !== "Bearer bench-token") {
        throw new ConnectError("token required", Code.Unauthenticated);
      }
      const params = req.parameters ? JSON.parse(req.parameters) : {};
      const result = JSON.stringify({ temperature: 21.5, unit: "C", params });
      return create(msg("jotunheim.ToolCallResponse"), { success: true, result: new TextEncoder().encode(result) });
    },
  };
}

function routes(router) {
  router.service(registry.getService("loki.LokiService"), lokiImpl());
  try {
    router.service(registry.getService("jotunheim.JotunheimService"), jotunheimImpl());
  } catch {
    // a descriptor set without jotunheim.proto: LokiService only
  }
  return router;
}

async function runServer() {
  const handler = connectNodeAdapter({
    grpcWeb: true,
    connect: false,
    grpc: false,
    routes,
  });
  const server = http.createServer(handler);
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
  });
  process.stdin.on("end", () => { server.closeAllConnections(); server.close(); process.exit(0); });
  process.stdin.resume();
}

async function call(fn) {
  try {
    return { ok: await fn() };
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, message: e.rawMessage };
  }
}

async function runClient() {
  const transport = createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" });
  const device = createClient(registry.getService("jotunheim.JotunheimService"), transport);
  const loki = createClient(registry.getService("loki.LokiService"), transport);
  const statusSchema = msg("jotunheim.DeviceStatusResponse");
  const chunkSchema = msg("loki.ScriptChunk");
  const results = {};
  results.status = await call(async () =>
    toJson(statusSchema, await device.getDeviceStatus({ deviceId: "dev-1" }, { headers: { authorization: "Bearer node" } })));
  results.unknown = await call(async () => toJson(statusSchema, await device.sendDeviceCommand({ deviceId: "x", command: "nope" })));
  results.failing = await call(async () => toJson(statusSchema, await device.callTool({ deviceId: "x", toolName: "explode" })));
  results.stream = await call(async () => {
    const out = [];
    for await (const chunk of loki.streamScriptExecution({ scriptName: "count", input: { parameters: { n: "3" } } })) {
      out.push(toJson(chunkSchema, chunk));
    }
    return out;
  });
  results.stream_error = await call(async () => {
    const out = [];
    for await (const chunk of loki.streamScriptExecution({ scriptName: "fail_midway", input: { parameters: {} } })) {
      out.push(toJson(chunkSchema, chunk));
    }
    return out;
  });
  process.stdout.write(JSON.stringify(results) + "\n");
}

if (mode === "server") await runServer();
else if (mode === "client") await runClient();
else { process.stderr.write("usage: peer.mjs server|client <descriptor-set> [url]\n"); process.exit(2); }
