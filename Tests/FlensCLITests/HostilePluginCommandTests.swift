import Foundation
import FourierLens
import Testing

/// Deliberately hostile mask plugins, built with cc, used from the command line: each gives
/// exit status 1 with one line naming the library, the plugin and the failing step, and the
/// files a previous run wrote in the output directory are left exactly as they were.
@Suite(.serialized) struct HostilePluginCommandTests {
  /// A `cfree`-like mask (θ = M, one parameter per frequency of a shared mask) whose defect
  /// is chosen by a preprocessor flag.
  static let source = #"""
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include "fourierlens_plugin.h"

static const flens_host_services *host;
typedef struct { uint64_t count; } instance;

static flens_status create(const flens_plugin_descriptor *d, const flens_options *o, const flens_mask_request *r, void **out) {
  (void)d; (void)o;
  instance *i = malloc(sizeof *i);
  if (!i) return FLENS_ERROR_OUT_OF_MEMORY;
  i->count = r->mask_count;
  *out = i;
  return FLENS_OK;
}
static uint64_t parameter_count(void *p) {
#ifdef ZERO_COUNT
  (void)p; return 0;
#else
  return ((instance *)p)->count;
#endif
}
static flens_status initial(void *p, float *t, uint64_t n) { (void)p; for (uint64_t k = 0; k < n; k++) t[k] = 1; return FLENS_OK; }
static int calls;
static flens_status forward(void *p, const float *t, uint64_t n, float *m, uint64_t mn) {
  (void)p; (void)n;
#ifdef HANG_FORWARD
  if (++calls > 1) for (;;) sleep(1);   /* the initial mask works, the next call never returns */
#endif
  for (uint64_t k = 0; k < mn; k++) m[k] = t[k];
  return FLENS_OK;
}
static flens_status vjp(void *p, const float *t, uint64_t n, const float *g, uint64_t mn, float *out) {
  (void)p; (void)t; (void)mn;
#ifdef FAIL_VJP
  (void)n; (void)g; (void)out;
  host->set_error("vjp refused on purpose");
  return FLENS_ERROR_NUMERICAL;
#else
  for (uint64_t k = 0; k < n; k++) out[k] = g[k];
#ifdef NAN_VJP
  out[n / 3] = NAN;
#endif
  return FLENS_OK;
#endif
}
static void destroy(void *p) { free(p); }
static const flens_mask_ops ops = {
  .struct_size = sizeof(flens_mask_ops), .create = create, .parameter_count = parameter_count,
  .initial_parameters = initial, .forward = forward, .vjp = vjp, .project = NULL, .destroy = destroy,
};
static const flens_plugin_descriptor descriptor = {
  .struct_size = sizeof(flens_plugin_descriptor), .abi_version = FLENS_PLUGIN_ABI_VERSION, .kind = FLENS_KIND_MASK,
  .parameter_count = 0, .name = "hostile", .summary = "a mask plugin that misbehaves", .parameters = NULL,
  .mask = &ops, .attack = NULL, .augmentation = NULL, .plugin_data = NULL,
};
FLENS_EXPORT flens_status flens_plugin_entry(uint32_t abi, const flens_host_services *h, const flens_registrar *r) {
  host = h;
  if (abi != FLENS_PLUGIN_ABI_VERSION) return FLENS_ERROR_ABI;
  return r->add(r, &descriptor);
}
"""#

  /// Builds the plugin with `define` into a fresh directory; returns (directory, library path).
  static func build(_ define: String) throws -> (String, String) {
    let dir = try FlensCLI.temporaryDirectory().path
    let source = dir + "/hostile.c", library = dir + "/libhostile.so"
    try Self.source.write(toFile: source, atomically: true, encoding: .utf8)
    let include = FlensCLI.packageRoot.appendingPathComponent("Sources/FourierLensPluginABI/include").path
    let compiler = ProcessInfo.processInfo.environment["CC"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") ? "cc" : "clang")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [compiler, "-shared", "-fPIC", "-D", define, "-I", include, "-o", library, source, "-lm"]
    try p.run()
    p.waitUntilExit()
    try #require(p.terminationStatus == 0, "cc failed for \(define)")
    return (dir, library)
  }

  /// Every regular file under `dir` with its bytes, but the directory's lock file, which each
  /// run that takes the directory rewrites with its own pid and start time.
  static func snapshot(_ dir: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for case let name as String in FileManager.default.enumerator(atPath: dir)?.allObjects ?? [] where name != ".flens-lock" {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
        out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
      }
    }
    return out
  }

  @Test func failingNaNAndWrongSizePluginsStopWithTheStepAndLeaveEarlierOutputsIntact() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)
    let out = dir.appendingPathComponent("mask").path
    let common = ["learn-mask", "--model", model, "--data", data.path, "--epochs", "2", "--batch", "16", "--threads", "2",
                  "--out", out]
    let first = try FlensCLI.run(common)
    try #require(first.exitCode == 0, "\(first)")
    let before = try Self.snapshot(out)
    #expect(before.keys.contains("mask.npy") && before.keys.contains("summary.json"))

    let cases: [(define: String, expected: [String])] = [
      ("NAN_VJP", ["'hostile' vjp output", "nan at index 21 of 64", "epoch 1, batch 1 of 2"]),
      ("FAIL_VJP", ["'hostile' vjp failed (numerical error): vjp refused on purpose", "epoch 1, batch 1 of 2"]),
      ("ZERO_COUNT", ["'hostile' reports 0 parameters"]),
    ]
    for (define, expected) in cases {
      let (pluginDir, library) = try Self.build(define)
      defer { try? FileManager.default.removeItem(atPath: pluginDir) }
      let r = try FlensCLI.run(common + ["--param", "hostile", "--plugin-path", pluginDir])
      #expect(r.exitCode == 1, "\(define): \(r)")
      let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("flens:") }
      #expect(lines.count == 1, "\(define): \(r.stderr)")
      for text in expected + [library] {
        #expect(r.stderr.contains(text), "\(define): stderr lacks '\(text)': \(r.stderr)")
      }
      #expect(try Self.snapshot(out) == before, "\(define): the earlier run's files changed")
    }
  }

  @Test func aPluginCallThatNeverReturnsIsStoppedByTheTimeLimit() throws {
    let (pluginDir, library) = try Self.build("HANG_FORWARD")
    defer { try? FileManager.default.removeItem(atPath: pluginDir) }
    // `plugins check` calls forward many times; the second call hangs.
    let r = try FlensCLI.run(["plugins", "check", "hostile", "--shape", "1,4,4", "--plugin-path", pluginDir,
                              "--plugin-timeout", "2"], timeout: 120)
    #expect(!r.timedOut, "the time limit did not stop the hung plugin")
    #expect(r.exitCode == 1, "\(r)")
    #expect(r.stderr.contains(library) && r.stderr.contains("'hostile' forward did not return within 2.0 s"), "\(r.stderr)")
    // The environment variable sets the same limit.
    let e = try FlensCLI.run(["plugins", "check", "hostile", "--shape", "1,4,4", "--plugin-path", pluginDir],
                             environment: ["FLENS_PLUGIN_TIMEOUT": "1.5"], timeout: 120)
    #expect(e.exitCode == 1 && e.stderr.contains("did not return within 1.5 s"), "\(e)")
    let bad = try FlensCLI.run(["plugins", "check", "hostile", "--plugin-path", pluginDir, "--plugin-timeout", "-1"])
    #expect(bad.exitCode == 1 && bad.stderr.contains("--plugin-timeout"), "\(bad)")
  }
}
