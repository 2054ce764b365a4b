import Testing
@testable import FourierLens

/// `ProbeContext.maskWasRead` tells which probe outputs hold for any mask: reading `mask` or
/// `maskedModel()` sets it, in copies of the context too; a probe that never looks at the
/// mask (a pass band) leaves it clear, one that measures through it (accuracy) sets it.
@Suite struct ProbeContextTests {
  func context() -> ProbeContext {
    let (data, model) = MaskLearnerTests.plantedProblem()
    return ProbeContext(model: model, dataset: data, mask: ProbeTests.learnedMask(.init(repeating: 1, count: 64)),
                        batchSize: 16, showsProgress: false)
  }

  @Test func readingTheMaskIsRecordedAcrossCopies() throws {
    let c = context()
    let copy = c
    _ = copy.batchSize
    #expect(!c.maskWasRead, "nothing has looked at the mask")
    _ = copy.mask
    #expect(c.maskWasRead && copy.maskWasRead, "a copy's read is the original's")
    let other = context()
    _ = try other.maskedModel()
    #expect(other.maskWasRead)
  }

  @Test func probesThatMeasureThroughTheMaskReadIt() throws {
    let accuracy = context()
    _ = try AccuracyProbe().run(accuracy)
    #expect(accuracy.maskWasRead)
    let passband = context()
    _ = try PassbandProbe(radialBands: 2, angularSectors: 2).run(passband)
    #expect(!passband.maskWasRead, "a pass band is the same for any mask")
  }
}
