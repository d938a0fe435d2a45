#!/usr/bin/env node
// MicroPython test interpreter for Jotunheim's device code (see README.md in this folder).
//
//   node tests/micropython/run.mjs [test files or dirs]   run suite modules (default suite/)
//   node tests/micropython/run.mjs --heap                 heap after importing each module
//   node tests/micropython/run.mjs --serve                JSON lines on stdin/stdout (harness.py)
//
// The interpreter runs in a worker thread so a hung test can be killed: the main thread
// enforces a per-call timeout (--timeout SECONDS, or JOTUNHEIM_MP_TIMEOUT; default 60) and
// starts a fresh interpreter after one.

import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import url from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const HERE = path.dirname(url.fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const PKG_DIR = path.join(HERE, "node_modules", "@micropython", "micropython-webassembly-pyscript");
const HEAP_BYTES = 2 * 1024 * 1024;

// Adafruit libraries loaded as on a board. Where they branch on sys.implementation to
// import `typing` or CPython's ssl names (MicroPython has neither), the test is replaced by
// what it is on CircuitPython 9, so they take the CircuitPython path here too.
const AS_ON_CIRCUITPYTHON = "if False:  # run.mjs: as on CircuitPython";
const LIB_PATCHES = {
  "adafruit_requests.py": [['if not sys.implementation.name == "circuitpython":', AS_ON_CIRCUITPYTHON]],
  "adafruit_connection_manager.py": [['if not sys.implementation.name == "circuitpython":', AS_ON_CIRCUITPYTHON]],
  "adafruit_httpserver/server.py": [
    [
      "from sys import implementation\n",
      "class implementation:  # run.mjs: as on CircuitPython 9\n    name = \"circuitpython\"\n    version = (9, 2, 0)\n",
    ],
  ],
};
const LIBS = ["adafruit_requests.py", "adafruit_connection_manager.py", "adafruit_httpserver"];


// ---------------------------------------------------------------- worker: one interpreter

function walk(dir, accept, out = [], rel = "") {
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name === "__pycache__" || entry.name.startsWith(".")) continue;
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walk(dir, accept, out, relPath);
    else if (entry.isFile() && accept(relPath)) out.push(relPath);
  }
  return out;
}

function mkdirs(FS, target) {
  let cur = "";
  for (const part of target.split("/").filter(Boolean)) {
    cur += "/" + part;
    try {
      FS.mkdir(cur);
    } catch (e) {
      // EEXIST is fine: several trees share parent folders.
    }
  }
}

function copyTree(FS, hostDir, target, onlyPy, asOnBoard = false) {
  for (const rel of walk(hostDir, (p) => !onlyPy || p.endsWith(".py"))) {
    const dest = `${target}/${rel}`;
    mkdirs(FS, path.posix.dirname(dest));
    const data = fs.readFileSync(path.join(hostDir, rel));
    FS.writeFile(dest, asOnBoard && rel.endsWith(".py") ? withoutDocstrings(data.toString("utf8")) : data);
  }
}

