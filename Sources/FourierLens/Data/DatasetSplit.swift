/// Which part of a dataset to use, where the format has parts (CIFAR-10, MNIST, split
/// image folders); formats without splits ignore it.
public enum DatasetSplit: String, CaseIterable, Codable, Sendable {
  case train
  case test
}
