import Foundation
import Synchronization
import Testing
@testable import FourierLens

@Suite struct DFTTests {
  static let sizes: [(Int, Int)] = [(5, 7), (6, 4), (8, 8), (1, 9), (9, 1), (3, 3), (1, 1), (4, 5)]

  @Test(arguments: sizes) func forwardMatchesDirectSum(h: Int, w: Int) throws {
    let planes = 2
    let x = DirectTransforms.random(planes * h * w, seed: UInt64(h * 100 + w))
    let X = try DFT2D.forward(Tensor(shape: [planes, h, w], data: x))
    #expect(X.shape == [planes, h, w])
    for p in 0..<planes {
      let plane = x[p * h * w ..< (p + 1) * h * w].map(Double.init)
      let (re, im) = DirectTransforms.dft(plane, [Double](repeating: 0, count: h * w), height: h, width: w)
      let gotRe = Array(X.real[p * h * w ..< (p + 1) * h * w]), gotIm = Array(X.imag[p * h * w ..< (p + 1) * h * w])
      #expect(DirectTransforms.maxAbs(gotRe, re) < 1e-4 * Double(h * w))
      #expect(DirectTransforms.maxAbs(gotIm, im) < 1e-4 * Double(h * w))
    }
  }

  @Test(arguments: sizes) func complexForwardAndInverseMatchDirectSums(h: Int, w: Int) throws {
    let re = DirectTransforms.random(h * w, seed: 1), im = DirectTransforms.random(h * w, seed: 2)
    let z = ComplexTensor(shape: [h, w], real: re, imag: im)
    let X = try DFT2D.forward(z)
    let (er, ei) = DirectTransforms.dft(re.map(Double.init), im.map(Double.init), height: h, width: w)
    #expect(DirectTransforms.maxAbs(X.real, er) < 1e-4 * Double(h * w))
    #expect(DirectTransforms.maxAbs(X.imag, ei) < 1e-4 * Double(h * w))
    let y = try DFT2D.inverse(z)
    let (ir, ii) = DirectTransforms.dft(re.map(Double.init), im.map(Double.init), height: h, width: w, inverse: true)
    #expect(DirectTransforms.maxAbs(y.real, ir) < 1e-5)
    #expect(DirectTransforms.maxAbs(y.imag, ii) < 1e-5)
  }

  @Test(arguments: sizes) func roundTripsRecoverTheInput(h: Int, w: Int) throws {
    let x = Tensor(shape: [3, 2, h, w], data: DirectTransforms.random(6 * h * w, seed: 9))
    let full = try DFT2D.inverse(DFT2D.forward(x))
    #expect(zip(full.real, x.data).allSatisfy { abs($0 - $1) < 1e-5 })
    #expect(full.imag.allSatisfy { abs($0) < 1e-5 })
    let half = try DFT2D.forwardHalf(x)
    #expect(half.shape == [3, 2, h, w / 2 + 1])
    let back = try DFT2D.inverseHalf(half, width: w)
    #expect(back.shape == x.shape)
    #expect(zip(back.data, x.data).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func impulseHasAFlatSpectrum() throws {
    let h = 6, w = 5
    var x = [Float](repeating: 0, count: h * w)
    x[0] = 1
    let X = try DFT2D.forward(Tensor(shape: [h, w], data: x))
    #expect(X.real.allSatisfy { abs($0 - 1) < 1e-6 } && X.imag.allSatisfy { abs($0) < 1e-6 })
    // A shifted impulse: same flat magnitude, only the phase changes.
    x[0] = 0
    x[2 * w + 3] = 1
    let shifted = try DFT2D.forward(Tensor(shape: [h, w], data: x)).magnitude
    #expect(shifted.data.allSatisfy { abs($0 - 1) < 1e-6 })
  }

