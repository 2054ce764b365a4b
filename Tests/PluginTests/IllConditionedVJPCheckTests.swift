import Testing
@testable import FourierLens

/// `MaskVJPCheck` (what `flens plugins check` runs) on a correct but ill-conditioned plugin,
/// a soft union of Gaussian bumps saturating near 1 (TestGaussianBumpsPlugin), and on the
/// same plugin with wrong gradients planted: the first passes, the others fail. The check's
/// earlier single step (1 % of θ's RMS) is run too, to show the first case is a real one.
@Suite struct IllConditionedVJPCheckTests {
  static func bumps(defines: [String] = []) throws -> PluginMaskParameterization {
    let dir = try TestSupport.temporaryDirectory("bumps")
    let library = try TestSupport.buildC(TestGaussianBumpsPlugin.source, named: "libbumps.so", in: dir, defines: defines)
    return try TestSupport.registry([library]).makeMask("gauss-bumps", channels: 1, height: 32, width: 32)
  }

  @Test(arguments: [UInt64(0), 1])
  func aCorrectSaturatingMaskPassesAlthoughOneSmallStepFailsIt(seed: UInt64) throws {
    let mask = try Self.bumps()
    // One step of 1 % (the check before two steps): Float32 rounding alone fails it, and the
    // reported rounding error says so.
    let oneStep = try MaskVJPCheck.run(mask, seed: seed, relativeSteps: [1e-2])
    #expect(!oneStep.passed, "the single-step check should fail on this plugin: \(oneStep.maxRelativeError)")
    let worst = try #require(oneStep.worstDirection)
    #expect(worst.withinRounding, "error \(worst.relativeError) vs rounding \(worst.roundingError)")
    #expect(worst.conditionNumber > 1e4)

    let check = try MaskVJPCheck.run(mask, seed: seed)
    #expect(check.passed, "\(check.directions)")
    #expect(check.maxRelativeError < 5e-3)
    #expect(check.directions.contains { $0.step == check.steps[1] }, "no direction needed the larger step")
  }

  @Test(arguments: ["VJP_SCALE=1.1f", "FLIP_WIDTH_SIGN"])
  func aWrongGradientStillFails(defect: String) throws {
    let check = try MaskVJPCheck.run(try Self.bumps(defines: [defect]))
    #expect(!check.passed)
    let worst = try #require(check.worstDirection)
    #expect(worst.relativeError > 0.05, "\(defect): \(worst)")
    #expect(!worst.withinRounding, "\(defect): error \(worst.relativeError) vs rounding \(worst.roundingError)")
  }
}
