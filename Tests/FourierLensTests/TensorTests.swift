import Testing
@testable import FourierLens

@Suite struct TensorTests {
  @Test func sliceGatherConcatenate() {
    let t = Tensor(shape: [3, 2], data: [0, 1, 2, 3, 4, 5])
    #expect(t.slice(1..<3).data == [2, 3, 4, 5])
    #expect(t.gather([2, 0]).data == [4, 5, 0, 1])
    #expect(Tensor.concatenate([t.slice(0..<1), t.slice(2..<3)]).shape == [2, 2])
  }

  @Test func seededGeneratorIsReproducibleAndUniform() {
    var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
    let xs = (0..<10_000).map { _ in a.nextUniform() }
    #expect(xs == (0..<10_000).map { _ in b.nextUniform() })
    let mean = xs.reduce(0, +) / Float(xs.count)
    #expect(abs(mean - 0.5) < 0.01)
    #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
    var g = SeededGenerator(seed: 7)
    let zs = (0..<20_000).map { _ in g.nextGaussian() }
    let m = zs.reduce(0, +) / Float(zs.count)
    let v = zs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(zs.count)
    #expect(abs(m) < 0.03 && abs(v - 1) < 0.05)
    #expect(SeededGenerator.derive(1, 0) != SeededGenerator.derive(1, 1))
  }
}

@Suite struct ProgressReporterTests {
  @Test func durationsAreFormattedForPeople() {
    #expect(ProgressReporter.formatDuration(12.34) == "12.3s")
    #expect(ProgressReporter.formatDuration(185) == "3m05s")
    #expect(ProgressReporter.formatDuration(3720) == "1h02m")
    #expect(ProgressReporter.formatDuration(.infinity) == "?")
  }
}