// This WebAssembly build is MicroPython's "full features" variant: it keeps module and class
// docstrings in RAM (MICROPY_ENABLE_DOC_STRING). CircuitPython boards, and mpy-cross for the
// bundle's .mpy files, are built without it, so a board never holds them. Library sources
// (jotunheim/ and the Adafruit libraries) get theirs blanked on the way in, line count kept,
// so heap figures are a board's. A class left without a body gets `pass`.
const DOC_START = /^(\s*)[rRuU]?("""|''')/;

function blankString(lines, from) {
  // Blank the triple-quoted string starting on line `from`; false if it is not a lone statement.
  const m = lines[from].match(DOC_START);
  const quote = m[2];
  let end = from;
  let tail = lines[from].slice(m[0].length);
  while (!tail.includes(quote)) {
    end += 1;
    if (end >= lines.length) return false;
    tail = lines[end];
  }
  const after = tail.slice(tail.indexOf(quote) + 3);
  if (after.trim() !== "" && !after.trim().startsWith("#")) return false;
  for (let k = from; k <= end; k++) lines[k] = "";
  return true;
}

function nextCode(lines, i) {
  while (i < lines.length && (lines[i].trim() === "" || lines[i].trim().startsWith("#"))) i++;
  return i;
}

function withoutDocstrings(text) {
  const lines = text.split("\n");
  const first = nextCode(lines, 0);
  if (first < lines.length && DOC_START.test(lines[first]) && !/^\s/.test(lines[first])) {
    blankString(lines, first);
  }
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i].match(/^(\s*)class\b[^#]*:\s*(#.*)?$/);
    if (!head) continue;
    const j = nextCode(lines, i + 1);
    const m = j < lines.length && lines[j].match(DOC_START);
    if (!m || m[1].length <= head[1].length) continue;
    if (blankString(lines, j)) lines[j] = m[1] + "pass";
  }
  return lines.join("\n");
}

function sitePackages() {
  const lib = path.join(REPO, ".venv", "lib");
  const found = fs.existsSync(lib) ? fs.readdirSync(lib).filter((d) => d.startsWith("python3")) : [];
  for (const d of found) {
    const sp = path.join(lib, d, "site-packages");
    if (fs.existsSync(path.join(sp, "adafruit_requests.py"))) return sp;
  }
  throw new Error(`no .venv with the Adafruit libraries under ${lib}: run scripts/bootstrap.sh`);
}

function installLibs(FS) {
  const sp = sitePackages();
  mkdirs(FS, "/lib");
  for (const name of LIBS) {
    const src = path.join(sp, name);
    const files = fs.statSync(src).isDirectory() ? walk(src, (p) => p.endsWith(".py")).map((p) => `${name}/${p}`) : [name];
    for (const rel of files) {
      let text = fs.readFileSync(path.join(sp, rel), "utf8");
      for (const [from, to] of LIB_PATCHES[rel] || []) {
        if (!text.includes(from)) throw new Error(`${rel}: expected text to patch not found: ${from}`);
        text = text.split(from).join(to);
      }
      mkdirs(FS, path.posix.dirname(`/lib/${rel}`));
      FS.writeFile(`/lib/${rel}`, withoutDocstrings(text));
    }
  }
}

async function workerMain({ mounts, preloadFakes }) {
  const { loadMicroPython } = await import(url.pathToFileURL(path.join(PKG_DIR, "micropython.mjs")).href);
  const out = (line) => parentPort.postMessage({ t: "out", line });
  const mp = await loadMicroPython({ heapsize: HEAP_BYTES, stdout: out, stderr: out, linebuffer: true });
  const FS = mp.FS;
  copyTree(FS, path.join(REPO, "jotunheim"), "/lib/jotunheim", true, true);
  installLibs(FS);
  copyTree(FS, path.join(HERE, "fakes"), "/fakes", true);
  copyTree(FS, path.join(HERE, "runner"), "/runner", true);
  const extra = [];
  for (const m of mounts) {
    copyTree(FS, m.host, m.target, false);
    extra.push(m.target);
  }
  const flush = () => {
    // linebuffer holds a last line without "\n"; hand it over at the end of every call.
    for (const key of ["_stdoutBuffer", "_stderrBuffer"]) {
      const buf = mp._module[key];
      if (buf && buf.length) {
        out(mp._module._textDecoder.decode(new Uint8Array(buf)));
        mp._module[key] = [];
      }
    }
  };
  const run = (code, read) => {
    try {
      mp.runPython(code);
      flush();
      return { ok: true, value: read ? mp.globals.get(read) : null };
    } catch (e) {
      flush();
      if (e && e.name === "PythonError") return { ok: false, type: e.type, error: e.message };
      return { ok: false, type: "JavaScriptError", error: String(e && e.stack ? e.stack : e) };
    }
  };
  const pathList = [...extra, "/fakes", "/lib", "/runner", "", ".frozen"].map((p) => JSON.stringify(p)).join(", ");
  const init = run(
    `import sys\nsys.path[:] = [${pathList}]\nimport gc\nimport _jh_runner\n_jh_v = 0\n` +
      (preloadFakes ? "_jh_runner.preload_fakes()\n" : ""),
  );
  parentPort.on("message", (msg) => {
    let reply;
    if (msg.op === "run") reply = run(msg.code, msg.read);
    else if (msg.op === "mount") {
      copyTree(FS, msg.host, msg.target, false);
      reply = msg.sysPath ? run(`sys.path.insert(0, ${JSON.stringify(msg.target)})`) : { ok: true };
    } else if (msg.op === "write") {
      mkdirs(FS, path.posix.dirname(msg.path));
      FS.writeFile(msg.path, Buffer.from(msg.data, "base64"));
      reply = { ok: true };
    } else reply = { ok: false, type: "ValueError", error: `unknown op ${msg.op}` };
    parentPort.postMessage({ t: "done", id: msg.id, ...reply });
  });
  parentPort.postMessage({ t: "ready", ...init });
}

// ---------------------------------------------------------------- main thread

class Interpreter {
  // One MicroPython in a worker thread. call() never rejects: a timeout kills the worker
  // and reports {ok: false, timeout: true}; the caller starts a new Interpreter.
  static async start({ mounts = [], preloadFakes = false } = {}) {
    const it = new Interpreter();
    it.worker = new Worker(url.fileURLToPath(import.meta.url), { workerData: { mounts, preloadFakes } });
    it.lines = [];
    it.onLine = null;
    it.pending = null;
    it.nextId = 1;
    const ready = await new Promise((resolve) => {
      it.worker.on("message", (msg) => {
        if (msg.t === "out") {
          it.lines.push(msg.line);
          if (it.onLine) it.onLine(msg.line);
        } else if (msg.t === "ready") resolve(msg);
        else if (msg.t === "done" && it.pending && it.pending.id === msg.id) it.pending.resolve(msg);
      });
      it.worker.on("error", (err) => {
        const res = { ok: false, type: "WorkerError", error: String(err && err.stack ? err.stack : err) };
        resolve(res);
        if (it.pending) it.pending.resolve(res);
      });
      it.worker.on("exit", (code) => {
        it.dead = true;
        const res = { ok: false, type: "WorkerExit", error: `interpreter worker exited (code ${code})` };
        resolve(res);
        if (it.pending) it.pending.resolve(res);
      });
    });
    if (!ready.ok) {
      await it.stop();
      throw new Error(`MicroPython start-up failed: ${ready.type}\n${ready.error}`);
    }
    it.startLines = it.takeLines();
    return it;
  }

  takeLines() {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }

  send(msg, timeoutMs) {
    if (this.dead) return Promise.resolve({ ok: false, type: "WorkerExit", error: "interpreter is not running", lines: [] });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = null;
        this.dead = true;
        this.worker.terminate();
        resolve({ ok: false, timeout: true, type: "Timeout", error: `timed out after ${timeoutMs / 1000} s (interpreter restarted)`, lines: this.takeLines() });
      }, timeoutMs);
      this.pending = {
        id,
        resolve: (msg) => {
          clearTimeout(timer);
          this.pending = null;
          // Output lines are posted before "done", so they have all arrived by now.
          resolve({ ...msg, lines: this.takeLines() });
        },
      };
      this.worker.postMessage({ ...msg, id });
    });
  }

  call(code, { read = null, timeoutMs = 60000 } = {}) {
    return this.send({ op: "run", code, read }, timeoutMs);
  }

  async stop() {
    this.dead = true;
    await this.worker.terminate();
  }
}

function parseArgs(argv) {
  const opts = { mode: "suite", targets: [], timeoutMs: 1000 * Number(process.env.JOTUNHEIM_MP_TIMEOUT || 60), mounts: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--heap") opts.mode = "heap";
    else if (a === "--serve") opts.mode = "serve";
    else if (a === "--timeout") opts.timeoutMs = 1000 * Number(argv[++i]);
    else if (a === "-h" || a === "--help") opts.mode = "help";
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else opts.targets.push(a);
  }
  if (!(opts.timeoutMs > 0)) throw new Error("--timeout needs a positive number of seconds");
  return opts;
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    console.error(String(e.message));
    return 2;
  }
  if (opts.mode === "help") {
    console.log("usage: node run.mjs [--timeout S] [test files/dirs] | --heap | --serve");
    return 0;
  }
  if (!fs.existsSync(path.join(PKG_DIR, "micropython.mjs"))) {
    console.error(`MicroPython is not installed in ${path.relative(process.cwd(), HERE) || "."}/node_modules: run scripts/bootstrap.sh`);
    return 2;
  }
  try {
    if (opts.mode === "heap") return await heapMode(opts);
    if (opts.mode === "serve") return await serveMode(opts);
    return await suiteMode(opts);
  } catch (e) {
    console.error(String(e && e.stack ? e.stack : e));
    return 2;
  }
}

// ---------------------------------------------------------------- suite mode

function collectTests(targets) {
  const files = [];
  for (const t of targets.length ? targets : [path.join(HERE, "suite")]) {
    const abs = path.resolve(t);
    if (!fs.existsSync(abs)) throw new Error(`no such test file or folder: ${t}`);
    if (fs.statSync(abs).isDirectory()) {
      for (const rel of walk(abs, (p) => /(^|\/)test_[^/]*\.py$/.test(p) && !p.includes("/"))) files.push(path.join(abs, rel));
    } else files.push(abs);
  }
  const byName = new Map();
  for (const f of files) {
    const name = path.basename(f, ".py");
    if (byName.has(name) && byName.get(name) !== f) throw new Error(`two test modules named ${name}: ${byName.get(name)} and ${f}`);
    byName.set(name, f);
  }
  return [...byName.values()];
}

function indent(text) {
  return text
    .replace(/\n+$/, "")
    .split("\n")
    .map((l) => "    " + l)
    .join("\n");
}

function testOrder(source, found) {
  // Source order reads better than dir() order, which MicroPython does not keep.
  const names = [...source.matchAll(/^def (test_\w+)\s*\(/gm)].map((m) => m[1]);
  const seen = new Set(names.filter((n) => found.includes(n)));
  return [...seen, ...found.filter((n) => !seen.has(n)).sort()];
}

async function suiteMode(opts) {
  const files = collectTests(opts.targets);
  const dirs = [...new Set(files.map((f) => path.dirname(f)))];
  const mounts = dirs.map((d, i) => ({ host: d, target: `/suite/${i}` }));
  let interp = await Interpreter.start({ mounts });
  let passed = 0;
  let failed = 0;
  const report = (ok, id, detail) => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? "PASS" : "FAIL"} ${id}`);
    if (detail && detail.trim()) console.log(indent(detail));
  };
  const importModule = (mod) => interp.call(`_jh_runner.clean()\n__import__(${JSON.stringify(mod)})\n_jh_v = ",".join(_jh_runner.test_names(${JSON.stringify(mod)}))`, { read: "_jh_v", timeoutMs: opts.timeoutMs });
  for (const file of files) {
    const mod = path.basename(file, ".py");
    let res = await importModule(mod);
    if (!res.ok) {
      report(false, `${mod}::<import>`, [...res.lines, res.error].join("\n"));
      if (res.timeout || interp.dead) interp = await Interpreter.start({ mounts });
      continue;
    }
    const names = testOrder(fs.readFileSync(file, "utf8"), res.value ? String(res.value).split(",") : []);
    if (!names.length) report(false, `${mod}::<collect>`, "no test_* functions in this module");
    for (let i = 0; i < names.length; i++) {
      res = await interp.call(`_jh_runner.run_test(${JSON.stringify(mod)}, ${JSON.stringify(names[i])})`, { timeoutMs: opts.timeoutMs });
      report(res.ok, `${mod}::${names[i]}`, [...res.lines, res.ok ? "" : res.error].join("\n"));
      if (interp.dead && i + 1 < names.length) {
        // A fresh interpreter for the rest of this module.
        interp = await Interpreter.start({ mounts });
        const again = await importModule(mod);
        if (!again.ok) {
          for (const rest of names.slice(i + 1)) report(false, `${mod}::${rest}`, "not run: module import failed after restart\n" + again.error);
          break;
        }
      }
    }
    if (interp.dead) interp = await Interpreter.start({ mounts });
  }
  await interp.stop();
  console.log(`${passed} passed, ${failed} failed`);
  if (passed + failed === 0) console.log("no tests ran");
  return failed === 0 && passed > 0 ? 0 : 1;
}

// ---------------------------------------------------------------- heap mode

function deviceModules() {
  const root = path.join(REPO, "jotunheim");
  const names = [];
  for (const rel of walk(root, (p) => p.endsWith(".py"))) {
    const parts = ["jotunheim", ...rel.slice(0, -3).split("/")];
    if (parts[parts.length - 1] === "__init__") parts.pop();
    names.push(parts.join("."));
  }
  return names.sort();
}

async function heapMode(opts) {
  // Each module is measured on a fresh interpreter (with the fakes, which are firmware
  // modules on a board, already imported) so figures do not depend on measuring order.
  // gc.collect() only takes effect once control is back in JavaScript, so collecting and
  // reading gc.mem_alloc() are separate runPython calls.
  const rows = [];
  let failed = 0;
  for (const name of deviceModules()) {
    const interp = await Interpreter.start({ preloadFakes: true });
    const t = { timeoutMs: opts.timeoutMs };
    const steps = [
      ["gc.collect()"],
      ["_jh_v = gc.mem_alloc()", "before"],
      [`__import__(${JSON.stringify(name)})`],
      ["gc.collect()"],
      ["_jh_v = gc.mem_alloc()", "after"],
      ["_jh_runner.clean(keep=_jh_runner.FAKES)"],
      ["gc.collect()"],
      ["_jh_v = gc.mem_alloc()", "unloaded"],
    ];
    const got = {};
    let error = null;
    for (const [code, read] of steps) {
      const res = await interp.call(code, { ...t, read: read ? "_jh_v" : null });
      if (!res.ok) {
        error = String(res.error).trim().split("\n").pop();
        break;
      }
      if (read) got[read] = res.value;
    }
    await interp.stop();
    if (error) {
      failed++;
      rows.push([name, `ERROR ${error}`, ""]);
    } else rows.push([name, String(got.after - got.before), String(got.unloaded - got.before)]);
  }
  console.log("| module | heap after import (bytes) | still held after unload (bytes) |");
  console.log("|---|---:|---:|");
  for (const [name, bytes, held] of rows) console.log(`| \`${name}\` | ${bytes.replace(/\|/g, "\\|")} | ${held} |`);
  if (!rows.length) {
    console.log("no modules found under jotunheim/");
    return 1;
  }
  return failed ? 1 : 0;
}

// ---------------------------------------------------------------- serve mode

async function serveMode(opts) {
  // One request per stdin line, one JSON reply per stdout line, in order:
  //   {"id": 1, "op": "exec", "code": "...", "timeout": 30}   -> {"id", "ok", "stdout", "type", "error"}
  //   {"op": "read", "code": "...", "name": "_jh_v"}          -> same plus "value" (int/str/float/bool/None)
  //   {"op": "mount", "host": dir, "target": "/x", "sys_path": true}
  //   {"op": "write", "path": "/data/f.bin", "data": base64}
  //   {"op": "restart"}                                        -> a fresh interpreter
  let interp = await Interpreter.start({ preloadFakes: true });
  const write = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      write({ ok: false, type: "ProtocolError", error: `bad JSON: ${e.message}` });
      continue;
    }
    const timeoutMs = req.timeout ? 1000 * req.timeout : opts.timeoutMs;
    let res;
    if (req.op === "exec" || req.op === "read") res = await interp.call(req.code, { read: req.op === "read" ? req.name || "_jh_v" : null, timeoutMs });
    else if (req.op === "mount") res = await interp.send({ op: "mount", host: req.host, target: req.target, sysPath: !!req.sys_path }, timeoutMs);
    else if (req.op === "write") res = await interp.send({ op: "write", path: req.path, data: req.data }, timeoutMs);
    else if (req.op === "restart") {
      await interp.stop();
      interp = await Interpreter.start({ preloadFakes: true });
      res = { ok: true, lines: [] };
    } else res = { ok: false, type: "ProtocolError", error: `unknown op ${req.op}`, lines: [] };
    if (interp.dead) interp = await Interpreter.start({ preloadFakes: true });
    write({ id: req.id, ok: res.ok, stdout: (res.lines || []).map((l) => l + "\n").join(""), value: res.value ?? null, type: res.type || null, error: res.error || null });
  }
  await interp.stop();
  return 0;
}

// Entry point last: classes above must be initialised before top-level await runs.
if (!isMainThread) {
  await workerMain(workerData);
} else {
  process.exitCode = await main(process.argv.slice(2));
}
