import CFFTW
import Foundation
import Synchronization

/// The transforms FourierLens asks FFTW for, each over a batch of H×W planes laid out
/// back to back.
enum FFTWTransform: Hashable {
  /// Real → half spectrum (H × (W/2+1) complex per plane), unnormalised, e^{−2πi…}.
  case realToHalf
  /// Half spectrum → real, unnormalised, e^{+2πi…}. Destroys its input.
  case halfToReal
  /// Complex → complex, unnormalised, forward (−) or backward (+) sign.
  case complexForward, complexBackward
  /// FFTW REDFT10 along both axes: 2·Σ x cos(π(j+½)k/n) (unnormalised DCT-II).
  case dctII
  /// FFTW REDFT01 along both axes: x₀ + 2·Σ_{k≥1} x_k cos(πk(j+½)/n) (unnormalised DCT-III).
  case dctIII

  /// Floats in one input / output plane.
  func inputFloats(height h: Int, width w: Int) -> Int {
    switch self {
    case .realToHalf, .dctII, .dctIII: return h * w
    case .halfToReal: return 2 * h * (w / 2 + 1)
    case .complexForward, .complexBackward: return 2 * h * w
    }
  }

  func outputFloats(height h: Int, width w: Int) -> Int {
    switch self {
    case .halfToReal, .dctII, .dctIII: return h * w
    case .realToHalf: return 2 * h * (w / 2 + 1)
    case .complexForward, .complexBackward: return 2 * h * w
    }
  }
}

/// FFTW plans, created once per (transform, plane shape, plane count, thread count) and kept
/// for the life of the process.
///
/// FFTW's planner is not thread-safe, so creation is serialised by one lock; execution
/// uses the new-array execute functions (`fftwf_execute_dft_r2c` …), which are thread-safe,
/// on `FFTWBuffer`s with the alignment the plan was made for. Plans are never destroyed:
/// a run uses a handful of shapes (the batch size and the last, shorter batch).
enum FFTWPlanCache {
  private struct Key: Hashable {
    let transform: FFTWTransform
    let height: Int, width: Int, planes: Int, threads: Int
  }

  /// The plans; the lock also serialises FFTW's planner, which is not thread-safe.
  private static let plans = Mutex<[Key: OpaquePointer]>([:])

  /// The cached plan, created on first use.
  static func plan(_ transform: FFTWTransform, height: Int, width: Int, planes: Int) -> OpaquePointer {
    precondition(height > 0 && width > 0 && planes > 0)
    let threads = FrequencyThreads.current
    let key = Key(transform: transform, height: height, width: width, planes: planes, threads: threads)
    return plans.withLock { plans in
      if let p = plans[key] { return p }
      let p = makePlan(key)
      plans[key] = p
      return p
    }
  }

  /// Number of plans created so far (for tests of the cache).
  static var planCount: Int { plans.withLock { $0.count } }

  private static func makePlan(_ key: Key) -> OpaquePointer {
    let h = key.height, w = key.width, planes = key.planes
    if FrequencyThreads.fftwThreadsReady {
      fftwf_plan_with_nthreads(Int32(key.threads))
    }
    // Planning arrays: FFTW_MEASURE overwrites them, and they give the alignment every
    // later execution buffer (also from fftwf_malloc) shares.
    let input = FFTWBuffer(count: key.transform.inputFloats(height: h, width: w) * planes)
    let output = FFTWBuffer(count: key.transform.outputFloats(height: h, width: w) * planes)
    let flags = FrequencyPlanRigor.current.fftwFlag
    var n: [Int32] = [Int32(h), Int32(w)]
    let halfPlane = Int32(h * (w / 2 + 1)), plane = Int32(h * w)
    let count = Int32(planes)
    let made: OpaquePointer? = n.withUnsafeMutableBufferPointer { nb -> OpaquePointer? in
      let np = nb.baseAddress!
      switch key.transform {
      case .realToHalf:
        return fftwf_plan_many_dft_r2c(2, np, count, input.pointer, nil, 1, plane,
                                       output.complexPointer, nil, 1, halfPlane, flags)
      case .halfToReal:
        return fftwf_plan_many_dft_c2r(2, np, count, input.complexPointer, nil, 1, halfPlane,
                                       output.pointer, nil, 1, plane, flags)
      case .complexForward, .complexBackward:
        let sign: Int32 = key.transform == .complexForward ? FFTW_FORWARD : FFTW_BACKWARD
        return fftwf_plan_many_dft(2, np, count, input.complexPointer, nil, 1, plane,
                                   output.complexPointer, nil, 1, plane, sign, flags)
      case .dctII, .dctIII:
        let kind = key.transform == .dctII ? FFTW_REDFT10 : FFTW_REDFT01
        var kinds = [kind, kind]
        return kinds.withUnsafeMutableBufferPointer { kb in
          fftwf_plan_many_r2r(2, np, count, input.pointer, nil, 1, plane,
                              output.pointer, nil, 1, plane, kb.baseAddress!, flags)
        }
      }
    }
    guard let plan = made else {
      fatalError("FFTW could not plan \(key.transform) for \(planes)×\(h)×\(w)")
    }
    return plan
  }
}

/// Executes cached plans on FFTW buffers. Each call is thread-safe.
enum FFTWExecute {
  /// Real planes → half spectra.
  static func realToHalf(planes: Int, height: Int, width: Int, input: FFTWBuffer, output: FFTWBuffer) {
    check(.realToHalf, planes, height, width, input, output)
    let p = FFTWPlanCache.plan(.realToHalf, height: height, width: width, planes: planes)
    fftwf_execute_dft_r2c(p, input.pointer, output.complexPointer)
  }

  /// Half spectra → real planes (unnormalised). The input buffer is overwritten.
  static func halfToReal(planes: Int, height: Int, width: Int, input: FFTWBuffer, output: FFTWBuffer) {
    check(.halfToReal, planes, height, width, input, output)
    let p = FFTWPlanCache.plan(.halfToReal, height: height, width: width, planes: planes)
    fftwf_execute_dft_c2r(p, input.complexPointer, output.pointer)
  }

  /// Full complex planes, forward or backward (unnormalised).
  static func complex(forward: Bool, planes: Int, height: Int, width: Int, input: FFTWBuffer, output: FFTWBuffer) {
    let t: FFTWTransform = forward ? .complexForward : .complexBackward
    check(t, planes, height, width, input, output)
    let p = FFTWPlanCache.plan(t, height: height, width: width, planes: planes)
    fftwf_execute_dft(p, input.complexPointer, output.complexPointer)
  }

  /// Unnormalised DCT-II (`inverse == false`) or DCT-III of every plane.
  static func dct(inverse: Bool, planes: Int, height: Int, width: Int, input: FFTWBuffer, output: FFTWBuffer) {
    let t: FFTWTransform = inverse ? .dctIII : .dctII
    check(t, planes, height, width, input, output)
    let p = FFTWPlanCache.plan(t, height: height, width: width, planes: planes)
    fftwf_execute_r2r(p, input.pointer, output.pointer)
  }

  private static func check(_ t: FFTWTransform, _ planes: Int, _ h: Int, _ w: Int,
                            _ input: FFTWBuffer, _ output: FFTWBuffer) {
    precondition(input.count >= planes * t.inputFloats(height: h, width: w), "FFTW input buffer too small")
    precondition(output.count >= planes * t.outputFloats(height: h, width: w), "FFTW output buffer too small")
    precondition(input !== output, "FFTW plans here are out-of-place")
  }
}