  @Test func horizontalCosineHasEnergyExactlyAtPlusMinusThree() throws {
    let h = 8, w = 16
    var x = [Float](repeating: 0, count: h * w)
    for r in 0..<h { for c in 0..<w { x[r * w + c] = Float(cos(2 * Double.pi * 3 * Double(c) / Double(w))) } }
    let X = try DFT2D.forward(Tensor(shape: [h, w], data: x))
    for k1 in 0..<h {
      for k2 in 0..<w {
        let expected: Float = (k1 == 0 && (k2 == 3 || k2 == w - 3)) ? Float(h * w) / 2 : 0
        #expect(abs(X.real[k1 * w + k2] - expected) < 1e-4, "at (\(k1), \(k2))")
        #expect(abs(X.imag[k1 * w + k2]) < 1e-4)
      }
    }
  }

  @Test func parsevalHoldsWithOneOverHW() throws {
    let h = 7, w = 10
    let x = DirectTransforms.random(4 * h * w, seed: 3)
    let X = try DFT2D.forward(Tensor(shape: [4, h, w], data: x))
    let spatial = x.reduce(0.0) { $0 + Double($1 * $1) }
    let spectral = zip(X.real, X.imag).reduce(0.0) { $0 + Double($1.0 * $1.0 + $1.1 * $1.1) } / Double(h * w)
    #expect(abs(spatial - spectral) / spatial < 1e-5)
  }

  @Test func shiftsMatchNumPyAndInvertEachOther() throws {
    // np.fft.fftshift(np.arange(5)) = [3 4 0 1 2]; ifftshift = [2 3 4 0 1]; even: [2 3 0 1].
    #expect(SpectrumShift.fftshift([0, 1, 2, 3, 4], height: 1, width: 5) == [3, 4, 0, 1, 2])
    #expect(SpectrumShift.ifftshift([0, 1, 2, 3, 4], height: 1, width: 5) == [2, 3, 4, 0, 1])
    #expect(SpectrumShift.fftshift([0, 1, 2, 3], height: 4, width: 1) == [2, 3, 0, 1])
    for (h, w) in [(5, 7), (6, 4), (8, 8), (1, 9), (3, 1)] {
      let values = Array(0..<(2 * h * w))
      let shifted = SpectrumShift.fftshift(values, height: h, width: w)
      #expect(SpectrumShift.ifftshift(shifted, height: h, width: w) == values)
      #expect(SpectrumShift.fftshift(SpectrumShift.ifftshift(values, height: h, width: w), height: h, width: w) == values)
      // DC (index 0 of each plane) lands at (H/2, W/2).
      #expect(shifted[(h / 2) * w + w / 2] == 0)
      #expect(shifted[h * w + (h / 2) * w + w / 2] == h * w)
    }
  }

  @Test func magnitudeSpectrumIsCentredAndLogScaled() throws {
    let h = 5, w = 6
    let x = Tensor(repeating: 1, shape: [1, h, w])
    let m = try MagnitudeSpectrum.compute(x, transform: .dft)
    #expect(m.shape == [1, h, w])
    #expect(abs(m.data[(h / 2) * w + w / 2] - Float(h * w)) < 1e-4)
    #expect(m.data.enumerated().allSatisfy { $0.offset == (h / 2) * w + w / 2 || abs($0.element) < 1e-4 })
    let logged = try MagnitudeSpectrum.compute(x, transform: .dft, logScale: true)
    #expect(abs(logged.data[(h / 2) * w + w / 2] - Float(log1p(Double(h * w)))) < 1e-5)
    let d = try MagnitudeSpectrum.compute(x, transform: .dct)
    #expect(abs(d.data[0] - Float(Double(h * w).squareRoot())) < 1e-4)
  }

