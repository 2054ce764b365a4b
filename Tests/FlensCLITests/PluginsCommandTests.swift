import Foundation
import Testing

/// `flens plugins` and `flens plugins check` end to end, on the bundled libraries next to
/// the binary and on the example plugins built the way their READMEs say.
@Suite("flens plugins")
struct PluginsCommandTests {
  /// Runs flens with a plugin search path limited to the bundled libraries plus `--plugin-path`
  /// values: an empty HOME and no FLENS_PLUGIN_PATH, whatever the machine has installed.
  func flens(_ arguments: [String], environment: [String: String] = [:]) throws -> FlensCLI.Output {
    let home = try FlensCLI.temporaryDirectory()
    var env = ["HOME": home.path, "FLENS_PLUGIN_PATH": ""]
    for (k, v) in environment { env[k] = v }
    return try FlensCLI.run(arguments, environment: env)
  }

  /// Builds examples/c-plugin/ellipse.c the way its README says; `edit` may change the
  /// source first (to plant a bug).
  static func buildEllipse(edit: ((String) -> String)? = nil) throws -> String {
    let dir = try FlensCLI.temporaryDirectory().path
    var source = FlensCLI.packageRoot.appendingPathComponent("examples/c-plugin/ellipse.c").path
    if let edit {
      let edited = dir + "/ellipse.c"
      try edit(try String(contentsOfFile: source, encoding: .utf8)).write(toFile: edited, atomically: true, encoding: .utf8)
      source = edited
    }
    let include = FlensCLI.packageRoot.appendingPathComponent("Sources/FourierLensPluginABI/include").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    // cc, or the Swift toolchain's clang where the machine has no cc.
    let compiler = ProcessInfo.processInfo.environment["CC"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") ? "cc" : "clang")
    p.arguments = [compiler, "-shared", "-fPIC", "-I", include, "-o", dir + "/libellipse.so", source, "-lm"]
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    return dir
  }

  @Test func listsEveryBundledPluginAsJSON() throws {
    let out = try flens(["plugins", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json, "\(out)")
    let plugins = try #require(json["plugins"] as? [[String: Any]])
    let errors = try #require(json["errors"] as? [[String: Any]])
    #expect(errors.isEmpty, "\(errors)")
    var byKind: [String: Set<String>] = [:]
    for p in plugins {
      let kind = try #require(p["kind"] as? String), name = try #require(p["name"] as? String)
      byKind[kind, default: []].insert(name)
      let library = try #require(p["library"] as? String)
      #expect(library.hasSuffix(".so") && (library as NSString).lastPathComponent.hasPrefix("libFL"))
      #expect((p["summary"] as? String).map { !$0.isEmpty } == true)
      for parameter in try #require(p["parameters"] as? [[String: Any]]) {
        #expect(parameter["name"] is String && parameter["type"] is String && parameter["default"] is String && parameter["help"] is String)
      }
    }
    #expect(byKind["mask"] == ["free", "radial", "angular", "radial-angular", "lowpass", "symmetric"])
    #expect(byKind["attack"] == ["fgsm", "pgd-linf", "pgd-l2", "pgd-band", "fourier-noise", "deepfool"])
    #expect(byKind["augmentation"] == ["base", "scale", "translate", "rotate", "gaussian-noise", "blur", "contrast",
                                        "cutout", "lowpass", "highpass", "band-noise"])
    let pgd = try #require(plugins.first { $0["name"] as? String == "pgd-linf" })
    let eps = try #require((pgd["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "eps" })
    #expect(eps["type"] as? String == "float" && eps["default"] as? String == "0.03" && eps["maximum"] as? Double == 1)

