import Foundation
import Testing
@testable import FourierLens

/// The two example plugins, built the way their READMEs say, loaded and checked.
@Suite("Example plugins (examples/c-plugin, examples/swift-plugin)")
struct ExamplePluginTests {
  /// The cc line of examples/c-plugin/README.md, run from the package root with the output
  /// redirected into a temporary directory: the README's command is what is tested.
  @Test func theCExampleBuildsWithTheREADMECommandAndWorks() throws {
    let root = TestSupport.packageRoot
    let readme = try String(contentsOfFile: root + "/examples/c-plugin/README.md", encoding: .utf8)
    let command = try #require(readme.split(separator: "\n").first { $0.hasPrefix("cc -shared") }.map(String.init))
    #expect(command.contains("-o libellipse.so"))
    let dir = try TestSupport.temporaryDirectory("cexample")
    var redirected = command.replacingOccurrences(of: "-o libellipse.so", with: "-o '\(dir)/libellipse.so'")
    if !TestSupport.cCompiler.hasSuffix("/cc") { redirected = TestSupport.cCompiler + redirected.dropFirst(2) }
    let (status, output) = try TestSupport.run("/bin/sh", ["-c", redirected], currentDirectory: root)
    #expect(status == 0, "\(output)")

    let registry = TestSupport.registry([dir])
    #expect(registry.errors.isEmpty, "\(registry.errors)")
    let info = try registry.plugin(named: "ellipse", kind: .mask)
    #expect(info.parameters.map(\.name) == ["a", "b", "sharpness", "min_axis"])
    for layout in [MaskLayout.shared, .perChannel] {
      for transform in TransformKind.allCases {
        let mask = try registry.makeMask("ellipse:a=0.6,b=0.3,sharpness=8", channels: 3, height: 12, width: 16,
                                         layout: layout, transform: transform)
        let check = try MaskVJPCheck.run(mask, seed: 3)
        #expect(check.maxRelativeError < 1e-3, "\(layout) \(transform): \(check.directions)")
      }
    }
    // M = 1/2 on the ellipse: (fx/a)² + (fy/b)² = 1 with fx, fy in units of Nyquist.
    let mask = try registry.makeMask("ellipse:a=0.5,b=0.25,sharpness=8", channels: 1, height: 8, width: 8)
    let m = try mask.mask(try mask.initialParameters())
    let (fy, fx) = FrequencyGrid.coordinates(.dft, height: 8, width: 8)
    for k in 0..<64 {
      let q = (2 * fx[k] / 0.5) * (2 * fx[k] / 0.5) + (2 * fy[k] / 0.25) * (2 * fy[k] / 0.25)
      #expect(abs(m[k] - 1 / (1 + expf(-8 * (1 - q)))) < 1e-6)
    }
    #expect(abs(m[2] - 0.5) < 1e-6)  // fx = 2/8 = Nyquist/2 = a, fy = 0
    var theta: [Float] = [-1, 5]
    try mask.project(&theta)
    #expect(theta == [0.01, 2])
  }