  @Test func badShapesThrow() {
    #expect(throws: FourierLensError.self) { try DFT2D.forward(Tensor(shape: [4], data: [1, 2, 3, 4])) }
    #expect(throws: FourierLensError.self) {
      try DFT2D.inverseHalf(ComplexTensor(shape: [2, 3], real: [0, 0, 0, 0, 0, 0], imag: [0, 0, 0, 0, 0, 0]), width: 7)
    }
  }

  @Test func plansAreCachedAndThreadedPlansAgree() throws {
    let x = Tensor(shape: [16, 3, 12, 10], data: DirectTransforms.random(16 * 3 * 12 * 10, seed: 5))
    let first = try DFT2D.forwardHalf(x)
    // The same key gives the very same FFTW plan.
    let a = FFTWPlanCache.plan(.realToHalf, height: 12, width: 10, planes: 48)
    #expect(a == FFTWPlanCache.plan(.realToHalf, height: 12, width: 10, planes: 48))
    // Many threads transforming at once (planning serialised, execution concurrent).
    let results = Mutex([Float](repeating: .infinity, count: 8))
    DispatchQueue.concurrentPerform(iterations: 8) { i in
      let y = try! DFT2D.forwardHalf(x)
      let difference = zip(y.real, first.real).map { abs($0 - $1) }.max()!
      results.withLock { $0[i] = difference }
    }
    #expect(results.withLock { $0 }.allSatisfy { $0 < 1e-6 })
  }

  @Test func pooledBuffersComeBackZeroedWhenAskedTo() {
    let n = FFTWBufferPool.minimumPooledFloats + 123
    for _ in 0..<3 {
      let dirty = FFTWBuffer(count: n, zeroed: false)
      dirty.pointer.update(repeating: 7, count: n)
    }
    let clean = FFTWBuffer(count: n)
    #expect(clean.buffer.allSatisfy { $0 == 0 })
  }

  @Test func measuredPlansGiveTheSameSpectra() throws {
    // A shape no other test uses, so the plan is made here under FFTW_MEASURE.
    let h = 11, w = 13
    let x = DirectTransforms.random(3 * h * w, seed: 17)
    let previous = FrequencyPlanRigor.current
    FrequencyPlanRigor.current = .measure
    defer { FrequencyPlanRigor.current = previous }
    let X = try DFT2D.forward(Tensor(shape: [3, h, w], data: x))
    let (re, im) = DirectTransforms.dft(x[0 ..< h * w].map(Double.init), [Double](repeating: 0, count: h * w), height: h, width: w)
    #expect(DirectTransforms.maxAbs(Array(X.real[0 ..< h * w]), re) < 1e-3)
    #expect(DirectTransforms.maxAbs(Array(X.imag[0 ..< h * w]), im) < 1e-3)
  }

  @Test func multiThreadedFFTWPlansGiveTheSameSpectra() throws {
    let x = Tensor(shape: [64, 3, 16, 16], data: DirectTransforms.random(64 * 3 * 16 * 16, seed: 6))
    let one = try DFT2D.forwardHalf(x)
    // Process-wide setting; only this test changes it, and it restores it.
    let previous = FrequencyThreads.current
    FrequencyThreads.set(2)
    defer { FrequencyThreads.set(previous) }
    let two = try DFT2D.forwardHalf(x)
    #expect(zip(one.real, two.real).allSatisfy { abs($0 - $1) < 1e-4 })
    #expect(zip(one.imag, two.imag).allSatisfy { abs($0 - $1) < 1e-4 })
  }
}

@Suite struct DFTBenchmarkTests {
  @Test func benchmarkReturnsAPositiveTimePerCall() throws {
    let s = try FrequencyBenchmark.dftRoundTrip(batch: 4, channels: 3, height: 8, width: 8, iterations: 3)
    #expect(s > 0 && s < 1)
    let m = try FrequencyBenchmark.maskStep(kind: .dct, batch: 2, channels: 1, height: 8, width: 6, iterations: 2)
    #expect(m > 0 && m < 1)
    #expect(throws: FourierLensError.self) {
      try FrequencyBenchmark.dftRoundTrip(batch: 1, channels: 1, height: 4, width: 4, iterations: 0)
    }
  }
}
