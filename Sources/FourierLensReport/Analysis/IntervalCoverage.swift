/// What the report's intervals cover, in words, for every caption that shows one: the
/// variation between independently trained networks and their mask samples, or only the
/// mask samples of one network per model (then an interval that excludes zero says the
/// masks of these networks differ, nothing about other networks trained the same way).
enum IntervalCoverage {
  /// A sentence for a figure or table with 95 % intervals of differences.
  static func differenceSentence(_ coverage: BandComparison.Coverage) -> String {
    switch coverage {
    case .networks:
      return "Error bars: 95 % hierarchical-bootstrap intervals over the trained networks of each model and, within "
        + "each network, its mask samples (seeds, or class/image masks); dots are the networks’ own values. An interval "
        + "that excludes zero is a difference between the kinds of training that holds across the networks sampled "
        + "(few networks make it a rough guide)."
    case .oneNetworkEach:
      return "Error bars: 95 % bootstrap intervals over the mask samples (seeds, or class/image masks) of one trained "
        + "network per model only. They do not cover the variation between networks trained the same way: an interval "
        + "that excludes zero says these networks’ masks differ, not that the kinds of training do (train several "
        + "networks per model, <code>flens train --seeds K</code> or <code>seeds: K</code> in an experiment)."
    case .mixed:
      return "Error bars: 95 % hierarchical-bootstrap intervals over the trained networks of each model and their mask "
        + "samples (seeds, or class/image masks); dots are the networks’ own values. Models with one network "
        + "contribute only that network’s mask samples, so differences involving them cover less than the variation "
        + "between networks trained the same way."
    }
  }

  /// A note for the page when every model is one network (nil otherwise).
  static func oneNetworkNote(_ coverage: BandComparison.Coverage) -> String? {
    guard coverage == .oneNetworkEach else { return nil }
    return "Each model here is one trained network. Every interval on this page covers the mask samples of that network "
      + "only, so the differences describe these networks, not the kinds of training they stand for; networks trained "
      + "the same way with other seeds can differ as much. Train several networks per model (<code>flens train "
      + "--seeds K</code>, or <code>seeds: K</code> under a model in an experiment) to claim more."
  }
}