  /// examples/c-attack built with its README's cc line, run against an analytic model:
  /// every image gets the smallest of the tried budgets that fools the model (checked by
  /// asking the model about the next smaller one), and the host counts the queries the
  /// README promises.
  @Test func theCAttackExampleBuildsWithTheREADMECommandAndFindsTheSmallestFoolingStep() throws {
    let root = TestSupport.packageRoot
    let readme = try String(contentsOfFile: root + "/examples/c-attack/README.md", encoding: .utf8)
    let command = try #require(readme.split(separator: "\n").first { $0.hasPrefix("cc -shared") }.map(String.init))
    let dir = try TestSupport.temporaryDirectory("cattack")
    var redirected = command.replacingOccurrences(of: "-o libfgsm_min.so", with: "-o '\(dir)/libfgsm_min.so'")
    #expect(redirected != command)
    if !TestSupport.cCompiler.hasSuffix("/cc") { redirected = TestSupport.cCompiler + redirected.dropFirst(2) }
    let (status, output) = try TestSupport.run("/bin/sh", ["-c", redirected], currentDirectory: root)
    #expect(status == 0, "\(output)")
    let registry = TestSupport.registry([dir])
    #expect(registry.errors.isEmpty, "\(registry.errors)")
    let attack = try registry.makeAttack("fgsm-min:eps=0.3,steps=6")
    let (model, batch) = AttackPluginTests.fixture()
    let adversarial = try attack.perturb(batch, model: model, seed: 1)
    #expect(attack.queries == ModelQueryCount(logitsCalls: 6, lossGradCalls: 1, imagesEvaluated: batch.count * 7))
    let predicted = ProbeEvaluation.predictions(try model.logits(adversarial), classes: 3)
    let gradient = try model.lossAndGradient(batch.images, objective: .crossEntropy(labels: batch.labels)).inputGradient
    let per = batch.images.strideOfFirstDimension
    var fooled = 0
    for i in 0 ..< batch.count {
      // The budget used: the largest |δ| of an unclipped pixel, as a multiple of 0.3/6.
      var used: Float = 0
      for j in i * per ..< (i + 1) * per {
        let x = batch.images.data[j], d = abs(adversarial.data[j] - x)
        if x > 0.31 && x < 0.69 { used = max(used, d) }
      }
      let k = Int((used / 0.05).rounded())
      #expect(k >= 1 && k <= 6 && abs(used - Float(k) * 0.05) < 1e-5, "image \(i): step \(used)")
      if predicted[i] != batch.labels[i] {
        fooled += 1
        // One step less does not fool the model (else the attack would have kept it).
        if k > 1 {
          var smaller = batch.images.slice(i ..< i + 1)
          for j in 0 ..< per {
            let g = gradient.data[i * per + j]
            smaller.data[j] = min(1, max(0, smaller.data[j] + (g > 0 ? 1 : g < 0 ? -1 : 0) * Float(k - 1) * 0.05))
          }
          #expect(ProbeEvaluation.predictions(try model.logits(smaller), classes: 3)[0] == batch.labels[i], "image \(i)")
        }
      } else {
        #expect(k == 6, "image \(i) not fooled but stopped at step \(k)")
      }
    }
    #expect(fooled > batch.count / 2, "eps 0.3 fooled only \(fooled) of \(batch.count)")
  }

  /// `swift build --package-path examples/swift-plugin`, as its README says (about 40 s
  /// from a cold cache on two cores, seconds when up to date), then the library is loaded.
  @Test(.timeLimit(.minutes(10)))
  func theSwiftExamplePackageBuildsAndWorks() throws {
    let root = TestSupport.packageRoot
    let package = root + "/examples/swift-plugin"
    var environment = ProcessInfo.processInfo.environment
    // The outer `swift test` may export variables that would redirect the inner build.
    for key in environment.keys where key.hasPrefix("SWIFTPM_") || key == "SWIFT_TESTING_ENABLED" { environment[key] = nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["swift", "build", "--package-path", package]
    p.environment = environment
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    let start = Date()
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    try #require(p.terminationStatus == 0, "swift build failed:\n\(output)")
    print("examples/swift-plugin built in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")

    let library = package + "/.build/debug/libFLRing.so"
    let registry = TestSupport.registry([library])
    #expect(registry.errors.isEmpty, "\(registry.errors)")
    let info = try registry.plugin(named: "ring", kind: .mask)
    #expect(info.summary.contains("ring"))
    let mask = try registry.makeMask("ring:radius=0.4,width=0.15", channels: 3, height: 10, width: 10, layout: .perChannel)
    #expect(mask.parameterCount == 6)
    #expect(try MaskVJPCheck.run(mask, seed: 1).maxRelativeError < 1e-3)
    let m = try mask.mask(try mask.initialParameters())
    let radius = FrequencyGrid.normalisedRadius(.dft, height: 10, width: 10)
    for k in 0..<100 {
      let d = radius[k] - 0.4
      #expect(abs(m[k] - expf(-d * d / (2 * 0.15 * 0.15))) < 1e-6)
    }
  }
}