    let text = try flens(["plugins"])
    #expect(text.exitCode == 0)
    #expect(text.stdout.contains("pgd-linf — ") && text.stdout.contains("eps (float, default 0.03"))
  }

  @Test func brokenLibrariesAreListedAsErrorsNamingTheFile() throws {
    let dir = try FlensCLI.temporaryDirectory()
    let bad = dir.appendingPathComponent("libbroken.so").path
    try "not a library".write(toFile: bad, atomically: true, encoding: .utf8)
    let out = try flens(["plugins", "--plugin-path", dir.path, "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let errors = try #require(out.json?["errors"] as? [[String: Any]])
    #expect(errors.count == 1)
    #expect(errors.first?["library"] as? String == bad)
    #expect((errors.first?["message"] as? String)?.contains("cannot be loaded as a shared library") == true)
    // The bundled plugins are still there.
    #expect((out.json?["plugins"] as? [[String: Any]])?.count == 23)
  }

  @Test func checkPassesForBundledMasksAndReportsSkippedCombinations() throws {
    let out = try flens(["plugins", "check", "symmetric", "--shape", "1,8,8", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json)
    #expect(json["passed"] as? Bool == true)
    let cases = try #require(json["cases"] as? [[String: Any]])
    #expect(cases.count == 4)
    #expect(cases.filter { $0["skipped"] != nil }.count == 2)  // the DCT has no Hermitian pairs
    for c in cases where c["skipped"] == nil { #expect((c["max_relative_error"] as? Double ?? 1) < 1e-3) }
  }

  @Test func userErrorsExitOneWithOneLine() throws {
    for args in [["plugins", "check", "nope"], ["plugins", "check", "pgd-linf"], ["plugins", "check", "free:bogus=1"],
                 ["plugins", "check", "free", "--shape", "3,32"]] {
      let out = try flens(args)
      #expect(out.exitCode == 1, "\(args): \(out)")
      #expect(out.stderr.split(separator: "\n").count == 1, "\(args): \(out.stderr)")
      #expect(out.stdout.isEmpty)
    }
    let help = try flens(["plugins", "--help"])
    #expect(help.exitCode == 0 && help.stdout.contains("Example"))
  }

  @Test func theCExampleIsUsableFromTheCommandLine() throws {
    let dir = try Self.buildEllipse()
    let listed = try flens(["plugins", "--plugin-path", dir, "--json"])
    let names = (listed.json?["plugins"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
    #expect(names.contains("ellipse"), "\(listed)")
    let check = try flens(["plugins", "check", "ellipse:a=0.4,b=0.7", "--plugin-path", dir, "--shape", "3,16,16"])
    #expect(check.exitCode == 0, "\(check)")
    #expect(check.stdout.hasSuffix("passed\n"))
    #expect(check.stdout.contains(", condition number "), "each case reports its conditioning: \(check.stdout)")
    // Found through FLENS_PLUGIN_PATH as well.
    let viaEnv = try flens(["plugins", "check", "ellipse", "--shape", "1,8,8"], environment: ["FLENS_PLUGIN_PATH": "/nonexistent:" + dir])
    #expect(viaEnv.exitCode == 0, "\(viaEnv)")
  }

  @Test func theCheckCatchesAWrongGradientAndNamesTheParameter() throws {
    // The gradient of the vertical semi-axis b with the wrong sign.
    let marker = "theta_grad[2 * c + 1] = (float)gb;"
    let dir = try Self.buildEllipse { source in
      #expect(source.contains(marker), "ellipse.c changed; update this test's planted bug")
      return source.replacingOccurrences(of: marker, with: "theta_grad[2 * c + 1] = (float)-gb;")
    }
    let check = try flens(["plugins", "check", "ellipse:a=0.4,b=0.7", "--plugin-path", dir, "--shape", "1,16,16", "--json"])
    #expect(check.exitCode == 1, "\(check)")
    let report = try #require(check.json, "\(check)")
    #expect(report["passed"] as? Bool == false)
    let cases = try #require(report["cases"] as? [[String: Any]])
    #expect(!cases.isEmpty)
    for c in cases where c["skipped"] == nil {
      #expect(c["passed"] as? Bool == false)
      // Parameter 1 (b) is the only wrong one, so no coordinate direction but 1 can be the worst.
      let worst = try #require(c["worst"] as? [String: Any])
      let direction = try #require(worst["direction"] as? String)
      #expect(direction == "random" || direction == "coordinate 1", "worst direction \(direction)")
      #expect((worst["relative_error"] as? Double ?? 0) > 0.5)
      // The step kept and the conditioning: a sign error is far beyond what rounding explains.
      let step = try #require(worst["step"] as? Double), rounding = try #require(worst["rounding_error"] as? Double)
      #expect(step > 0 && (worst["condition_number"] as? Double ?? 0) > 0 && rounding < 0.05, "\(worst)")
    }
    #expect(check.stderr.contains("VJP differs from finite differences"))
    #expect(check.stderr.contains("beyond what rounding explains") && check.stderr.contains("likely wrong"), "\(check.stderr)")
    #expect(check.stderr.split(separator: "\n").count == 1, "one line: \(check.stderr)")
    let text = try flens(["plugins", "check", "ellipse:a=0.4,b=0.7", "--plugin-path", dir, "--shape", "1,16,16"])
    #expect(text.exitCode == 1 && text.stdout.contains("FAILED (worst along"), "\(text)")
  }

  @Test(.timeLimit(.minutes(10)))
  func theSwiftExampleIsUsableFromTheCommandLine() throws {
    let package = FlensCLI.packageRoot.appendingPathComponent("examples/swift-plugin").path
    var environment = ProcessInfo.processInfo.environment
    for key in environment.keys where key.hasPrefix("SWIFTPM_") { environment[key] = nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["swift", "build", "--package-path", package]
    p.environment = environment
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    try #require(p.terminationStatus == 0, "swift build --package-path \(package) failed")
    let check = try flens(["plugins", "check", "ring", "--plugin-path", package + "/.build/debug/libFLRing.so", "--shape", "3,16,16", "--json"])
    #expect(check.exitCode == 0, "\(check)")
    #expect(check.json?["passed"] as? Bool == true)
  }

  /// examples/c-plugin/README.md says where `flens plugins` reports a plugin shadowed by one
  /// of the same name earlier on the search path; the key it names must hold the example
  /// built as `lowpass` (shadowing the bundled mask), and `errors` must stay empty.
  @Test func theCExampleREADMENamesTheKeyThatListsAShadowedMask() throws {
    let readme = try String(contentsOf: FlensCLI.packageRoot.appendingPathComponent("examples/c-plugin/README.md"), encoding: .utf8)
    let sentence = try #require(readme.firstMatch(of: try Regex(#"the other is\s+(?:reported|listed) under `([a-z_]+)`"#)),
                                "examples/c-plugin/README.md no longer says where a shadowed plugin is listed")
    let key = String(sentence.output[1].substring ?? "")
    let dir = try Self.buildEllipse { $0.replacingOccurrences(of: ".name = \"ellipse\"", with: ".name = \"lowpass\"") }
    let out = try flens(["plugins", "--plugin-path", dir, "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json, "\(out)")
    #expect((json["errors"] as? [Any])?.isEmpty == true, "\(out)")
    let listed = try #require(json[key] as? [[String: Any]], "README names `\(key)`, which the JSON lacks: \(out.stdout)")
    let shadowedMask = listed.first { $0["name"] as? String == "lowpass" && $0["kind"] as? String == "mask" }
    #expect(shadowedMask != nil, "README says a shadowed mask is under `\(key)`; it holds \(listed)")
    #expect((shadowedMask?["library"] as? String)?.hasSuffix("libFLMasks.so") == true)
    #expect(shadowedMask?["used_from"] as? String == dir + "/libellipse.so")
  }
}
