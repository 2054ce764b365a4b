/// Percentile bootstrap intervals of means and of differences of means.
///
/// A claim about a kind of training is a claim about networks, so a condition's samples
/// are nested: networks trained the same way (seed k), and within each network its
/// samples (mask seeds, or class/image masks). A condition's mean is the mean over its
/// networks of each network's mean (networks weigh equally). The hierarchical bootstrap
/// resamples networks with replacement, then each drawn network's samples with
/// replacement, so its interval covers both the variation between networks and within
/// them. With one network per condition it can only cover that network's samples: it then
/// says nothing about other networks trained the same way.
public enum Bootstrap {
  /// One condition: per network, its samples (each a vector of measures).
  public typealias Networks = [[[Float]]]

  public static func mean(_ samples: [[Float]]) -> [Float] {
    var m = [Double](repeating: 0, count: samples[0].count)
    for s in samples { for i in s.indices { m[i] += Double(s[i]) } }
    return m.map { Float($0 / Double(samples.count)) }
  }

  /// The mean over networks of each network's mean.
  public static func mean(networks: Networks) -> [Float] { mean(networks.map { mean($0) }) }

  /// 95 % interval of mean(a) − mean(b) for independent samples of one network each side.
  public static func differenceInterval(_ a: [[Float]], _ b: [[Float]], resamples: Int, seed: UInt64,
                                        level: Double = 0.95) -> (low: [Float], high: [Float]) {
    hierarchicalDifferenceInterval([a], [b], resamples: resamples, seed: seed, level: level)
  }

  /// 95 % interval of mean(networks: a) − mean(networks: b): each resample draws as many
  /// networks as each side has, with replacement, and within every drawn network as many
  /// samples as it has, with replacement. A measure that is undefined (NaN) in any sample
  /// has an undefined (NaN) interval.
  public static func hierarchicalDifferenceInterval(_ a: Networks, _ b: Networks, resamples: Int, seed: UInt64,
                                                    level: Double = 0.95) -> (low: [Float], high: [Float]) {
    precondition(!a.isEmpty && !b.isEmpty && a.allSatisfy { !$0.isEmpty } && b.allSatisfy { !$0.isEmpty })
    var rng = SeededGenerator(seed: seed)
    let d = a[0][0].count
    var draws = [[Float]](repeating: [Float](repeating: 0, count: resamples), count: d)
    var sideMean = [Double](repeating: 0, count: d), networkSum = [Double](repeating: 0, count: d)
    /// One resampled condition mean, into `sideMean`.
    func resample(_ side: Networks) {
      for i in 0..<d { sideMean[i] = 0 }
      for _ in 0..<side.count {
        let network = side[Int(rng.next() % UInt64(side.count))]
        for i in 0..<d { networkSum[i] = 0 }
        for _ in 0..<network.count {
          let sample = network[Int(rng.next() % UInt64(network.count))]
          for i in 0..<d { networkSum[i] += Double(sample[i]) }
        }
        for i in 0..<d { sideMean[i] += networkSum[i] / Double(network.count) }
      }
      for i in 0..<d { sideMean[i] /= Double(side.count) }
    }
    for r in 0..<resamples {
      resample(a)
      let ma = sideMean
      resample(b)
      for i in 0..<d { draws[i][r] = Float(ma[i] - sideMean[i]) }
    }
    let lowRank = Int((Double(resamples) * (1 - level) / 2).rounded(.down))
    let highRank = min(resamples - 1, Int((Double(resamples) * (1 + level) / 2).rounded(.down)))
    var low = [Float](), high = [Float]()
    for i in 0..<d {
      // An undefined measure (NaN: an empty sector, say) has an undefined interval.
      if draws[i].contains(where: \.isNaN) { low.append(.nan); high.append(.nan); continue }
      let sorted = draws[i].sorted()
      low.append(sorted[lowRank])
      high.append(sorted[highRank])
    }
    return (low, high)
  }

  /// 95 % interval of a condition's mean (the difference from a condition of zeros).
  public static func hierarchicalInterval(_ networks: Networks, resamples: Int, seed: UInt64,
                                          level: Double = 0.95) -> (low: [Float], high: [Float]) {
    let zero = [[[Float](repeating: 0, count: networks[0][0].count)]]
    return hierarchicalDifferenceInterval(networks, zero, resamples: resamples, seed: seed, level: level)
  }
}
