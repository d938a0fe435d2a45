// A connect-node client of the device that signs every call with an interceptor
// (authorization: JH-HMAC ..., see docs/security.md), built on node:crypto's HMAC.
//
//   node signed_client.mjs <descriptor-set> <device-url> <token>
//
// Prints one JSON line: the answers of signed calls, and the codes of an unsigned call
// and of one signed with a wrong key.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";

// The body the gRPC-Web transport sends for a unary call: one uncompressed data frame.
function grpcWebBody(bytes) {
  const body = Buffer.alloc(5 + bytes.length);
  body.writeUInt32BE(bytes.length, 1);
  body.set(bytes, 5);
  return body;
}

// Signs unary calls: HMAC-SHA256 over method, path, SHA-256 of the body, time and nonce.
export function signingInterceptor(token, keyid = "user") {
  return (next) => async (req) => {
    if (!req.stream) {
      const body = grpcWebBody(toBinary(req.method.input, req.message));
      const ts = Date.now();
      const nonce = randomBytes(18).toString("base64url");
      const digest = createHash("sha256").update(body).digest("hex");
      const path = new URL(req.url).pathname;
      const text = ["JH-HMAC-SHA256", req.requestMethod, path, digest, String(ts), nonce].join("\n");
      const sig = createHmac("sha256", token).update(text).digest("hex");
      req.header.set("authorization", `JH-HMAC keyid=${keyid},ts=${ts},nonce=${nonce},sig=${sig}`);
    }
    return next(req);
  };
}

async function code(fn) {
  try {
    await fn();
    return 0;
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

const [descriptorPath, url, token] = process.argv.slice(2);
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorPath)));
const service = registry.getService("jotunheim.JotunheimService");
const connect = (interceptors) =>
  createClient(service, createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1", interceptors }));
const device = connect([signingInterceptor(token)]);
const out = {};
out.status = (await device.getDeviceStatus({ deviceId: "" })).status;
const set = await device.callTool({ toolName: "set_led_sim", parameters: '{"on": true}' });
out.set = { success: set.success, error: set.errorMessage };
const ping = await device.sendDeviceCommand({ command: "ping" });
out.ping = ping.success;
out.unsigned = await code(() => connect([]).getDeviceStatus({ deviceId: "" }));
out.wrong_key = await code(() => connect([signingInterceptor("not-" + token)]).getDeviceStatus({}));
console.log(JSON.stringify(out));
