import Foundation
import FourierLens
import Testing

/// examples/c-attack from the command line: `flens attack` and the attack probe count the
/// model queries it makes (1 loss_grad and `steps` logits calls per batch), and a copy of
/// it named like a bundled attack shadows only that attack.
@Suite struct CAttackExampleCommandTests {
  /// The example compiled into a fresh directory, optionally under another plugin name.
  static func build(name: String? = nil) throws -> (dir: String, library: String) {
    let dir = try FlensCLI.temporaryDirectory().path
    var source = try String(contentsOfFile: FlensCLI.packageRoot.appendingPathComponent("examples/c-attack/fgsm_min.c").path,
                            encoding: .utf8)
    if let name { source = source.replacingOccurrences(of: ".name = \"fgsm-min\"", with: ".name = \"\(name)\"") }
    let file = dir + "/attack.c", library = dir + "/libattack.so"
    try source.write(toFile: file, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["cc", "-shared", "-fPIC", "-I", FlensCLI.packageRoot.appendingPathComponent("Sources/FourierLensPluginABI/include").path,
                   "-o", library, file]
    try p.run()
    p.waitUntilExit()
    try #require(p.terminationStatus == 0, "cc failed")
    return (dir, library)
  }

  @Test func attackAndProbeCountTheModelQueries() throws {
    let (pluginDir, _) = try Self.build()
    let data = try StripesData.write(count: 24)
    let dir = try FlensCLI.temporaryDirectory()
    defer {
      for path in [pluginDir, dir.path, data.path] { try? FileManager.default.removeItem(atPath: path) }
    }
    let model = try EvalCommandTests.trainedModel(in: dir, data: data)
    let out = dir.appendingPathComponent("attack").path
    let r = try FlensCLI.run(["attack", "--model", model, "--data", data.path, "--attack", "fgsm-min:eps=0.3,steps=5",
                              "--plugin-path", pluginDir, "--batch", "10", "--threads", "2", "--out", out, "--json"])
    #expect(r.exitCode == 0, "\(r)")
    let summary = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any])
    // 24 images in batches of 10: 3 batches, each 1 loss_grad and 5 logits calls on all its images.
    let queries = try #require(summary["model_queries"] as? [String: Any], "\(summary)")
    #expect(queries["loss_grad_calls"] as? Int == 3 && queries["logits_calls"] as? Int == 15, "\(queries)")
    #expect(queries["images_evaluated"] as? Int == 24 * 6 && queries["images_evaluated_per_image"] as? Double == 6, "\(queries)")
    #expect(r.json?["model_queries"] != nil)
    // A bundled attack is counted too: pgd with 4 steps asks for at least 4 gradients per batch.
    let pgd = try FlensCLI.run(["attack", "--model", model, "--data", data.path, "--attack", "pgd-linf:eps=0.1,steps=4",
                                "--batch", "10", "--threads", "2", "--out", dir.appendingPathComponent("pgd").path, "--json"])
    let pgdQueries = try #require(pgd.json?["model_queries"] as? [String: Any], "\(pgd)")
    #expect((pgdQueries["loss_grad_calls"] as? Int ?? 0) >= 12, "\(pgdQueries)")

    let probes = dir.appendingPathComponent("probes").path
    let probe = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--probe", "attack:fgsm-min:eps=0.3,steps=5",
                                  "--plugin-path", pluginDir, "--batch", "10", "--threads", "2", "--out", probes, "--json"])
    #expect(probe.exitCode == 0, "\(probe)")
    let probed = try #require((probe.json?["attack-fgsm-min"] as? [String: Any])?["model_queries"] as? [String: Any], "\(probe)")
    #expect(probed["loss_grad_calls"] as? Int == 3 && probed["logits_calls"] as? Int == 15 && probed["images_evaluated"] as? Int == 144)
  }

  @Test func aPluginShadowingOneBundledNameReportsOnlyThatPlugin() throws {
    let (pluginDir, library) = try Self.build(name: "fgsm")
    defer { try? FileManager.default.removeItem(atPath: pluginDir) }
    let r = try FlensCLI.run(["plugins", "--plugin-path", pluginDir, "--json"])
    #expect(r.exitCode == 0, "\(r)")
    let json = try #require(r.json)
    #expect((json["errors"] as? [Any])?.isEmpty == true, "the bundled attacks loaded: \(json["errors"] ?? "")")
    let shadowed = try #require(json["shadowed"] as? [[String: Any]])
    #expect(shadowed.count == 1)
    #expect(shadowed.first?["name"] as? String == "fgsm" && shadowed.first?["kind"] as? String == "attack")
    #expect((shadowed.first?["library"] as? String)?.hasSuffix("libFLAttacks.so") == true && shadowed.first?["used_from"] as? String == library)
    // Every other bundled attack is still listed, from the bundled library.
    let attacks = (json["plugins"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "attack" }
    #expect(attacks.first { $0["name"] as? String == "fgsm" }?["library"] as? String == library)
    #expect(attacks.contains { $0["name"] as? String == "pgd-linf" && ($0["library"] as? String)?.hasSuffix("libFLAttacks.so") == true })
    let text = try FlensCLI.run(["plugins", "--plugin-path", pluginDir])
    #expect(!text.stdout.contains("failed to load"), "\(text.stdout)")
    #expect(text.stdout.contains("attack fgsm in ") && text.stdout.contains("shadowed by \(library)"))
  }
}
